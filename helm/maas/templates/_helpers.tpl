{{/* The chart's name, or nameOverride. */}}
{{- define "maas.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The objects' name: fullnameOverride, or release-chart (just the release if it holds the chart's name). */}}
{{- define "maas.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The labels that select the pod: the same on every selector of the chart. */}}
{{- define "maas.selectorLabels" -}}
app.kubernetes.io/name: {{ include "maas.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The labels of every object of the chart. */}}
{{- define "maas.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "maas.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: maas
{{- end }}

{{- define "maas.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "maas.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret with maas.security.keys: the user's own, or the chart's. */}}
{{- define "maas.secretName" -}}
{{- default (printf "%s-secrets" (include "maas.fullname" .)) .Values.security.existingSecret }}
{{- end }}

{{/*
"true" when the chart runs the shared store (an external PostgreSQL and an object store, both set),
"" for the embedded store (neither set). Half a configuration fails the render, naming what is
missing.
*/}}
{{- define "maas.shared" -}}
{{- $db := .Values.database }}
{{- $os := .Values.objectStore }}
{{- $dbSet := or $db.host $db.existingSecret }}
{{- $osSet := or $os.bucket $os.endpoint $os.existingSecret }}
{{- if and $dbSet (not $osSet) }}
{{- fail "database is set but objectStore is not: several replicas need both an external PostgreSQL (database.host, database.existingSecret) and an object store (objectStore.bucket); set both, or neither for the single-replica embedded store" }}
{{- end }}
{{- if and $osSet (not $dbSet) }}
{{- fail "objectStore is set but database is not: several replicas need both an external PostgreSQL (database.host, database.existingSecret) and an object store (objectStore.bucket); set both, or neither for the single-replica embedded store" }}
{{- end }}
{{- if $dbSet }}
{{- if not $db.host }}
{{- fail "database.host is empty: the shared store needs the PostgreSQL server's host name" }}
{{- end }}
{{- if not $db.existingSecret }}
{{- fail "database.existingSecret is empty: the shared store needs the name of a Secret with the PostgreSQL user name (database.usernameKey) and password (database.passwordKey)" }}
{{- end }}
{{- if not $db.name }}
{{- fail "database.name is empty: the shared store needs the PostgreSQL database's name" }}
{{- end }}
{{- if not $os.bucket }}
{{- fail "objectStore.bucket is empty: the shared store needs the bucket that holds its objects" }}
{{- end }}
{{- $grace := int .Values.gracefulShutdown.terminationGracePeriodSeconds }}
{{- $needed := add .Values.gracefulShutdown.preStopSleepSeconds .Values.gracefulShutdown.timeoutSeconds }}
{{- if le $grace (int $needed) }}
{{- fail (printf "gracefulShutdown.terminationGracePeriodSeconds (%d) must be more than preStopSleepSeconds + timeoutSeconds (%d), or in-flight requests are killed" $grace (int $needed)) }}
{{- end }}
{{- print "true" }}
{{- end }}
{{- end }}

{{/* The JDBC URL of the external PostgreSQL. */}}
{{- define "maas.jdbcUrl" -}}
{{- $db := .Values.database }}
{{- printf "jdbc:postgresql://%s:%v/%s" $db.host $db.port $db.name }}
{{- with $db.parameters }}?{{ . }}{{ end }}
{{- end }}

{{/*
The application configuration file the ConfigMap carries: config, and in the shared-store mode the
store's and the graceful shutdown's settings over it.
*/}}
{{- define "maas.applicationYaml" -}}
{{- if eq (include "maas.shared" .) "true" }}
{{- $s3 := dict "bucket" .Values.objectStore.bucket "path-style-access" .Values.objectStore.pathStyleAccess }}
{{- with .Values.objectStore.endpoint }}{{ $_ := set $s3 "endpoint" . }}{{ end }}
{{- with .Values.objectStore.region }}{{ $_ := set $s3 "region" . }}{{ end }}
{{- $shared := dict
      "maas" (dict "store" (dict "type" "shared" "s3" $s3))
      "spring" (dict
        "datasource" (dict "url" (include "maas.jdbcUrl" .))
        "lifecycle" (dict "timeout-per-shutdown-phase" (printf "%ds" (int .Values.gracefulShutdown.timeoutSeconds))))
      "server" (dict "shutdown" "graceful") }}
{{- toYaml (mustMergeOverwrite (deepCopy .Values.config) $shared) }}
{{- else }}
{{- toYaml .Values.config }}
{{- end }}
{{- end }}

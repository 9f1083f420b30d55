package dev.maas.deploy;

import static dev.maas.deploy.HelmChart.at;
import static dev.maas.deploy.HelmChart.named;
import static dev.maas.deploy.HelmChart.only;
import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.json.JsonMapper;

/** The Helm chart, linted and rendered by real Helm for its defaults and each optional switch. */
class HelmChartTest {
  private static final Map<String, Map<String, Object>> SWITCHES =
      Map.of(
          "defaults", Map.of(),
          "serviceMonitor", Map.of("metrics.serviceMonitor.enabled", true),
          "prometheusRule", Map.of("metrics.prometheusRule.enabled", true),
          "grafanaDashboard", Map.of("metrics.grafanaDashboard.enabled", true));

  private static List<Map<String, Object>> defaults() {
    return HelmChart.render(Map.of());
  }

  private static Map<String, Object> deployment() {
    return only(defaults(), "Deployment");
  }

  private static Map<String, Object> container() {
    return at(deployment(), "spec", "template", "spec", "containers", 0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"defaults", "serviceMonitor", "prometheusRule", "grafanaDashboard"})
  void helmLintPassesStrictly(String configuration) {
    LintResult lint = HelmChart.lint(configuration, SWITCHES.get(configuration));
    assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
  }

  @Test
  void theDefaultsRenderTheServerWithoutTheOptionalObjects() {
    assertThat(defaults().stream().map(o -> (String) o.get("kind")).collect(Collectors.toList()))
        .containsExactlyInAnyOrder(
            "ServiceAccount",
            "Secret",
            "ConfigMap",
            "PersistentVolumeClaim",
            "Service",
            "Deployment",
            "PodDisruptionBudget");
  }

  @Test
  void oneReplicaIsReplacedWithTheRecreateStrategy() {
    assertThat((Integer) at(deployment(), "spec", "replicas")).isEqualTo(1);
    assertThat((String) at(deployment(), "spec", "strategy", "type")).isEqualTo("Recreate");
  }

  @Test
  void probesAskActuatorsHealthGroups() {
    Map<String, Object> c = container();
    assertThat((String) at(c, "livenessProbe", "httpGet", "path"))
        .isEqualTo("/actuator/health/liveness");
    assertThat((String) at(c, "readinessProbe", "httpGet", "path"))
        .isEqualTo("/actuator/health/readiness");
    assertThat((String) at(c, "startupProbe", "httpGet", "path"))
        .isEqualTo("/actuator/health/liveness");
    assertThat((String) at(c, "livenessProbe", "httpGet", "port")).isEqualTo("http");
    assertThat((Integer) at(named(c.get("ports"), "http"), "containerPort")).isEqualTo(8080);
  }

  @Test
  void theServiceHasAGrpcPortOntoTheContainersUnlessItIsZero() {
    assertThat((Integer) at(named(container().get("ports"), "grpc"), "containerPort"))
        .isEqualTo(8081);
    Map<String, Object> grpc =
        named(at(only(HelmChart.render(Map.of()), "Service"), "spec", "ports"), "grpc");
    assertThat(grpc).containsEntry("port", 8081).containsEntry("targetPort", "grpc");
    List<Object> without =
        at(only(HelmChart.render(Map.of("service.grpcPort", 0)), "Service"), "spec", "ports");
    assertThat(without).hasSize(1);
  }

  @Test
  void thePodRunsAsTheImagesNonRootUserOnAReadOnlyRootWithAWritableTmp() throws Exception {
    Map<String, Object> pod = at(deployment(), "spec", "template", "spec");
    Map<String, Object> c = container();
    assertThat((Boolean) at(pod, "securityContext", "runAsNonRoot")).isTrue();
    assertThat((Boolean) at(c, "securityContext", "runAsNonRoot")).isTrue();
    assertThat((Boolean) at(c, "securityContext", "readOnlyRootFilesystem")).isTrue();
    assertThat((Boolean) at(c, "securityContext", "allowPrivilegeEscalation")).isFalse();
    String imageUser = Dockerfile.read().one("USER").words().get(0);
    assertThat(
            at(pod, "securityContext", "runAsUser")
                + ":"
                + at(pod, "securityContext", "runAsGroup"))
        .isEqualTo(imageUser);

    assertThat((String) at(named(c.get("volumeMounts"), "tmp"), "mountPath")).isEqualTo("/tmp");
    assertThat((Object) at(named(pod.get("volumes"), "tmp"), "emptyDir")).isNotNull();
    assertThat((String) at(named(c.get("env"), "MAAS_NATIVE_CACHE"), "value")).startsWith("/tmp/");
  }

  @Test
  void theClaimIsMountedAtTheDataDirectory() {
    Map<String, Object> pod = at(deployment(), "spec", "template", "spec");
    Map<String, Object> c = container();
    String claim = at(only(defaults(), "PersistentVolumeClaim"), "metadata", "name");
    assertThat((String) at(named(pod.get("volumes"), "data"), "persistentVolumeClaim", "claimName"))
        .isEqualTo(claim);
    String dataDir = at(named(c.get("env"), "MAAS_STORAGE_PATH"), "value");
    assertThat((String) at(named(c.get("volumeMounts"), "data"), "mountPath")).isEqualTo(dataDir);
    assertThat(dataDir).isEqualTo("/data");
  }

  @Test
  void theConfigMapCarriesTheApplicationConfigurationTheServerReads() {
    Map<String, Object> configMap = only(defaults(), "ConfigMap");
    Map<String, Object> application =
        new Yaml().load((String) at(configMap, "data", "application.yaml"));
    assertThat((Object) at(application, "maas", "cost", "currency")).isEqualTo("USD");
    assertThat((Object) at(application, "maas", "cost", "cpu-core-hour")).isNotNull();
    assertThat((Object) at(application, "maas", "cost", "memory-gib-hour")).isNotNull();
    assertThat((Object) at(application, "maas", "cost", "storage-gib-month")).isNotNull();

    Map<String, Object> pod = at(deployment(), "spec", "template", "spec");
    Map<String, Object> c = container();
    String dir = at(named(c.get("volumeMounts"), "application"), "mountPath");
    assertThat((String) at(named(pod.get("volumes"), "application"), "configMap", "name"))
        .isEqualTo(at(configMap, "metadata", "name"));
    assertThat((String) at(named(c.get("env"), "SPRING_CONFIG_ADDITIONAL_LOCATION"), "value"))
        .contains("file:" + dir + "/application.yaml");
  }

  @Test
  void apiKeyHashesGoIntoTheSecretTheServerReads() {
    List<Map<String, Object>> objects =
        HelmChart.render(
            Map.of(
                "security.keys",
                List.of(Map.of("sha256", "ab12", "roles", List.of("predict", "train")))));
    Map<String, Object> secret = only(objects, "Secret");
    Map<String, Object> file =
        new Yaml().load((String) at(secret, "stringData", "application-secrets.yaml"));
    assertThat((String) at(file, "maas", "security", "keys", 0, "sha256")).isEqualTo("ab12");
    assertThat((List<String>) at(file, "maas", "security", "keys", 0, "roles"))
        .containsExactly("predict", "train");

    Map<String, Object> d = only(objects, "Deployment");
    Map<String, Object> c = at(d, "spec", "template", "spec", "containers", 0);
    String dir = at(named(c.get("volumeMounts"), "secrets"), "mountPath");
    assertThat(
            (String)
                at(
                    named(at(d, "spec", "template", "spec", "volumes"), "secrets"),
                    "secret",
                    "secretName"))
        .isEqualTo(at(secret, "metadata", "name"));
    assertThat((String) at(named(c.get("env"), "SPRING_CONFIG_ADDITIONAL_LOCATION"), "value"))
        .contains("file:" + dir + "/application-secrets.yaml");
  }

  @Test
  void everyObjectCarriesTheSameLabelsAndEverySelectorPicksThePod() {
    List<Map<String, Object>> objects = HelmChart.render(allSwitches());
    Map<String, Object> labels = at(only(objects, "Deployment"), "metadata", "labels");
    assertThat(labels).containsKeys("app.kubernetes.io/name", "app.kubernetes.io/instance");
    for (Map<String, Object> o : objects) {
      assertThat((Map<String, Object>) at(o, "metadata", "labels"))
          .as("labels of %s", o.get("kind"))
          .containsAllEntriesOf(labels);
    }
    Map<String, Object> podLabels =
        at(only(objects, "Deployment"), "spec", "template", "metadata", "labels");
    Map<String, Object> selector =
        at(only(objects, "Deployment"), "spec", "selector", "matchLabels");
    assertThat(podLabels).containsAllEntriesOf(selector);
    assertThat((Map<String, Object>) at(only(objects, "Service"), "spec", "selector"))
        .isEqualTo(selector);
    assertThat(
            (Map<String, Object>)
                at(only(objects, "PodDisruptionBudget"), "spec", "selector", "matchLabels"))
        .isEqualTo(selector);
    assertThat((Map<String, Object>) at(only(objects, "Service"), "metadata", "labels"))
        .containsAllEntriesOf(
            at(only(objects, "ServiceMonitor"), "spec", "selector", "matchLabels"));
  }

  @Test
  void theServiceMonitorScrapesPrometheusOnTheServicesPort() {
    List<Map<String, Object>> objects = HelmChart.render(SWITCHES.get("serviceMonitor"));
    Map<String, Object> endpoint = at(only(objects, "ServiceMonitor"), "spec", "endpoints", 0);
    assertThat(endpoint)
        .containsEntry("path", "/actuator/prometheus")
        .containsEntry("port", "http");
    assertThat((Object) at(only(objects, "Service"), "spec", "ports", 0, "name")).isEqualTo("http");
  }

  @Test
  void thePrometheusRuleIsTheChartsRulesFile() throws Exception {
    List<Map<String, Object>> objects = HelmChart.render(SWITCHES.get("prometheusRule"));
    Map<String, Object> rules =
        new Yaml().load(Files.readString(HelmChart.CHART.resolve("files/maas-rules.yaml")));
    Map<String, Object> spec = at(only(objects, "PrometheusRule"), "spec");
    assertThat(spec).isEqualTo(rules);
    assertThat((List<Object>) spec.get("groups")).isNotEmpty();
  }

  @Test
  void theGrafanaDashboardIsTheChartsDashboardLabelledForTheSidecar() throws Exception {
    List<Map<String, Object>> objects = HelmChart.render(SWITCHES.get("grafanaDashboard"));
    Map<String, Object> dashboard =
        HelmChart.all(objects, "ConfigMap").stream()
            .filter(c -> at(c, "data", "maas-dashboard.json") != null)
            .findFirst()
            .orElseThrow();
    assertThat((Map<String, Object>) at(dashboard, "metadata", "labels"))
        .containsEntry("grafana_dashboard", "1");
    JsonMapper json = JsonMapper.builder().build();
    assertThat(json.readTree((String) at(dashboard, "data", "maas-dashboard.json")))
        .isEqualTo(
            json.readTree(Files.readString(HelmChart.CHART.resolve("files/maas-dashboard.json"))));
  }

  private static Map<String, Object> allSwitches() {
    return Map.of(
        "metrics.serviceMonitor.enabled", true,
        "metrics.prometheusRule.enabled", true,
        "metrics.grafanaDashboard.enabled", true);
  }
}

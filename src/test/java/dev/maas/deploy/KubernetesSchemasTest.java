package dev.maas.deploy;

import static dev.maas.deploy.HelmChart.at;
import static dev.maas.deploy.HelmChart.only;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maas.deploy.KubernetesSchemas.Invalid;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The strict validation bites: each kind of mistake, made in an object the chart really renders, is
 * rejected with a message naming it. (HelmChartTest validates every object of every mode.)
 */
class KubernetesSchemasTest {
  private static final Map<String, Object> ALL_SWITCHES =
      Map.of(
          "metrics.serviceMonitor.enabled", true,
          "metrics.prometheusRule.enabled", true);

  /** A deep copy of the chart's object of this kind, to break. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> rendered(String kind) {
    Yaml yaml = new Yaml();
    return (Map<String, Object>) yaml.load(yaml.dump(only(HelmChart.render(ALL_SWITCHES), kind)));
  }

  private static void assertRejected(Map<String, Object> object, String... messageParts) {
    assertThatThrownBy(() -> KubernetesSchemas.validate(object))
        .isInstanceOf(Invalid.class)
        .message()
        .contains(messageParts);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> container(Map<String, Object> deployment) {
    return at(deployment, "spec", "template", "spec", "containers", 0);
  }

  @Test
  void theChartsObjectsAsRenderedAreValid() {
    for (String kind :
        List.of(
            "Deployment",
            "Service",
            "ServiceAccount",
            "Secret",
            "PersistentVolumeClaim",
            "PodDisruptionBudget",
            "ServiceMonitor",
            "PrometheusRule")) {
      Map<String, Object> o = rendered(kind);
      assertThatCode(() -> KubernetesSchemas.validate(o)).as(kind).doesNotThrowAnyException();
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void anUnknownFieldIsRejected() {
    Map<String, Object> deployment = rendered("Deployment");
    container(deployment).put("imagePullPolicyy", "Always");
    assertRejected(
        deployment,
        "Deployment maas-test",
        "unknown field $.spec.template.spec.containers[0].imagePullPolicyy",
        "V1Container");

    Map<String, Object> service = rendered("Service");
    ((Map<String, Object>) service.get("spec")).put("selectors", Map.of("a", "b"));
    assertRejected(service, "selectors");
  }

  @Test
  @SuppressWarnings("unchecked")
  void aValueOfTheWrongTypeIsRejected() {
    Map<String, Object> deployment = rendered("Deployment");
    ((Map<String, Object>) deployment.get("spec")).put("replicas", "two");
    assertRejected(deployment, "expected an integer at $.spec.replicas, found the string \"two\"");

    Map<String, Object> quoted = rendered("Deployment");
    ((Map<String, Object>) at(container(quoted), "ports", 0)).put("containerPort", "8080");
    assertRejected(
        quoted,
        "expected an integer at $.spec.template.spec.containers[0].ports[0].containerPort",
        "the string \"8080\"");

    Map<String, Object> label = rendered("Deployment");
    ((Map<String, Object>) at(label, "metadata", "labels")).put("grafana_dashboard", 1);
    assertRejected(
        label, "expected a string at $.metadata.labels.grafana_dashboard, found the number 1");

    Map<String, Object> notAList = rendered("Deployment");
    container(notAList).put("env", Map.of("name", "X", "value", "1"));
    assertRejected(
        notAList, "expected a list at $.spec.template.spec.containers[0].env, found an object");

    Map<String, Object> quantity = rendered("Deployment");
    ((Map<String, Object>) at(container(quantity), "resources", "limits")).put("memory", "4 GiB");
    assertRejected(quantity, "Deployment maas-test");
  }

  @Test
  void aMissingRequiredFieldIsRejected() {
    Map<String, Object> deployment = rendered("Deployment");
    container(deployment).remove("name");
    assertRejected(
        deployment,
        "the required field $.spec.template.spec.containers[0].name is missing (V1Container)");

    Map<String, Object> noSelector = rendered("Deployment");
    ((Map<?, ?>) noSelector.get("spec")).remove("selector");
    assertRejected(noSelector, "the required field $.spec.selector is missing");

    Map<String, Object> unnamed = rendered("Service");
    ((Map<?, ?>) unnamed.get("metadata")).remove("name");
    assertRejected(unnamed, "metadata.name is missing");
  }

  @Test
  void anApiVersionACurrentKubernetesDoesNotServeIsRejected() {
    Map<String, Object> pdb = rendered("PodDisruptionBudget");
    pdb.put("apiVersion", "policy/v1beta1");
    assertRejected(
        pdb, "policy/v1beta1", "not served", KubernetesSchemas.clientVersion() + " has no such");
    assertThat(KubernetesSchemas.clientVersion()).matches("client-java-api \\d+\\.\\d+\\.\\d+");

    Map<String, Object> hpa =
        Map.of(
            "apiVersion",
            "autoscaling/v2beta2",
            "kind",
            "HorizontalPodAutoscaler",
            "metadata",
            Map.of("name", "maas"),
            "spec",
            Map.of("maxReplicas", 3));
    assertRejected(hpa, "autoscaling/v2beta2", "not served");

    Map<String, Object> deployment = rendered("Deployment");
    deployment.put("apiVersion", "extensions/v1beta1");
    assertRejected(deployment, "extensions/v1beta1", "not served");

    Map<String, Object> ingress =
        Map.of(
            "apiVersion",
            "networking.k8s.io/v1beta1",
            "kind",
            "Ingress",
            "metadata",
            Map.of("name", "maas"),
            "spec",
            Map.of());
    assertRejected(ingress, "networking.k8s.io/v1beta1 is a pre-release version");

    Map<String, Object> typo = rendered("Deployment");
    typo.put("kind", "Deploymnet");
    assertRejected(typo, "kind Deploymnet is not served by apiVersion apps/v1");

    Map<String, Object> serviceMonitor = rendered("ServiceMonitor");
    serviceMonitor.put("apiVersion", "monitoring.coreos.com/v1beta1");
    assertRejected(serviceMonitor, "monitoring.coreos.com/v1beta1", "not served");
  }

  @Test
  @SuppressWarnings("unchecked")
  void theServiceMonitorIsCheckedAgainstPrometheusOperatorsSchema() {
    Map<String, Object> unknown = rendered("ServiceMonitor");
    ((Map<String, Object>) at(unknown, "spec", "endpoints", 0)).put("scrapeInterval", "30s");
    assertRejected(unknown, "ServiceMonitor maas-test", "scrapeInterval", "$.spec.endpoints[0]");

    Map<String, Object> wrongType = rendered("ServiceMonitor");
    ((Map<String, Object>) at(wrongType, "spec", "endpoints", 0)).put("interval", 30);
    assertRejected(wrongType, "Integer value (30)", "at $.spec.endpoints[0].interval");

    Map<String, Object> missing = rendered("ServiceMonitor");
    ((Map<String, Object>) missing.get("spec")).remove("selector");
    assertRejected(missing, "the required field spec.selector is missing");

    Map<String, Object> noEndpoints = rendered("ServiceMonitor");
    ((Map<String, Object>) noEndpoints.get("spec")).remove("endpoints");
    assertRejected(noEndpoints, "the required field spec.endpoints is missing");

    Map<String, Object> notADuration = rendered("ServiceMonitor");
    ((Map<String, Object>) at(notADuration, "spec", "endpoints", 0)).put("interval", "30 s");
    assertRejected(
        notADuration, "spec.endpoints[].interval is \"30 s\", not a Prometheus duration");
  }

  @Test
  @SuppressWarnings("unchecked")
  void thePrometheusRuleIsCheckedAgainstPrometheusOperatorsSchema() {
    Map<String, Object> unknown = rendered("PrometheusRule");
    ((Map<String, Object>) at(unknown, "spec", "groups", 0)).put("evaluation_interval", "1m");
    assertRejected(unknown, "PrometheusRule maas-test", "evaluation_interval");

    Map<String, Object> wrongType = rendered("PrometheusRule");
    ((Map<String, Object>) at(wrongType, "spec", "groups", 0)).put("name", List.of("maas"));
    assertRejected(wrongType, "at $.spec.groups[0].name");

    Map<String, Object> missing = rendered("PrometheusRule");
    ((Map<String, Object>) at(missing, "spec", "groups", 0, "rules", 0)).remove("expr");
    assertRejected(missing, "the required field spec.groups[].rules[].expr is missing");
  }

  @Test
  @SuppressWarnings("unchecked")
  void namesAndLabelsAreCheckedAsTheApiServerDoes() {
    Map<String, Object> name = rendered("Service");
    ((Map<String, Object>) name.get("metadata")).put("name", "Maas_Test");
    assertRejected(name, "$.metadata.name \"Maas_Test\" is not a DNS-1123 subdomain");

    Map<String, Object> value = rendered("Deployment");
    ((Map<String, Object>) at(value, "spec", "template", "metadata", "labels"))
        .put("app.kubernetes.io/version", "0.1.0+build 7");
    assertRejected(
        value,
        "$.spec.template.metadata.labels.app.kubernetes.io/version",
        "is not a valid label value");

    Map<String, Object> key = rendered("PodDisruptionBudget");
    ((Map<String, Object>) at(key, "spec", "selector", "matchLabels")).put("-bad", "x");
    assertRejected(key, "$.spec.selector.matchLabels", "\"-bad\" is not a valid label key");

    Map<String, Object> ruleLabels = rendered("PrometheusRule");
    ((Map<String, Object>) at(ruleLabels, "spec", "groups", 0, "rules", 0))
        .put("labels", Map.of("summary", "Prometheus label values are free text"));
    assertThatCode(() -> KubernetesSchemas.validate(ruleLabels)).doesNotThrowAnyException();
  }

  @Test
  void theModelsMatchTheirKinds() {
    assertThat(KubernetesSchemas.kubernetesModel("apps/v1", "Deployment").getSimpleName())
        .isEqualTo("V1Deployment");
    assertThat(
            KubernetesSchemas.kubernetesModel("policy/v1", "PodDisruptionBudget").getSimpleName())
        .isEqualTo("V1PodDisruptionBudget");
    assertThat(
            KubernetesSchemas.kubernetesModel("autoscaling/v2", "HorizontalPodAutoscaler")
                .getSimpleName())
        .isEqualTo("V2HorizontalPodAutoscaler");
    assertThat(KubernetesSchemas.kubernetesModel("v1", "ConfigMap").getSimpleName())
        .isEqualTo("V1ConfigMap");
  }
}

package dev.maas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Grafana dashboard is valid JSON, covers the topics, and uses only recording rules
 * that helm/maas/files/maas-rules.yaml defines (its raw metrics are checked against a real scrape
 * by CapacityApiTest).
 */
class GrafanaDashboardTest {
  private static final Path DASHBOARD = Path.of("helm", "maas", "files", "maas-dashboard.json");
  private static final Path RULES = Path.of("helm", "maas", "files", "maas-rules.yaml");

  @Test
  void everyPanelQueriesPrometheusAndEveryRecordingRuleItUsesExists() throws Exception {
    JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
    String rules = Files.readString(RULES);
    List<String> titles = new ArrayList<>();
    for (JsonNode panel : dashboard.get("panels")) {
      titles.add(panel.get("title").asString());
      if (panel.get("type").asString().equals("row")) {
        continue;
      }
      assertThat(panel.get("targets")).as(panel.get("title").asString()).isNotEmpty();
      for (JsonNode target : panel.get("targets")) {
        Matcher m = Pattern.compile("maas:[a-z0-9_:]+").matcher(target.get("expr").asString());
        while (m.find()) {
          assertThat(rules).as("rule " + m.group()).contains("record: " + m.group() + "\n");
        }
      }
    }
    // failures at every stage: before a version answers (by kind) and while it predicts (outcome)
    String errors = "";
    for (JsonNode panel : dashboard.get("panels")) {
      if (panel.get("title").asString().startsWith("Errors by stage")) {
        errors = panel.get("targets").toString();
      }
    }
    assertThat(errors)
        .contains("maas_prediction_errors_total")
        .contains("maas_predictions_total")
        .contains("outcome!=\\\"success\\\"");
    assertThat(String.join("|", titles))
        .contains("Requests per second")
        .contains("Latency p50 and p99")
        .contains("Queue and workers")
        .contains("Training rows per second")
        .contains("Model memory against its budget")
        .contains("ND4J native memory")
        .contains("Cost per million predictions");
  }
}

package dev.maas.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.PrometheusServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The monitoring as it is used: a real Prometheus (Debian's package; skipped without it, failed
 * under {@code MAAS_CI}) scrapes the packaged server every second and evaluates the chart's rules
 * file (its recording group's 30 s interval made 1 s), while the server trains two models and
 * serves them, with one client error and one request for a missing version. Through Prometheus'
 * HTTP API: every rule is healthy, every recording rule and every dashboard query (the model
 * variable at All and at each model) returns data, and the values that tell the truth only when a
 * series exists at zero before its first event are right: one job's rows, one error of each stage,
 * the requests after a version loaded, no eviction (0, not no data), and a heap-path wait of 0.
 */
class MonitoringIT {
  private static final Path RULES = Path.of("helm", "maas", "files", "maas-rules.yaml");
  private static final Path DASHBOARD = Path.of("helm", "maas", "files", "maas-dashboard.json");
  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static final String IRIS = "iris-logistic";
  private static final String DIABETES = "diabetes-linear";

  @Test
  void aRealPrometheusReadsTheTruthFromTheRulesAndTheDashboard() throws Exception {
    PrometheusServer.require();
    Path work =
        Files.createDirectories(Path.of("target", "e2e", "monitoring-" + UUID.randomUUID()));
    String rules = Files.readString(RULES);
    String fast = rules.replace("interval: 30s", "interval: 1s");
    assertThat(fast).as("the recording group's interval").isNotEqualTo(rules);
    Files.createDirectories(work.resolve("prometheus"));
    Files.writeString(work.resolve("prometheus").resolve("maas-rules.yaml"), fast);
    try (PackagedServer server =
            PackagedServer.startJar(work.resolve("maas"), PackagedServer.freePort());
        PrometheusServer prometheus =
            PrometheusServer.start(
                work.resolve("prometheus"), config(server.port()), PackagedServer.freePort())) {
      long started = System.nanoTime();
      ApiClient api = new ApiClient(server.base(), server.generatedKey(), server::logText);
      Checks checks = new Checks(prometheus, server);

      // Prometheus has the training meters at zero before any job.
      checks.await(
          "a scrape before any job",
          "maas_training_rows_total{family=\"logistic_regression\"}",
          v -> v == 0);
      checks.await("no eviction yet, as 0", "sum(maas_model_cache_evictions_total)", v -> v == 0);

      String iris = api.uploadCsv("iris", ApiClient.dataset("iris.csv"));
      String diabetes = api.uploadCsv("diabetes", ApiClient.dataset("diabetes.csv"));
      JsonNode job =
          api.train(
              "{\"model\": \""
                  + IRIS
                  + "\", \"family\": \"logistic_regression\", \"dataset\": \""
                  + iris
                  + "\", \"target\": \"species\", \"alias\": \"production\"}");
      api.train(
          "{\"model\": \""
              + DIABETES
              + "\", \"family\": \"linear_regression\", \"dataset\": \""
              + diabetes
              + "\", \"target\": \"progression\", \"alias\": \"production\"}");

      // One job's rows (rows x epochs), counted from the zero Prometheus saw before it.
      JsonNode usage = job.get("usage");
      double rows = usage.get("trainingRows").asDouble() * usage.get("epochs").asDouble();
      assertThat(rows).isPositive();
      checks.await(
          "the rows of one logistic regression job",
          "max_over_time(maas_training_rows_total{family=\"logistic_regression\"}[10m])"
              + " - min_over_time(maas_training_rows_total{family=\"logistic_regression\"}[10m])",
          v -> v == rows);

      // The first request loads each version; Prometheus then sees its series at zero.
      String irisRows = "{\"instances\": [[5.1, 3.5, 1.4, 0.2], [6.3, 3.3, 6.0, 2.5]]}";
      String diabetesRows =
          "{\"instances\": [[59.0, 2.0, 32.1, 101.0, 157.0, 93.2, 38.0, 4.0, 4.8598, 87.0]]}";
      predict(api, IRIS, irisRows, 200);
      predict(api, DIABETES, diabetesRows, 200);
      // The warm-up may have loaded the version before that request, and Prometheus seen its
      // series at 0 then, so the count is read as it stands rather than as a delta.
      String successes = "maas_predictions_total{model=\"" + IRIS + "\",outcome=\"success\"}";
      checks.await("the first request counted", successes, v -> v == 1);
      checks.await(
          "the loaded version's client errors at 0",
          "maas_predictions_total{model=\"" + IRIS + "\",outcome=\"client_error\"}",
          v -> v == 0);
      checks.await(
          "the model's not-found errors at 0",
          "maas_prediction_errors_total{model=\"" + IRIS + "\",kind=\"not_found\"}",
          v -> v == 0);

      for (int i = 0; i < 5; i++) {
        predict(api, IRIS, irisRows, 200);
        predict(api, DIABETES, diabetesRows, 200);
      }
      predict(api, IRIS, "{\"instances\": [[5.1, 3.5, 1.4]]}", 400); // while predicting
      api.send(
          "/api/v1/models/" + IRIS + "/predict?version=99",
          "POST",
          "application/json",
          irisRows,
          404); // before a version is chosen

      checks.await("5 more requests counted, and no warm-up request", successes, v -> v == 6);
      checks.await(
          "one client error", delta("maas_predictions_total", "client_error"), v -> v == 1);
      checks.await(
          "one not-found error",
          "max_over_time(maas_prediction_errors_total{model=\""
              + IRIS
              + "\",kind=\"not_found\"}[10m]) - min_over_time(maas_prediction_errors_total{model=\""
              + IRIS
              + "\",kind=\"not_found\"}[10m])",
          v -> v == 1);

      int healthy = checks.everyRuleIsHealthy();
      List<String> models = prometheus.labelValues("model", "maas_predictions_total");
      assertThat(models).containsExactlyInAnyOrder(IRIS, DIABETES);
      int recorded = checks.everyRecordingRuleReturnsData();
      List<String> variables = new ArrayList<>();
      variables.add(".*"); // All
      variables.addAll(models); // names of letters and dashes: as Grafana writes one value
      int panelQueries = checks.everyDashboardQueryReturnsData(variables);
      System.out.printf(
          "a real Prometheus: %d rules healthy, %d recording rules and %d dashboard queries"
              + " (model at All and at each of %d) with data, %d s after it started%n",
          healthy,
          recorded,
          panelQueries,
          models.size(),
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));

      // The panels read what happened.
      checks.await(
          "training rows per second of logistic regression",
          "maas:training_rows:rate5m{family=\"logistic_regression\"}",
          v -> v > 0);
      checks.await(
          "training CPU of logistic regression",
          "sum by (family) (rate(maas_training_cpu_seconds_total{family=\"logistic_regression\"}[5m]))",
          v -> v > 0);
      checks.await(
          "job duration p90 of logistic regression",
          "histogram_quantile(0.9, sum by (family, le)"
              + " (rate(maas_training_duration_seconds_bucket{family=\"logistic_regression\"}[1h])))",
          v -> v > 0 && v < 3600);
      checks.await(
          "the error panel's not-found errors",
          "sum by (model, kind) (rate(maas_prediction_errors_total{model=~\""
              + IRIS
              + "\",kind=\"not_found\"}[5m]))",
          v -> v > 0);
      checks.await(
          "the error panel's client errors",
          "sum by (model, version, outcome) (rate(maas_predictions_total{model=~\""
              + IRIS
              + "\",outcome=\"client_error\"}[5m]))",
          v -> v > 0);
      checks.await(
          "server-side failures of every stage",
          "maas:prediction_server_failures:ratio5m{model=\"" + IRIS + "\"}",
          v -> v == 0);
      checks.await(
          "evictions per second", "sum(rate(maas_model_cache_evictions_total[5m]))", v -> v == 0);
      for (String model : models) {
        checks.await(
            "the heap-path wait p99 of " + model,
            "maas:prediction_wait_seconds:p99_5m{model=~\"" + model + "\"}",
            v -> v == 0);
        checks.await(
            "the requests per second of " + model,
            "maas:predictions:rate5m{model=~\"" + model + "\"}",
            v -> v > 0);
      }
    }
  }

  private static String delta(String metric, String outcome) {
    String series = metric + "{model=\"" + IRIS + "\",outcome=\"" + outcome + "\"}";
    return "max_over_time(" + series + "[10m]) - min_over_time(" + series + "[10m])";
  }

  private static void predict(ApiClient api, String model, String body, int status)
      throws Exception {
    api.send("/api/v1/models/" + model + "/predict", "POST", "application/json", body, status);
  }

  /**
   * Scrape and evaluate every second; the chart's rules, their recording group's interval made 1 s
   * too.
   */
  private static String config(int maasPort) throws Exception {
    return """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        rule_files:
          - maas-rules.yaml
        scrape_configs:
          - job_name: maas
            metrics_path: /actuator/prometheus
            static_configs:
              - targets: ['127.0.0.1:%d']
        """
        .formatted(maasPort);
  }

  /** Queries Prometheus until they hold, with the two logs for a failure. */
  private static final class Checks {
    private final PrometheusServer prometheus;
    private final PackagedServer server;

    Checks(PrometheusServer prometheus, PackagedServer server) {
      this.prometheus = prometheus;
      this.server = server;
    }

    /** Waits until {@code promql} has exactly one sample and {@code ok} holds for its value. */
    void await(String what, String promql, java.util.function.DoublePredicate ok) throws Exception {
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      JsonNode result = null;
      while (System.nanoTime() < deadline) {
        result = prometheus.query(promql);
        if (result.size() == 1 && ok.test(value(result.get(0)))) {
          return;
        }
        Thread.sleep(250);
      }
      throw new AssertionError(what + ": " + promql + " gave " + result + failureContext());
    }

    int everyRuleIsHealthy() throws Exception {
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      List<String> unhealthy;
      do {
        unhealthy = new ArrayList<>();
        int rules = 0;
        for (JsonNode group : prometheus.api("rules").get("groups")) {
          for (JsonNode rule : group.get("rules")) {
            rules++;
            if (!"ok".equals(rule.path("health").asString())) {
              unhealthy.add(rule.toString());
            }
          }
        }
        assertThat(rules).as("rules loaded from " + RULES).isEqualTo(ruleCount());
        if (unhealthy.isEmpty()) {
          return rules;
        }
        Thread.sleep(250);
      } while (System.nanoTime() < deadline);
      throw new AssertionError("rules not healthy: " + unhealthy + failureContext());
    }

    /** Waits until every recording rule has a sample now (they are evaluated once a second). */
    int everyRecordingRuleReturnsData() throws Exception {
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      List<String> empty;
      int rules;
      do {
        empty = new ArrayList<>();
        rules = 0;
        for (JsonNode group : prometheus.api("rules").get("groups")) {
          for (JsonNode rule : group.get("rules")) {
            if ("recording".equals(rule.path("type").asString())) {
              rules++;
              if (prometheus.query(rule.get("name").asString()).isEmpty()) {
                empty.add(rule.get("name").asString());
              }
            }
          }
        }
        if (empty.isEmpty()) {
          return rules;
        }
        Thread.sleep(250);
      } while (System.nanoTime() < deadline);
      throw new AssertionError("recording rules without data: " + empty + failureContext());
    }

    /**
     * Waits until every query of every panel has a sample now, with the model variable at each of
     * {@code modelValues} where the query uses it.
     */
    int everyDashboardQueryReturnsData(List<String> modelValues) throws Exception {
      JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
      Map<String, String> queries = new LinkedHashMap<>();
      for (JsonNode panel : dashboard.get("panels")) {
        for (JsonNode target : panel.path("targets")) {
          String expr = target.get("expr").asString();
          for (String model : expr.contains("$model") ? modelValues : List.of("")) {
            String query = expr.replace("$model", model);
            assertThat(query).as("a variable the test does not set").doesNotContain("$");
            queries.put(
                panel.get("title").asString() + " " + target.get("refId").asString() + " " + model,
                query);
          }
        }
      }
      assertThat(queries).hasSizeGreaterThan(30);
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      Map<String, String> empty;
      do {
        empty = new LinkedHashMap<>();
        for (Map.Entry<String, String> q : queries.entrySet()) {
          if (prometheus.query(q.getValue()).isEmpty()) {
            empty.put(q.getKey(), q.getValue());
          }
        }
        if (empty.isEmpty()) {
          return queries.size();
        }
        Thread.sleep(250);
      } while (System.nanoTime() < deadline);
      throw new AssertionError("dashboard queries without data: " + empty + failureContext());
    }

    private static int ruleCount() throws Exception {
      return (int)
          Files.readString(RULES)
              .lines()
              .filter(l -> l.matches("\\s*- (record|alert): .*"))
              .count();
    }

    private static double value(JsonNode sample) {
      return Double.parseDouble(sample.get("value").get(1).asString());
    }

    private String failureContext() {
      return "\nprometheus log:\n" + prometheus.logText() + "\nserver log:\n" + server.logText();
    }
  }
}

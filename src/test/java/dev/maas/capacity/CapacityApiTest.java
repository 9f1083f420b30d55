package dev.maas.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.maas.Promtool;
import dev.maas.serving.ServingFigures;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The capacity report of a running server after one training job and 1,000 predictions recorded as
 * serving records them (imitated by {@link TestServing}), and the Prometheus scrape beside it.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CapacityApiTest {
  private static final Path STORAGE =
      Path.of("target", "test-data", "capacity-api-" + UUID.randomUUID());
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Path DASHBOARD = Path.of("helm", "maas", "files", "maas-dashboard.json");
  private static final Path RULES = Path.of("helm", "maas", "files", "maas-rules.yaml");
  private static final double GIB = 1024.0 * 1024 * 1024;

  @LocalServerPort int port;
  @Autowired MeterRegistry registry;
  @Autowired ServingFigures figures;

  private final HttpClient http = HttpClient.newHttpClient();
  private JsonNode job;
  private JsonNode beforeJobs;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry properties) {
    properties.add("maas.storage.path", STORAGE::toString);
    properties.add("maas.capacity.replica-cpus", () -> 4);
    properties.add("maas.cost.currency", () -> "EUR");
    properties.add("maas.cost.cpu-core-hour", () -> 0.05);
    properties.add("maas.cost.memory-gib-hour", () -> 0.01);
    properties.add("maas.cost.storage-gib-month", () -> 0.2);
  }

  @BeforeAll
  void oneTrainingJobAndAThousandPredictions() throws Exception {
    String csv = Files.readString(Path.of("src", "test", "resources", "datasets", "diabetes.csv"));
    HttpResponse<String> upload = post("/api/v1/datasets?name=diabetes", "text/csv", csv);
    assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);
    String dataset = JSON.readTree(upload.body()).get("id").asString();
    HttpResponse<String> submitted =
        post(
            "/api/v1/training-jobs",
            "application/json",
            "{\"model\": \"diabetes\", \"family\": \"linear_regression\", \"dataset\": \""
                + dataset
                + "\", \"target\": \"progression\"}");
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
    String id = JSON.readTree(submitted.body()).get("id").asString();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    do {
      job = json(get("/api/v1/training-jobs/" + id));
      Thread.sleep(20);
    } while (!job.get("state").asString().equals("succeeded") && System.nanoTime() < deadline);
    assertThat(job.get("state").asString()).as(job.toString()).isEqualTo("succeeded");
    // 1,000 requests of one row, computed in ND4J calls of 10 rows taking 2 ms each.
    // Serving records the scraped series and, in the server, the figures the report reads.
    for (MeterRegistry into : List.of(registry, figures.registry())) {
      TestServing serving = new TestServing(into);
      serving.serve("diabetes", 1, "linear_regression", 1000, 1, Duration.ofMillis(2), 10);
      serving.fail("diabetes", 1, "linear_regression", "server_error", 0);
    }
    new TestServing(registry).cache(1, 4096, 1 << 20, 999, 1, 0);

    // Before any prediction job, the batch cost is estimated from the online compute per row;
    // after one scored the 442 rows, it is measured from the job's meters.
    beforeJobs = json(get("/api/v1/capacity"));
    HttpResponse<String> scoring =
        post(
            "/api/v1/prediction-jobs",
            "application/json",
            "{\"model\": \"diabetes\", \"version\": 1, \"dataset\": \"" + dataset + "\"}");
    assertThat(scoring.statusCode()).as(scoring.body()).isEqualTo(202);
    String scoringId = JSON.readTree(scoring.body()).get("id").asString();
    JsonNode scored;
    do {
      scored = json(get("/api/v1/prediction-jobs/" + scoringId));
      Thread.sleep(20);
    } while (!scored.get("state").asString().equals("succeeded") && System.nanoTime() < deadline);
    assertThat(scored.get("state").asString()).as(scored.toString()).isEqualTo("succeeded");
  }

  @Test
  void theBatchCostIsEstimatedFromOnlineComputeUntilAJobScoresThenMeasuredFromTheJobs()
      throws Exception {
    JsonNode estimated = version(beforeJobs, "diabetes", 1);
    double memory = estimated.get("modelMemoryBytes").get("value").asDouble();
    JsonNode before = estimated.get("batch");
    assertThat(before.get("from").asString()).isEqualTo("online_compute");
    assertThat(before.has("rows")).isFalse();
    assertThat(before.get("cpuSecondsPerRow").get("source").asString()).isEqualTo("estimated");
    assertThat(before.get("cpuSecondsPerRow").get("value").asDouble())
        .isCloseTo(0.0002, within(1e-12));
    assertThat(before.get("wallSecondsPerRow").get("value").asDouble())
        .isCloseTo(0.0002, within(1e-12));
    assertThat(before.get("costPerMillionRows").get("source").asString()).isEqualTo("estimated");
    assertThat(before.get("costPerMillionRows").get("value").asDouble())
        .isCloseTo(
            1e6 * 0.0002 / 3600 * 0.05 + memory / GIB * (1e6 * 0.0002) / 3600 * 0.01,
            within(1e-12));

    JsonNode v = version(json(get("/api/v1/capacity?model=diabetes")), "diabetes", 1);
    JsonNode batch = v.get("batch");
    assertThat(batch.get("from").asString()).isEqualTo("prediction_jobs");
    assertMeasured(batch.get("rows"), 442);
    double cpu = batch.get("cpuSecondsPerRow").get("value").asDouble();
    double wall = batch.get("wallSecondsPerRow").get("value").asDouble();
    assertThat(batch.get("cpuSecondsPerRow").get("source").asString()).isEqualTo("measured");
    assertThat(batch.get("wallSecondsPerRow").get("source").asString()).isEqualTo("measured");
    assertThat(cpu).isPositive().isLessThan(0.01);
    assertThat(wall).isPositive().isLessThan(0.01);
    assertMeasured(
        batch.get("costPerMillionRows"),
        1e6 * cpu / 3600 * 0.05 + memory / GIB * (1e6 * wall) / 3600 * 0.01);
    // the online figure beside it is unchanged by the job
    assertThat(v.get("costPerMillionPredictions").get("value").asDouble())
        .isEqualTo(estimated.get("costPerMillionPredictions").get("value").asDouble());
  }

  @Test
  void aJobRecordsTheWorkItDidSoForecastsSurviveARestart() {
    JsonNode usage = job.get("usage");
    assertThat(usage.get("trainingRows").asInt()).isEqualTo(354); // 442 rows less 20% held out
    assertThat(usage.get("epochs").asInt())
        .as("the least-squares solver fits in one pass, recorded as one epoch")
        .isEqualTo(1);
    assertThat(usage.get("flopsPerRow").asLong()).isPositive();
  }

  @Test
  void theReportShowsWhatServingMeasuredAndTheCostsByTheDocumentedFormulas() throws Exception {
    JsonNode answer = json(get("/api/v1/capacity?targetRps=2000&p99Ms=50"));

    assertThat(answer.get("currency").asString()).isEqualTo("EUR");
    assertThat(answer.get("replica").get("cores").asInt()).isEqualTo(4);
    assertThat(answer.get("replica").get("coresFrom").asString())
        .isEqualTo("maas.capacity.replica-cpus");
    JsonNode v = version(answer, "diabetes", 1);
    assertThat(v.get("family").asString()).isEqualTo("linear_regression");
    assertMeasured(v.get("requests"), 1000);
    assertMeasured(v.get("rows"), 1000);
    assertMeasured(v.get("parameters"), 11); // 10 features and a bias
    assertThat(v.get("flopsPerPrediction").get("source").asString()).isEqualTo("estimated");
    assertMeasured(v.get("computeSecondsPerRow"), 0.0002);
    assertMeasured(v.get("rowsPerRequest"), 1);
    assertThat(v.get("latencyP50Ms").get("value").asDouble()).isBetween(3.0, 5.5);
    assertThat(v.get("latencyP99Ms").get("value").asDouble()).isBetween(4.0, 5.5);
    assertThat(v.get("throughputRowsPerSecond").get("value").asDouble())
        .isCloseTo(4 / 0.0002, within(1e-6));

    JsonNode usage = job.get("usage");
    double trainingCost =
        usage.get("cpuSeconds").asDouble() / 3600 * 0.05
            + usage.get("peakNativeBytes").asDouble()
                / GIB
                * usage.get("wallSeconds").asDouble()
                / 3600
                * 0.01;
    assertThat(v.get("training").get("jobId").asString()).isEqualTo(job.get("id").asString());
    assertMeasured(v.get("training").get("cost"), trainingCost);

    double memory = v.get("modelMemoryBytes").get("value").asDouble();
    double perMillion =
        1e6 * 0.0002 / 3600 * 0.05 + memory / GIB * (1e6 * 0.0002 / 4) / 3600 * 0.01;
    assertThat(v.get("costPerMillionPredictions").get("value").asDouble())
        .isCloseTo(perMillion, within(1e-12));
    double artifact = v.get("artifactBytes").get("value").asDouble();
    assertMeasured(v.get("storageCostPerMonth"), artifact / GIB * 0.2);

    JsonNode replicas = v.get("replicas");
    int needed = replicas.get("needed").get("value").asInt();
    assertThat(needed).isGreaterThanOrEqualTo(1);
    assertThat(replicas.get("p99Ms").get("value").asDouble()).isLessThanOrEqualTo(50);
    assertThat(replicas.get("utilisation").get("value").asDouble()).isBetween(0.0, 1.0);
  }

  @Test
  void aHigherRateNeedsMoreReplicasAndAnImpossibleBoundSaysWhy() throws Exception {
    int low = needed(json(get("/api/v1/capacity?targetRps=2000&p99Ms=50")));
    int high = needed(json(get("/api/v1/capacity?targetRps=200000&p99Ms=50")));
    assertThat(high).isGreaterThan(low);

    JsonNode impossible =
        version(json(get("/api/v1/capacity?targetRps=100&p99Ms=1")), "diabetes", 1);
    assertThat(impossible.get("replicas").has("needed")).isFalse();
    assertThat(impossible.get("replicas").get("note").asString()).contains("without any queueing");
  }

  @Test
  void targetRpsAndP99MsGoTogether() throws Exception {
    HttpResponse<String> r = get("/api/v1/capacity?targetRps=100");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(get("/api/v1/capacity?targetRps=-1&p99Ms=10").statusCode()).isEqualTo(400);
    assertThat(get("/api/v1/capacity?limit=0").statusCode()).isEqualTo(400);
  }

  @Test
  void theReportPagesAndFiltersByModel() throws Exception {
    JsonNode all = json(get("/api/v1/capacity"));
    assertThat(all.get("total").asInt()).isEqualTo(1);
    assertThat(json(get("/api/v1/capacity?model=other")).get("models")).isEmpty();
    JsonNode empty = json(get("/api/v1/capacity?offset=1&limit=1"));
    assertThat(empty.get("models")).isEmpty();
    assertThat(empty.get("total").asInt()).isEqualTo(1);
  }

  @Test
  void aForecastWithoutHistoryFallsBackToTheFlopCountAndSaysSo() throws Exception {
    HttpResponse<String> r =
        get(
            "/api/v1/capacity/forecast?family=cnn&rows=10000&epochs=5&inputShape=1,8,8"
                + "&outputs=10&task=classification");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode f = json(r);
    assertThat(f.get("method").asString()).isEqualTo("flop_benchmark");
    assertThat(f.get("note").asString()).contains("fallback");
    assertThat(f.get("benchmarkFlopsPerSecond").get("value").asDouble()).isPositive();
    assertThat(f.get("wallSeconds").get("value").asDouble()).isPositive();
    assertThat(f.get("currency").asString()).isEqualTo("EUR");
  }

  @Test
  void forecastsRefuseWhatTheyCannotAnswer() throws Exception {
    assertThat(get("/api/v1/capacity/forecast?family=svm&rows=10&epochs=1").statusCode())
        .isEqualTo(400);
    assertThat(get("/api/v1/capacity/forecast?family=mlp&rows=0&epochs=1").statusCode())
        .isEqualTo(400);
    assertThat(get("/api/v1/capacity/forecast?family=mlp&rows=10&epochs=1").statusCode())
        .isEqualTo(400); // no mlp job yet and no inputShape
    assertThat(
            get("/api/v1/capacity/forecast?family=mlp&rows=10&epochs=1&inputShape=4&spec=%7B")
                .statusCode())
        .isEqualTo(400);
    HttpResponse<String> badSpec =
        get(
            "/api/v1/capacity/forecast?family=mlp&rows=10&epochs=1&inputShape=4"
                + "&spec=%7B%22hiddenLayers%22:%5B%7B%22units%22:0%7D%5D%7D");
    assertThat(badSpec.statusCode()).as(badSpec.body()).isEqualTo(400);
    assertThat(
            get("/api/v1/capacity/forecast?family=linear_regression&rows=10&epochs=1").statusCode())
        .isEqualTo(200); // one linear job: its FLOPs per row, the benchmark's rate
  }

  @Test
  void theScrapeShowsExactlyThoseCountsHasEveryMetricTheDashboardAndRulesUseAndPassesPromtool()
      throws Exception {
    // The registry's meters are read again on a thread after each registration.
    String scrape;
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    do {
      HttpResponse<String> r = get("/actuator/prometheus");
      assertThat(r.statusCode()).isEqualTo(200);
      scrape = r.body();
    } while (!scrape.contains("maas_registry_versions{model=\"diabetes\"} 1.0")
        && System.nanoTime() < deadline);
    Path file = Path.of("target", "prometheus-scrape.txt");
    Files.writeString(file, scrape, StandardCharsets.UTF_8);

    assertThat(scrape)
        .contains("maas_training_jobs_total{family=\"linear_regression\",state=\"submitted\"} 1.0")
        .contains("maas_training_jobs_total{family=\"linear_regression\",state=\"succeeded\"} 1.0")
        .contains("maas_training_jobs_total{family=\"mlp\",state=\"failed\"} 0.0")
        .contains(
            "maas_predictions_total{family=\"linear_regression\",model=\"diabetes\","
                + "outcome=\"success\",protocol=\"rest\",version=\"1\"} 1000.0")
        .contains(
            "maas_prediction_rows_total{family=\"linear_regression\",model=\"diabetes\","
                + "version=\"1\"} 1000.0")
        .contains("maas_training_duration_seconds_count{family=\"linear_regression\"")
        .contains("maas_training_cpu_seconds_total{family=\"linear_regression\"}")
        .contains("maas_training_flops_total{family=\"linear_regression\"}")
        .contains("maas_training_rows_total{family=\"linear_regression\"}")
        .contains("maas_training_queue_depth ")
        .contains("maas_training_running ")
        .contains("maas_native_memory_used_bytes ")
        .contains("maas_storage_free_bytes ")
        .contains("maas_storage_used_bytes ")
        .contains("maas_registry_models 1.0")
        .contains("maas_registry_versions{model=\"diabetes\"} 1.0")
        .contains("maas_cost_cpu_core_hour{currency=\"EUR\"} 0.05")
        .contains("maas_prediction_job_rows_total{model=\"diabetes\",version=\"1\"} 442.0")
        .contains("maas_prediction_job_cpu_seconds_total{model=\"diabetes\",version=\"1\"}")
        .contains("maas_prediction_job_wall_seconds_total{model=\"diabetes\",version=\"1\"}");

    for (Path uses : List.of(DASHBOARD, RULES)) {
      Matcher m = Pattern.compile("maas_[a-z0-9_]+").matcher(Files.readString(uses));
      while (m.find()) {
        assertThat(scrape).as(uses + " uses " + m.group()).contains(m.group());
      }
    }
    List<String> others = Promtool.checkMetrics(file);
    assertThat(others).allSatisfy(line -> assertThat(line).doesNotStartWith("maas"));
  }

  private int needed(JsonNode answer) {
    return version(answer, "diabetes", 1).get("replicas").get("needed").get("value").asInt();
  }

  private static JsonNode version(JsonNode answer, String model, int version) {
    for (JsonNode v : answer.get("models")) {
      if (v.get("model").asString().equals(model) && v.get("version").asInt() == version) {
        return v;
      }
    }
    throw new AssertionError(model + " v" + version + " is not in " + answer);
  }

  private static void assertMeasured(JsonNode figure, double value) {
    assertThat(figure.get("source").asString()).as(figure.toString()).isEqualTo("measured");
    assertThat(figure.get("value").asDouble()).isCloseTo(value, within(1e-9 * Math.max(1, value)));
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).build(), BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String type, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", type)
            .POST(BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build(),
        BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static JsonNode json(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }
}

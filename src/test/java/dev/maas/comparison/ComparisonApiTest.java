package dev.maas.comparison;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Comparisons over HTTP on the iris dataset: a leaderboard, budgets and a failing candidate. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ComparisonApiTest {
  private static final Path STORAGE =
      Path.of("target", "test-data", "comparison-api-" + UUID.randomUUID());
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @LocalServerPort int port;

  private final HttpClient http = HttpClient.newHttpClient();
  private String iris;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry properties) {
    properties.add("maas.storage.path", STORAGE::toString);
  }

  @BeforeAll
  void uploadIris() throws Exception {
    String csv = Files.readString(Path.of("src", "test", "resources", "datasets", "iris.csv"));
    HttpResponse<String> upload = post("/api/v1/datasets?name=iris", "text/csv", csv);
    assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);
    iris = JSON.readTree(upload.body()).get("id").asString();
  }

  @Test
  void candidatesAreTrainedAsJobsRankedOnHeldOutRowsAndAFailingOneIsReported() throws Exception {
    HttpResponse<String> started =
        post(
            "/api/v1/comparisons",
            "application/json",
            "{\"dataset\": \""
                + iris
                + "\", \"target\": \"species\", \"testFraction\": 0.3, \"model\": \"iris-cmp\","
                + " \"candidates\": [{\"family\": \"logistic_regression\"},"
                + " {\"family\": \"mlp\", \"spec\": {\"hiddenLayers\": [{\"units\": 8}]},"
                + " \"training\": {\"epochs\": 40}},"
                + " {\"family\": \"cnn\"}], \"tolerance\": 0.05}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    String id = JSON.readTree(started.body()).get("id").asString();
    assertThat(started.headers().firstValue("Location")).hasValue("/api/v1/comparisons/" + id);

    JsonNode c = await(id);

    assertThat(c.get("state").asString()).isEqualTo("finished");
    assertThat(c.get("metric").asString()).isEqualTo("accuracy");
    JsonNode candidates = c.get("candidates");
    assertThat(candidates.size()).isEqualTo(3);
    for (int i = 0; i < 2; i++) {
      JsonNode row = candidates.get(i);
      assertThat(row.get("state").asString()).as(row.toString()).isEqualTo("succeeded");
      assertThat(row.get("quality").asDouble()).isBetween(0.6, 1.0);
      assertThat(row.get("trainingCost").asDouble()).isPositive();
      assertThat(row.get("costPerMillionPredictions").get("value").asDouble()).isPositive();
      assertThat(row.get("costPerMillionPredictions").get("source").asString())
          .isEqualTo("measured");
      assertThat(row.get("p99Ms").get("value").asDouble())
          .isGreaterThanOrEqualTo(row.get("p50Ms").get("value").asDouble());
      assertThat(row.get("modelBytes").asLong()).isPositive();
      // An ordinary job, and a version of the model the comparison named.
      JsonNode job = json(get("/api/v1/training-jobs/" + row.get("jobId").asString()));
      assertThat(job.get("state").asString()).isEqualTo("succeeded");
      String model = row.get("model").asString();
      assertThat(model).startsWith("iris-cmp-" + i + "-");
      assertThat(get("/api/v1/models/" + model + "/versions/1").statusCode()).isEqualTo(200);
    }
    JsonNode failed = candidates.get(2);
    assertThat(failed.get("state").asString()).isEqualTo("failed");
    assertThat(failed.get("error").asString()).contains("inputShape");
    assertThat(failed.get("pareto").asBoolean()).isFalse();
    JsonNode r = c.get("recommendation");
    assertThat(r.get("index").asInt()).isBetween(0, 1);
    assertThat(candidates.get(r.get("index").asInt()).get("recommended").asBoolean()).isTrue();
    assertThat(candidates.get(r.get("index").asInt()).get("pareto").asBoolean()).isTrue();
    assertThat(r.get("reason").asString()).contains("accuracy").contains("per million");
    assertThat(c.get("spent").get("jobs").asInt()).isEqualTo(2);
    assertThat(c.get("skipped").size()).isZero();
  }

  @Test
  void maxJobsStopsTheComparisonAndSaysWhatWasSkipped() throws Exception {
    HttpResponse<String> started =
        post(
            "/api/v1/comparisons",
            "application/json",
            "{\"dataset\": \""
                + iris
                + "\", \"target\": \"species\", \"candidates\": [{\"family\":"
                + " \"logistic_regression\"}, {\"family\": \"mlp\"}, {\"family\": \"mlp\"}],"
                + " \"budget\": {\"maxJobs\": 1}}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);

    JsonNode c = await(JSON.readTree(started.body()).get("id").asString());

    assertThat(c.get("spent").get("jobs").asInt()).isEqualTo(1);
    assertThat(c.get("candidates").get(0).get("state").asString()).isEqualTo("succeeded");
    assertThat(c.get("candidates").get(1).get("state").asString()).isEqualTo("skipped");
    assertThat(c.get("candidates").get(2).get("state").asString()).isEqualTo("skipped");
    assertThat(c.get("skipped").size()).isEqualTo(2);
    assertThat(c.get("skipped").get(0).asString()).contains("#1 mlp").contains("maxJobs = 1");
    assertThat(c.get("recommendation").get("index").asInt()).isZero();
  }

  @Test
  void maxWallSecondsCancelsTheRunningJobAndSkipsTheRest() throws Exception {
    HttpResponse<String> started =
        post(
            "/api/v1/comparisons",
            "application/json",
            "{\"dataset\": \""
                + iris
                + "\", \"target\": \"species\", \"candidates\": [{\"family\": \"mlp\","
                + " \"training\": {\"epochs\": 100000, \"batchSize\": 1}},"
                + " {\"family\": \"logistic_regression\"}],"
                + " \"budget\": {\"maxWallSeconds\": 2}}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);

    JsonNode c = await(JSON.readTree(started.body()).get("id").asString());

    JsonNode first = c.get("candidates").get(0);
    assertThat(first.get("state").asString()).isEqualTo("cancelled");
    assertThat(first.get("error").asString()).contains("stopped by the budget");
    JsonNode job = json(get("/api/v1/training-jobs/" + first.get("jobId").asString()));
    assertThat(job.get("state").asString()).isEqualTo("cancelled");
    assertThat(c.get("candidates").get(1).get("state").asString()).isEqualTo("skipped");
    assertThat(c.get("skipped").get(0).asString()).contains("maxWallSeconds");
    assertThat(c.get("recommendation").isNull()).isTrue();
  }

  @Test
  void aBadRequestIsAProblemNamingEachField() throws Exception {
    HttpResponse<String> r =
        post(
            "/api/v1/comparisons",
            "application/json",
            "{\"dataset\": \""
                + iris
                + "\", \"target\": \"species\", \"testFraction\": 0, \"colour\": 1,"
                + " \"budget\": {\"maxJobs\": 0, \"maxCost\": -1}}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body())
        .contains("colour")
        .contains("testFraction")
        .contains("budget.maxJobs")
        .contains("budget.maxCost");
    HttpResponse<String> target =
        post(
            "/api/v1/comparisons",
            "application/json",
            "{\"dataset\": \"" + iris + "\", \"target\": \"colour\"}");
    assertThat(target.statusCode()).isEqualTo(400);
    assertThat(target.body()).contains("colour");
    assertThat(get("/api/v1/comparisons/cmp-nope").statusCode()).isEqualTo(404);
  }

  private JsonNode await(String id) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    JsonNode c;
    do {
      Thread.sleep(100);
      c = json(get("/api/v1/comparisons/" + id));
    } while (c.get("state").asString().equals("running") && System.nanoTime() < deadline);
    return c;
  }

  private JsonNode json(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
        BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String type, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .header("Content-Type", type)
            .POST(BodyPublishers.ofString(body))
            .build(),
        BodyHandlers.ofString());
  }
}

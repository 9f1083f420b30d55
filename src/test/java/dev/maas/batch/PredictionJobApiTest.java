package dev.maas.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.training.JobsClient;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
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
 * Prediction jobs through HTTP, with one worker, room for one waiting job and chunks of 40 rows, so
 * that iris (150 rows) is scored in four chunks, committed two at a time (80 rows, then the last
 * 70), and a test can hold a job between two of them.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PredictionJobApiTest {
  private static final Path STORAGE =
      Path.of("target", "test-data", "prediction-api-" + UUID.randomUUID());
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @LocalServerPort int port;
  @Autowired PredictionJobs jobs;

  private final HttpClient http = HttpClient.newHttpClient();
  private JobsClient training;
  private String iris;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry properties) {
    properties.add("maas.storage.path", STORAGE::toString);
    properties.add("maas.prediction-jobs.workers", () -> 1);
    properties.add("maas.prediction-jobs.queue-capacity", () -> 1);
    properties.add("maas.prediction-jobs.chunk-rows", () -> 40);
    properties.add("maas.prediction-jobs.commit-rows", () -> 80);
  }

  @BeforeAll
  void trainTwoVersions() throws Exception {
    training = new JobsClient("http://localhost:" + port);
    iris =
        training.uploadCsv(
            "iris", Files.readString(Path.of("src/test/resources/datasets/iris.csv")));
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> r =
          training.submit(
              "{\"model\": \"iris-scored\", \"family\": \"logistic_regression\", \"spec\": {},"
                  + " \"dataset\": \""
                  + iris
                  + "\", \"target\": \"species\""
                  + (i == 0 ? ", \"alias\": \"production\"" : "")
                  + "}",
              null);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
      training.awaitState(JobsClient.json(r).get("id").asString(), "succeeded");
    }
  }

  @AfterEach
  void noHook() {
    jobs.afterChunk(null);
  }

  @Test
  void scoresEveryRowWithPassThroughLabelsProbabilitiesAndLineage() throws Exception {
    HttpResponse<String> r =
        submit(
            "{\"model\": \"iris-scored\", \"version\": 1, \"dataset\": \""
                + iris
                + "\", \"passThrough\": [\"species\"], \"output\": \"both\"}",
            null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    String id = json(r).get("id").asString();
    assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/prediction-jobs/" + id);

    JsonNode job = await(id, "succeeded");
    assertThat(job.get("modelVersion").get("version").asInt()).isEqualTo(1);
    assertThat(job.get("progress").get("rowsDone").asLong()).isEqualTo(150);
    assertThat(job.get("progress").get("rows").asLong()).isEqualTo(150);
    String result = job.get("resultDataset").asString();

    JsonNode dataset = json(get("/api/v1/datasets/" + result));
    assertThat(dataset.get("rows").asLong()).isEqualTo(150);
    assertThat(dataset.get("columns").findValuesAsString("name"))
        .containsExactly(
            "species",
            "label",
            "probability_setosa",
            "probability_versicolor",
            "probability_virginica");
    JsonNode lineage = dataset.get("lineage");
    assertThat(lineage.get("predictionJob").asString()).isEqualTo(id);
    assertThat(lineage.get("model").asString()).isEqualTo("iris-scored");
    assertThat(lineage.get("version").asInt()).isEqualTo(1);
    assertThat(lineage.get("inputDataset").asString()).isEqualTo(iris);
    assertThat(lineage.get("inputSha256").asString())
        .isEqualTo(json(get("/api/v1/datasets/" + iris)).get("sha256").asString());

    JsonNode rows = json(get("/api/v1/datasets/" + result + "/rows?limit=150")).get("rows");
    assertThat(rows.size()).isEqualTo(150);
    int right = 0;
    for (JsonNode row : rows) {
      if (row.get(0).asString().equals(row.get(1).asString())) {
        right++;
      }
      double sum = row.get(2).asDouble() + row.get(3).asDouble() + row.get(4).asDouble();
      assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    }
    assertThat(right).isGreaterThan(130);

    // the result downloads like any dataset, the same values as the preview
    String csv = get("/api/v1/datasets/" + result + "/data").body();
    String[] lines = csv.split("\r\n");
    assertThat(lines).hasSize(151);
    assertThat(lines[0])
        .isEqualTo("species,label,probability_setosa,probability_versicolor,probability_virginica");
    for (int i = 0; i < 150; i++) {
      String[] cells = lines[i + 1].split(",");
      assertThat(cells[0]).isEqualTo(rows.get(i).get(0).asString());
      assertThat(cells[1]).isEqualTo(rows.get(i).get(1).asString());
      for (int c = 2; c < 5; c++) {
        assertThat(Double.parseDouble(cells[c])).isEqualTo(rows.get(i).get(c).asDouble());
      }
    }

    JsonNode page = json(get("/api/v1/prediction-jobs?state=succeeded&model=iris-scored&limit=50"));
    assertThat(page.get("jobs").findValuesAsString("id")).contains(id);
    assertThat(json(get("/api/v1/prediction-jobs?model=nothing")).get("total").asInt()).isZero();
    assertThat(get("/api/v1/prediction-jobs?state=sleeping").statusCode()).isEqualTo(400);
    assertThat(get("/api/v1/prediction-jobs/pjob-missing").statusCode()).isEqualTo(404);
    String events = get("/api/v1/prediction-jobs/" + id + "/events").body();
    assertThat(events).contains("event:job").contains("\"succeeded\"");

    // Metered: every state of the model from zero, the rows and the workers' CPU time.
    String scrape = get("/actuator/prometheus").body();
    assertThat(scrape)
        .containsPattern(
            "maas_prediction_jobs_total\\{model=\"iris-scored\",state=\"succeeded\"} [1-9]")
        .contains("maas_prediction_jobs_total{model=\"iris-scored\",state=\"cancelled\"}")
        .containsPattern(
            "maas_prediction_job_rows_total\\{model=\"iris-scored\",version=\"1\"} [1-9]")
        .contains("maas_prediction_job_cpu_seconds_total{model=\"iris-scored\",version=\"1\"}")
        .contains("maas_prediction_job_wall_seconds_total{model=\"iris-scored\",version=\"1\"}")
        .contains("maas_prediction_job_duration_seconds_count{model=\"iris-scored\"");
  }

  @Test
  void aModelWithPreprocessingScoresRawRowsWithTextAndGaps() throws Exception {
    // penguins as published: text columns (island, sex) and NA gaps, a row with every measure NA
    String penguins =
        training.uploadCsv(
            "penguins", Files.readString(Path.of("src/test/resources/datasets/penguins.csv")));
    HttpResponse<String> trained =
        training.submit(
            "{\"model\": \"penguins-scored\", \"family\": \"logistic_regression\","
                + " \"dataset\": \""
                + penguins
                + "\", \"target\": \"species\"}",
            null);
    assertThat(trained.statusCode()).as(trained.body()).isEqualTo(202);
    training.awaitState(JobsClient.json(trained).get("id").asString(), "succeeded");

    HttpResponse<String> r =
        submit(
            "{\"model\": \"penguins-scored\", \"dataset\": \""
                + penguins
                + "\", \"passThrough\": [\"species\", \"sex\", \"bill_length_mm\"],"
                + " \"output\": \"labels\"}",
            null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode job = await(json(r).get("id").asString(), "succeeded");
    assertThat(job.get("progress").get("rowsDone").asLong()).isEqualTo(344);

    String[] lines =
        get("/api/v1/datasets/" + job.get("resultDataset").asString() + "/data")
            .body()
            .split("\r\n");
    assertThat(lines).hasSize(345);
    assertThat(lines[0]).isEqualTo("species,sex,bill_length_mm,label");
    assertThat(lines[4]).as("a row with every measure missing").matches("Adelie,,,\\w+");
    int right = 0;
    for (int i = 1; i < lines.length; i++) {
      String[] cells = lines[i].split(",", -1);
      assertThat(cells[3]).isIn("Adelie", "Chinstrap", "Gentoo");
      if (cells[0].equals(cells[3])) {
        right++;
      }
    }
    assertThat(right).isGreaterThan(330);

    // the same result as JSON Lines: one object per row, the columns in order, null where missing
    HttpResponse<String> ndjson =
        http.send(
            HttpRequest.newBuilder(
                    uri("/api/v1/datasets/" + job.get("resultDataset").asString() + "/data"))
                .header("Accept", "application/x-ndjson")
                .build(),
            BodyHandlers.ofString());
    assertThat(ndjson.statusCode()).isEqualTo(200);
    assertThat(ndjson.headers().firstValue("Content-Type"))
        .hasValue("application/x-ndjson;charset=UTF-8");
    String[] objects = ndjson.body().split("\n");
    assertThat(objects).hasSize(344);
    for (int i = 0; i < objects.length; i++) {
      JsonNode row = JSON.readTree(objects[i]);
      assertThat(row.propertyNames()).containsExactly("species", "sex", "bill_length_mm", "label");
      String[] cells = lines[i + 1].split(",", -1);
      assertThat(row.get("species").asString()).isEqualTo(cells[0]);
      assertThat(row.get("label").asString()).isEqualTo(cells[3]);
      if (cells[2].isEmpty()) {
        assertThat(row.get("bill_length_mm").isNull()).as(objects[i]).isTrue();
      } else {
        assertThat(row.get("bill_length_mm").asDouble()).isEqualTo(Double.parseDouble(cells[2]));
      }
      if (cells[1].isEmpty()) {
        assertThat(row.get("sex").isNull()).as(objects[i]).isTrue();
      }
    }
    assertThat(JSON.readTree(objects[3]).get("bill_length_mm").isNull())
        .as("the row with every measure missing")
        .isTrue();
  }

  @Test
  void aQueuedJobWhoseVersionIsDeletedBeforeItRunsFailsNamingIt() throws Exception {
    HttpResponse<String> trained =
        training.submit(
            "{\"model\": \"iris-doomed\", \"family\": \"logistic_regression\", \"spec\": {},"
                + " \"dataset\": \""
                + iris
                + "\", \"target\": \"species\"}",
            null);
    assertThat(trained.statusCode()).as(trained.body()).isEqualTo(202);
    training.awaitState(JobsClient.json(trained).get("id").asString(), "succeeded");

    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    jobs.afterChunk(
        job -> {
          held.countDown();
          await(release);
        });
    String running =
        json(submit("{\"model\": \"iris-scored\", \"dataset\": \"" + iris + "\"}", null))
            .get("id")
            .asString();
    assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
    String doomed =
        json(submit(
                "{\"model\": \"iris-doomed\", \"version\": 1, \"dataset\": \"" + iris + "\"}",
                null))
            .get("id")
            .asString();
    JsonNode queued = json(get("/api/v1/prediction-jobs/" + doomed));
    assertThat(queued.get("state").asString()).isEqualTo("queued");
    assertThat(queued.get("startedAt").isNull()).isTrue();
    assertThat(
            http.send(
                    HttpRequest.newBuilder(uri("/api/v1/models/iris-doomed/versions/1"))
                        .DELETE()
                        .build(),
                    BodyHandlers.ofString())
                .statusCode())
        .isLessThan(300);
    release.countDown();

    assertThat(await(running, "succeeded").get("progress").get("rowsDone").asLong()).isEqualTo(150);
    JsonNode failed = await(doomed, "failed");
    assertThat(failed.get("error").asString()).contains("iris-doomed");
    assertThat(failed.get("resultDataset").isNull()).isTrue();
    assertThat(failed.get("finishedAt").isNull()).isFalse();
    assertThat(
            json(post("/api/v1/prediction-jobs/" + doomed + "/cancel", "")).get("state").asString())
        .as("a finished job stays as it ended")
        .isEqualTo("failed");
    assertThat(get("/actuator/prometheus").body())
        .contains("maas_prediction_jobs_total{model=\"iris-doomed\",state=\"failed\"} 1.0");
  }

  @Test
  void labelsOnlyAndTheIdempotencyKeyGivesTheSameJob() throws Exception {
    String body =
        "{\"model\": \"iris-scored\", \"alias\": \"production\", \"dataset\": \"" + iris + "\"}";
    String key = "score-" + UUID.randomUUID();
    String first = json(submit(body, key)).get("id").asString();
    String second = json(submit(body, key)).get("id").asString();
    assertThat(second).isEqualTo(first);
    JsonNode job = await(first, "succeeded");
    JsonNode dataset = json(get("/api/v1/datasets/" + job.get("resultDataset").asString()));
    assertThat(dataset.get("columns").findValuesAsString("name")).containsExactly("label");
  }

  @Test
  void aDatasetThatDoesNotFitIsOneProblemNamingItsColumns() throws Exception {
    String partial =
        training.uploadCsv(
            "partial", "sepal_length,petal_width,colour\n5.1,0.2,red\n4.9,0.2,blue\n");
    HttpResponse<String> r =
        submit(
            "{\"model\": \"iris-scored\", \"dataset\": \""
                + partial
                + "\", \"passThrough\": [\"shade\"], \"output\": \"all\", \"colour\": 1}",
            null);
    assertThat(r.statusCode()).isEqualTo(400);
    String problems = json(r).get("problems").toString();
    assertThat(problems)
        .contains("'sepal_width'", "'petal_length'")
        .contains("'shade'")
        .contains("'output'")
        .contains("'colour'");
    assertThat(json(submit("{\"model\": \"nope\", \"dataset\": \"ds-none\"}", null)).toString())
        .contains("nope")
        .contains("ds-none");
  }

  @Test
  void cancelMidJobStopsBeforeTheNextChunk() throws Exception {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    jobs.afterChunk(
        job -> {
          held.countDown();
          await(release);
        });
    String id =
        json(submit("{\"model\": \"iris-scored\", \"dataset\": \"" + iris + "\"}", null))
            .get("id")
            .asString();
    assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
    JsonNode running = json(get("/api/v1/prediction-jobs/" + id));
    assertThat(running.get("state").asString()).isEqualTo("running");
    assertThat(running.get("progress").get("rowsDone").asLong()).isEqualTo(40);
    assertThat(json(post("/api/v1/prediction-jobs/" + id + "/cancel", "")).get("id").asString())
        .isEqualTo(id);
    release.countDown();
    JsonNode job = await(id, "cancelled");
    assertThat(job.get("progress").get("rowsDone").asLong()).isEqualTo(40);
    assertThat(job.get("resultDataset").isNull()).isTrue();
  }

  @Test
  void theVersionIsResolvedOnceEvenWhenTheAliasMovesMidJobAndAFullQueueIsBusy() throws Exception {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    jobs.afterChunk(
        job -> {
          held.countDown();
          await(release);
        });
    String body =
        "{\"model\": \"iris-scored\", \"alias\": \"champion\", \"dataset\": \"" + iris + "\"}";
    assertThat(put("/api/v1/models/iris-scored/aliases/champion", "{\"version\": 1}"))
        .isLessThan(300);
    String id = json(submit(body, null)).get("id").asString();
    assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(put("/api/v1/models/iris-scored/aliases/champion", "{\"version\": 2}"))
        .isLessThan(300);
    String queued = json(submit(body, null)).get("id").asString();
    HttpResponse<String> busy = submit(body, null);
    assertThat(busy.statusCode()).isEqualTo(429);
    assertThat(busy.headers().firstValue("Retry-After")).isPresent();
    assertThat(
            json(post("/api/v1/prediction-jobs/" + queued + "/cancel", "")).get("state").asString())
        .isEqualTo("cancelled");
    release.countDown();
    JsonNode job = await(id, "succeeded");
    assertThat(job.get("modelVersion").get("version").asInt()).isEqualTo(1);
    JsonNode dataset = json(get("/api/v1/datasets/" + job.get("resultDataset").asString()));
    assertThat(dataset.get("lineage").get("version").asInt()).isEqualTo(1);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private JsonNode await(String id, String state) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode job;
    do {
      job = json(get("/api/v1/prediction-jobs/" + id));
      if (job.get("state").asString().equals(state)) {
        return job;
      }
      assertThat(job.get("state").asString()).as(job.toString()).isIn("queued", "running");
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("job " + id + " did not become " + state + ": " + job);
  }

  private HttpResponse<String> submit(String body, String key) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri("/api/v1/prediction-jobs"))
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(body));
    if (key != null) {
      b.header("Idempotency-Key", key);
    }
    return http.send(b.build(), BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).POST(BodyPublishers.ofString(body)).build(),
        BodyHandlers.ofString());
  }

  private int put(String path, String body) throws Exception {
    return http.send(
            HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .PUT(BodyPublishers.ofString(body))
                .build(),
            BodyHandlers.ofString())
        .statusCode();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).build(), BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://localhost:" + port + path);
  }

  private static JsonNode json(HttpResponse<String> r) {
    return JSON.readTree(r.body());
  }
}

package dev.maas.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.MaasApplication;
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
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * A server stopped while a prediction job scores iris, after some of its chunks are committed: the
 * next server over the same folder continues the job after its last committed chunk, and the result
 * holds every input row exactly once, in order, with the predictions an uninterrupted job gives. As
 * {@code JobRestartTest} does, the two servers run one after the other in this JVM.
 */
class PredictionJobRestartTest {
  private final Path storage =
      Path.of("target", "test-data", "prediction-restart-" + UUID.randomUUID());
  private final HttpClient http = HttpClient.newHttpClient();

  private ConfigurableApplicationContext start(int chunkRows, int commitRows) {
    return new SpringApplicationBuilder(MaasApplication.class)
        .properties(
            "server.port=0",
            "maas.storage.path=" + storage,
            "maas.prediction-jobs.workers=1",
            "maas.prediction-jobs.chunk-rows=" + chunkRows,
            "maas.prediction-jobs.commit-rows=" + commitRows)
        .run();
  }

  @Test
  void aJobStoppedMidwayContinuesAndScoresEveryRowOnce() throws Exception {
    restartMidJob(16, 1, 16);
  }

  @Test
  void aJobContinuesWhenTheChunkSizeChangedAcrossTheRestart() throws Exception {
    restartMidJob(16, 1, 25);
  }

  /**
   * Three chunks of 16 rows per commit: the server stops right after the first commit (48 rows),
   * and the next one, committing every chunk of 25, continues after it.
   */
  @Test
  void aJobThatCommitsSeveralChunksAtOnceContinuesAfterItsLastCommit() throws Exception {
    restartMidJob(16, 48, 25);
  }

  private void restartMidJob(int chunkBefore, int commitBefore, int chunkAfter) throws Exception {
    String job;
    String iris;
    try (ConfigurableApplicationContext first = start(chunkBefore, commitBefore)) {
      String base = base(first);
      JobsClient training = new JobsClient(base);
      iris =
          training.uploadCsv(
              "iris", Files.readString(Path.of("src/test/resources/datasets/iris.csv")));
      HttpResponse<String> trained =
          training.submit(
              "{\"model\": \"iris-restart\", \"family\": \"logistic_regression\", \"spec\": {},"
                  + " \"dataset\": \""
                  + iris
                  + "\", \"target\": \"species\"}",
              null);
      assertThat(trained.statusCode()).as(trained.body()).isEqualTo(202);
      training.awaitState(JobsClient.json(trained).get("id").asString(), "succeeded");

      CountDownLatch held = new CountDownLatch(1);
      CountDownLatch never = new CountDownLatch(1);
      first
          .getBean(PredictionJobs.class)
          .afterChunk(
              j -> {
                if (j.rowsDone() >= 3L * chunkBefore) {
                  held.countDown();
                  try {
                    never.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("stopped", e);
                  }
                }
              });
      job = submit(base, iris);
      assertThat(held.await(60, TimeUnit.SECONDS)).isTrue();
      assertThat(get(base, "/api/v1/prediction-jobs/" + job).get("state").asString())
          .isEqualTo("running");
    } // the server stops with three chunks committed and the job running

    try (ConfigurableApplicationContext second = start(chunkAfter, 1)) {
      String base = base(second);
      JsonNode done = await(base, job, "succeeded");
      assertThat(done.get("progress").get("rowsDone").asLong()).isEqualTo(150);
      assertThat(done.get("notes").toString())
          .contains("interrupted by a restart after " + 3 * chunkBefore + " rows");

      String[] input = download(base, iris);
      String[] result = download(base, done.get("resultDataset").asString());
      assertThat(result).hasSize(151);
      for (int r = 0; r <= 150; r++) {
        assertThat(result[r]).as("row " + r).startsWith(input[r] + ",");
      }

      String straight = submit(base, iris);
      String[] expected =
          download(base, await(base, straight, "succeeded").get("resultDataset").asString());
      assertThat(Arrays.asList(result)).isEqualTo(Arrays.asList(expected));
    }
  }

  private String submit(String base, String iris) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/prediction-jobs"))
                .header("Content-Type", "application/json")
                .POST(
                    BodyPublishers.ofString(
                        "{\"model\": \"iris-restart\", \"version\": 1, \"dataset\": \""
                            + iris
                            + "\", \"passThrough\": [\"sepal_length\", \"sepal_width\","
                            + " \"petal_length\", \"petal_width\", \"species\"],"
                            + " \"output\": \"both\"}"))
                .build(),
            BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return JobsClient.json(r).get("id").asString();
  }

  private String[] download(String base, String dataset) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/datasets/" + dataset + "/data"))
                .build(),
            BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body().split("\r\n");
  }

  private JsonNode get(String base, String path) throws Exception {
    return JobsClient.json(
        http.send(
            HttpRequest.newBuilder(URI.create(base + path)).build(), BodyHandlers.ofString()));
  }

  private JsonNode await(String base, String id, String state) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode job = get(base, "/api/v1/prediction-jobs/" + id);
    while (!job.get("state").asString().equals(state) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      job = get(base, "/api/v1/prediction-jobs/" + id);
    }
    assertThat(job.get("state").asString()).as(job.toString()).isEqualTo(state);
    return job;
  }

  private static String base(ConfigurableApplicationContext context) {
    return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
  }
}

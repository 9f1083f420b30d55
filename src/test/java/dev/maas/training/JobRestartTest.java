package dev.maas.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.MaasApplication;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * A server stopped while one job trains and another waits: the next server over the same folder
 * carries on with the interrupted job from its latest checkpoint, ending with the very model an
 * uninterrupted run trains, and runs the waiting one. A damaged newest checkpoint falls back to the
 * one before, and says so.
 */
class JobRestartTest {
  private static final String SPEC =
      "\"spec\": {\"hiddenLayers\": [{\"units\": 32}, {\"units\": 32, \"dropout\": 0.1}]},"
          + " \"training\": {\"epochs\": 200, \"batchSize\": 4, \"seed\": 7,"
          + " \"validationFraction\": 0.1}";

  private final Path storage = Path.of("target", "test-data", "restart-" + UUID.randomUUID());

  private ConfigurableApplicationContext start() {
    return new SpringApplicationBuilder(MaasApplication.class)
        .properties(
            "server.port=0",
            "maas.storage.path=" + storage,
            "maas.training.workers=1",
            "maas.training.queue-capacity=4",
            "maas.training.checkpoint-interval=100ms")
        .run();
  }

  @Test
  void aRestartResumesTheInterruptedJobToTheSameModelAndRunsTheQueuedOne() throws Exception {
    String running;
    String queued;
    String reference;
    try (ConfigurableApplicationContext first = start()) {
      JobsClient api = client(first);
      String iris = api.uploadCsv("iris", Files.readString(JobsClient.dataset("iris.csv")));
      reference = sha256(api, api.awaitState(submit(api, mlp("reference", iris)), "succeeded"));
      running = submit(api, mlp("resumed", iris));
      awaitCheckpoints(running, 2);
      queued =
          submit(
              api,
              "{\"model\": \"short\", \"family\": \"logistic_regression\", \"dataset\": \""
                  + iris
                  + "\", \"target\": \"species\"}");
      assertThat(api.job(queued).get("state").asString()).isEqualTo("queued");
      assertThat(api.job(running).get("state").asString()).isEqualTo("running");
    }
    List<Integer> stored = checkpoints(running);
    assertThat(stored).hasSize(2);
    try (ConfigurableApplicationContext second = start()) {
      JobsClient api = client(second);
      JsonNode resumed = api.awaitState(running, "succeeded");
      assertThat(sha256(api, resumed)).isEqualTo(reference);
      JsonNode attempts = resumed.get("attempts");
      assertThat(attempts).as(resumed.toString()).hasSize(2);
      // The first server was closed cleanly (as a rolling upgrade stops a pod): a shutdown, which
      // does not count towards maas.training.max-attempts as a process death ("restart") does.
      assertThat(attempts.get(0).get("endedBy").asString()).isEqualTo("shutdown");
      assertThat(attempts.get(0).get("resumedFromEpoch").isNull()).isTrue();
      assertThat(attempts.get(1).get("resumedFromEpoch").asInt()).isEqualTo(stored.get(0));
      assertThat(attempts.get(1).get("endedBy").isNull()).isTrue();
      assertThat(resumed.get("learningCurve")).hasSize(200);
      assertThat(resumed.get("notes")).isEmpty();
      assertThat(resumed.get("usage").get("epochs").asInt()).isEqualTo(200);
      // Usage adds up over the attempts: more than the second took.
      double secondAttempt =
          java.time.Duration.between(
                      java.time.Instant.parse(attempts.get(1).get("startedAt").asString()),
                      java.time.Instant.parse(resumed.get("finishedAt").asString()))
                  .toNanos()
              / 1e9;
      assertThat(resumed.get("usage").get("wallSeconds").asDouble()).isGreaterThan(secondAttempt);
      awaitNoCheckpoints(running);
      JsonNode ran = api.awaitState(queued, "succeeded");
      assertThat(ran.get("modelVersion").get("name").asString()).isEqualTo("short");
      assertThat(ran.get("attempts")).hasSize(1);
    }
    assertThat(Files.exists(storage.resolve("jobs").resolve(running))).isFalse();
  }

  @Test
  void aDamagedNewestCheckpointFallsBackToThePreviousOne() throws Exception {
    String running;
    String reference;
    try (ConfigurableApplicationContext first = start()) {
      JobsClient api = client(first);
      String iris = api.uploadCsv("iris", Files.readString(JobsClient.dataset("iris.csv")));
      reference = sha256(api, api.awaitState(submit(api, mlp("reference", iris)), "succeeded"));
      running = submit(api, mlp("resumed", iris));
      awaitCheckpoints(running, 2);
    }
    List<Integer> stored = checkpoints(running);
    Path newest =
        storage.resolve("jobs").resolve(running).resolve("epoch-" + stored.get(0) + ".ckpt");
    byte[] bytes = Files.readAllBytes(newest);
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(newest, bytes);
    try (ConfigurableApplicationContext second = start()) {
      JobsClient api = client(second);
      JsonNode resumed = api.awaitState(running, "succeeded");
      assertThat(sha256(api, resumed)).isEqualTo(reference);
      assertThat(resumed.get("attempts").get(1).get("resumedFromEpoch").asInt())
          .isEqualTo(stored.get(1));
      assertThat(resumed.get("notes"))
          .singleElement()
          .extracting(JsonNode::asString)
          .asString()
          .startsWith("the checkpoint after epoch " + stored.get(0) + " is damaged (")
          .endsWith(": falling back to the one after epoch " + stored.get(1));
      awaitNoCheckpoints(running);
    }
  }

  @Test
  void aCheckpointOfAnotherTrainingRunIsNotResumedFrom() throws Exception {
    String running;
    String reference;
    byte[] foreign;
    try (ConfigurableApplicationContext first = start()) {
      JobsClient api = client(first);
      String iris = api.uploadCsv("iris", Files.readString(JobsClient.dataset("iris.csv")));
      String other = submit(api, mlp("other", iris).replace("\"seed\": 7", "\"seed\": 8"));
      awaitCheckpoints(other, 1);
      foreign = Files.readAllBytes(file(other, checkpoints(other).get(0)));
      api.post("/api/v1/training-jobs/" + other + "/cancel", "application/json", "", null);
      api.awaitState(other, "cancelled");
      reference = sha256(api, api.awaitState(submit(api, mlp("reference", iris)), "succeeded"));
      running = submit(api, mlp("resumed", iris));
      awaitCheckpoints(running, 2);
    }
    List<Integer> stored = checkpoints(running);
    Path newest = file(running, stored.get(0));
    byte[] bytes = Files.readAllBytes(newest);
    Files.write(newest, java.util.Arrays.copyOf(bytes, bytes.length - 7));
    Files.write(file(running, stored.get(1)), foreign);
    try (ConfigurableApplicationContext second = start()) {
      JobsClient api = client(second);
      JsonNode resumed = api.awaitState(running, "succeeded");
      assertThat(sha256(api, resumed)).isEqualTo(reference);
      assertThat(resumed.get("attempts").get(1).get("resumedFromEpoch").isNull()).isTrue();
      assertThat(resumed.get("notes")).hasSize(2);
      assertThat(resumed.get("notes").get(0).asString())
          .startsWith("the checkpoint after epoch " + stored.get(0) + " is damaged (")
          .endsWith(": falling back to the one after epoch " + stored.get(1));
      assertThat(resumed.get("notes").get(1).asString())
          .startsWith(
              "the checkpoint after epoch "
                  + stored.get(1)
                  + " does not belong to this job's training run (")
          .endsWith(": training starts again from the beginning");
      assertThat(resumed.get("learningCurve")).hasSize(200);
      awaitNoCheckpoints(running);
    }
  }

  private Path file(String job, int epoch) {
    return storage.resolve("jobs").resolve(job).resolve("epoch-" + epoch + ".ckpt");
  }

  @Test
  void aCancelledJobStopsLeavesNoCheckpointAndIsNotResumed() throws Exception {
    String cancelled;
    try (ConfigurableApplicationContext first = start()) {
      JobsClient api = client(first);
      String iris = api.uploadCsv("iris", Files.readString(JobsClient.dataset("iris.csv")));
      cancelled = submit(api, mlp("cancelled", iris));
      awaitCheckpoints(cancelled, 1);
      HttpResponse<String> r =
          api.post("/api/v1/training-jobs/" + cancelled + "/cancel", "application/json", "", null);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode job = api.awaitState(cancelled, "cancelled");
      assertThat(job.get("progress").get("epoch").asInt()).isLessThan(200);
      awaitNoCheckpoints(cancelled);
    }
    assertThat(storage.resolve("jobs").resolve(cancelled)).doesNotExist();
    try (ConfigurableApplicationContext second = start()) {
      JsonNode job = client(second).job(cancelled);
      assertThat(job.get("state").asString()).isEqualTo("cancelled");
      assertThat(job.get("attempts")).hasSize(1);
    }
  }

  private static String mlp(String model, String dataset) {
    return "{\"model\": \""
        + model
        + "\", \"family\": \"mlp\", \"dataset\": \""
        + dataset
        + "\", \"target\": \"species\", "
        + SPEC
        + "}";
  }

  /** The SHA-256 of the model file the job registered. */
  /**
   * The SHA-256 of the job's model file as the model alone writes it: everything but the file's
   * provenance block, which names the job that trained it and so differs between two jobs.
   */
  private static String sha256(JobsClient api, JsonNode job) throws Exception {
    JsonNode ref = job.get("modelVersion");
    java.net.http.HttpResponse<byte[]> artifact =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        api.uri(
                            "/api/v1/models/"
                                + ref.get("name").asString()
                                + "/versions/"
                                + ref.get("version").asInt()
                                + "/artifact"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertThat(artifact.statusCode()).isEqualTo(200);
    try (dev.maas.compute.TrainedModel model = dev.maas.compute.ModelCodec.read(artifact.body())) {
      return dev.maas.storage.DurableFiles.sha256(dev.maas.compute.ModelCodec.toBytes(model));
    }
  }

  private void awaitCheckpoints(String job, int count) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (checkpoints(job).size() < count) {
      assertThat(System.nanoTime()).as("checkpoints of " + job).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  /**
   * Waits for a finished job's checkpoints to be removed: the runner removes them once the attempt
   * has ended, just after it published the job's final state, which a client may read first.
   */
  private void awaitNoCheckpoints(String job) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!checkpoints(job).isEmpty()) {
      assertThat(System.nanoTime()).as("checkpoints of " + job + " removed").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  /** The epochs of a job's checkpoint files, newest first. */
  private List<Integer> checkpoints(String job) throws IOException {
    Path folder = storage.resolve("jobs").resolve(job);
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.matches("epoch-\\d+\\.ckpt"))
          .map(n -> Integer.parseInt(n.replaceAll("\\D", "")))
          .sorted((a, b) -> b - a)
          .toList();
    }
  }

  private static JobsClient client(ConfigurableApplicationContext context) {
    return new JobsClient(
        "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"));
  }

  private static String submit(JobsClient api, String body) throws Exception {
    HttpResponse<String> r = api.submit(body, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return JobsClient.json(r).get("id").asString();
  }
}

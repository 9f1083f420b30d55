package dev.maas.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.storage.SharedStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The packaged jar in shared mode ({@code maas.store.type=shared}): two replicas on one real
 * PostgreSQL and one S3 API server (S3Proxy), each with its own empty working directory. The admin
 * key the first one generates works on the second; a dataset uploaded through one trains on the
 * other; a model registered through one predicts through the other; an alias moved through one is
 * served by the other within a second; and a replica started afresh on an empty directory serves it
 * all.
 */
class SharedStoreIT {
  private static final String IRIS_ROWS =
      "[[5.1, 3.5, 1.4, 0.2], [6.3, 3.3, 6.0, 2.5], [5.9, 3.0, 4.2, 1.5]]";

  private static PackagedServer replica(
      Path work, SharedStack stack, SharedStack.Target target, String... extra) throws Exception {
    int port = PackagedServer.freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(PackagedServer.jar().toString());
    command.add("--server.port=" + port);
    command.add("--maas.grpc.port=0"); // several servers on one machine: no fixed gRPC port
    command.addAll(stack.serverArguments(target));
    command.addAll(List.of(extra));
    return PackagedServer.start(
        command, work, stack.serverEnvironment(), port, Duration.ofSeconds(180));
  }

  @Test
  void twoReplicasShareKeysDataModelsAndAliases() throws Exception {
    SharedStack stack = SharedStack.get();
    SharedStack.Target target = stack.newTarget();
    Path root = Files.createDirectories(Path.of("target", "e2e", "shared-" + UUID.randomUUID()));
    String mlp =
        "{\"model\": \"iris-mlp\", \"family\": \"mlp\", \"dataset\": \"%s\", \"target\":"
            + " \"species\", \"spec\": {\"hiddenLayers\": [{\"units\": 8}]}, \"training\":"
            + " {\"epochs\": 20, \"batchSize\": 16, \"learningRate\": 0.02, \"seed\": %d}}";
    try (PackagedServer one = replica(root.resolve("one"), stack, target);
        PackagedServer two = replica(root.resolve("two"), stack, target)) {
      String key = one.generatedKey();
      assertThat(two.logText()).as("the second replica generates no key").doesNotContain(key);
      ApiClient a = new ApiClient(one.base(), key, one::logText);
      ApiClient b = new ApiClient(two.base(), key, two::logText);

      String iris = a.uploadCsv("iris", ApiClient.dataset("iris.csv"));
      assertThat(b.getJson("/api/v1/datasets/" + iris).get("rows").asInt()).isEqualTo(150);
      JsonNode first = b.train(mlp.formatted(iris, 7));
      assertThat(first.get("metrics").get("accuracy").asDouble()).isGreaterThan(0.7);
      awaitVersion(a, "iris-mlp", 1, Duration.ofSeconds(1));
      assertThat(version(predict(a, "iris-mlp"))).isEqualTo(1);

      a.put("/api/v1/models/iris-mlp/aliases/production", "{\"version\": 1}", 200);
      a.train(mlp.formatted(iris, 8));
      awaitVersion(b, "iris-mlp", 2, Duration.ofSeconds(1));
      assertThat(version(predictAlias(b, "production"))).isEqualTo(1);
      long start = System.nanoTime();
      a.put("/api/v1/models/iris-mlp/aliases/production", "{\"version\": 2}", 200);
      while (version(predictAlias(b, "production")) != 2) {
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .as("the alias move reaches the other replica within a second")
            .isLessThan(Duration.ofSeconds(1));
        Thread.sleep(10);
      }
      System.out.printf(
          "alias move seen through the other replica after %d ms%n",
          (System.nanoTime() - start) / 1_000_000);

      // A comparison started on one replica is seen, and seen to finish, from the other.
      String comparison =
          a.post(
                  "/api/v1/comparisons",
                  "{\"dataset\": \""
                      + iris
                      + "\", \"target\": \"species\", \"testFraction\": 0.3, \"model\":"
                      + " \"iris-shared-cmp\", \"candidates\": [{\"family\":"
                      + " \"logistic_regression\"}]}",
                  202)
              .get("id")
              .asString();
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      JsonNode seen = b.getJson("/api/v1/comparisons/" + comparison);
      while (!"finished".equals(seen.get("state").asString()) && System.nanoTime() < deadline) {
        Thread.sleep(100);
        seen = b.getJson("/api/v1/comparisons/" + comparison);
      }
      assertThat(seen.get("state").asString()).as(seen.toString()).isEqualTo("finished");
      assertThat(seen.get("recommendation").get("model").asString())
          .isEqualTo("iris-shared-cmp-0-logistic-regression");
      assertThat(b.getJson("/api/v1/comparisons").get("comparisons").get(0).get("id").asString())
          .isEqualTo(comparison);
    }
    // A third replica on an empty directory: everything is in the shared store.
    try (PackagedServer three = replica(root.resolve("three"), stack, target)) {
      assertThat(three.logText()).doesNotContainPattern("(?m)^\\s+maas_[A-Za-z0-9_-]{20,}\\s*$");
    }
  }

  /**
   * A node failure while a job trains: the replica running it is killed (SIGKILL), and the other
   * replica takes the job over once the dead one's lease expires, carries on from its latest
   * checkpoint in the bucket and finishes it; the job registers exactly one version.
   */
  @Test
  @Tag("slow")
  void aJobWhoseReplicaIsKilledIsFinishedByAnotherFromItsLatestCheckpoint() throws Exception {
    SharedStack stack = SharedStack.get();
    SharedStack.Target target = stack.newTarget();
    Path root = Files.createDirectories(Path.of("target", "e2e", "failover-" + UUID.randomUUID()));
    String[] fast = {"--maas.store.job-lease=2s", "--maas.training.checkpoint-interval=200ms"};
    try (PackagedServer one = replica(root.resolve("one"), stack, target, fast);
        PackagedServer two = replica(root.resolve("two"), stack, target, fast)) {
      String key = one.generatedKey();
      ApiClient a = new ApiClient(one.base(), key, one::logText);
      String iris = a.uploadCsv("iris", ApiClient.dataset("iris.csv"));
      String id =
          a.post(
                  "/api/v1/training-jobs",
                  "{\"model\": \"iris-long\", \"family\": \"mlp\", \"dataset\": \""
                      + iris
                      + "\", \"target\": \"species\", \"spec\": {\"hiddenLayers\": [{\"units\":"
                      + " 64}, {\"units\": 64}]}, \"training\": {\"epochs\": 300,"
                      + " \"batchSize\": 4, \"seed\": 11}}",
                  202)
              .get("id")
              .asString();
      // Either replica's worker may claim it (they claim from the database): kill the one that
      // runs it, and watch through the other.
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      String claimed = "training job " + id + ": claimed by this replica";
      while (!one.logText().contains(claimed) && !two.logText().contains(claimed)) {
        assertThat(System.nanoTime()).as("a replica claims the job").isLessThan(deadline);
        Thread.sleep(50);
      }
      PackagedServer holder = one.logText().contains(claimed) ? one : two;
      PackagedServer survivor = holder == one ? two : one;
      ApiClient b = new ApiClient(survivor.base(), key, survivor::logText);
      while (b.getJson("/api/v1/training-jobs/" + id).get("progress").get("epoch").asInt() < 10) {
        assertThat(System.nanoTime()).as("the job runs").isLessThan(deadline);
        Thread.sleep(50);
      }
      holder.kill();

      deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      JsonNode job;
      while (true) {
        var r = b.send(b.request("/api/v1/training-jobs/" + id).GET().build());
        job = r.statusCode() == 200 ? ApiClient.json(r.body()) : null;
        if (job != null && job.get("state").asString().equals("succeeded")) {
          break;
        }
        if (job != null) {
          assertThat(job.get("state").asString()).isIn("queued", "running");
        }
        assertThat(System.nanoTime())
            .as("the other replica finishes the job: %s\n%s", job, survivor.logText())
            .isLessThan(deadline);
        Thread.sleep(100);
      }
      JsonNode attempts = job.get("attempts");
      assertThat(attempts.size()).as("attempts: %s", attempts).isGreaterThanOrEqualTo(2);
      assertThat(attempts.get(0).get("endedBy").asString()).isEqualTo("restart");
      assertThat(attempts.get(attempts.size() - 1).get("resumedFromEpoch").asInt())
          .as("carried on from a checkpoint, not from the start")
          .isGreaterThan(0);
      assertThat(latest(b, "iris-long")).as("exactly one version").isEqualTo(1);
    }
  }

  private static void awaitVersion(ApiClient api, String model, int version, Duration within)
      throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (latest(api, model) != version) {
      assertThat(System.nanoTime())
          .as("version %d seen within %s", version, within)
          .isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private static int latest(ApiClient api, String model) throws Exception {
    var r = api.send(api.request("/api/v1/models/" + model).GET().build());
    return r.statusCode() == 404 ? 0 : ApiClient.json(r.body()).get("latestVersion").asInt();
  }

  private static String predict(ApiClient api, String model) throws Exception {
    return api.send(
        "/api/v1/models/" + model + "/predict",
        "POST",
        "application/json",
        "{\"instances\": " + IRIS_ROWS + "}",
        200);
  }

  private static String predictAlias(ApiClient api, String alias) throws Exception {
    return api.send(
        "/api/v1/models/iris-mlp/predict?alias=" + alias,
        "POST",
        "application/json",
        "{\"instances\": " + IRIS_ROWS + "}",
        200);
  }

  private static int version(String answer) {
    return ApiClient.json(answer).get("version").asInt();
  }
}

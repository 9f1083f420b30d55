package dev.maas.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.MaasApplication;
import dev.maas.storage.SharedStack;
import dev.maas.storage.SharedStore;
import dev.maas.training.JobsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Prediction jobs across three replicas in this JVM on one real PostgreSQL and one S3Proxy bucket:
 * a job whose holder stops renewing its lease is taken over by another replica, which continues
 * after the last committed chunk and writes the very bytes an uninterrupted job writes; a cancel
 * through a replica that does not run the job stops it; a replica that stops hands its job back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedPredictionJobClaimsTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<ConfigurableApplicationContext> replicas = new ArrayList<>();
  private SharedStack.Target target;
  private String iris;
  private String[] expected;

  @BeforeAll
  void start() throws Exception {
    target = SharedStack.get().newTarget();
    for (int i = 0; i < 3; i++) {
      replicas.add(replica(i));
    }
    JobsClient training = new JobsClient(base(replicas.get(0)));
    iris =
        training.uploadCsv(
            "iris", Files.readString(Path.of("src/test/resources/datasets/iris.csv")));
    HttpResponse<String> trained =
        training.submit(
            "{\"model\": \"iris-claims\", \"family\": \"logistic_regression\", \"spec\": {},"
                + " \"dataset\": \""
                + iris
                + "\", \"target\": \"species\"}",
            null);
    assertThat(trained.statusCode()).as(trained.body()).isEqualTo(202);
    training.awaitState(JobsClient.json(trained).get("id").asString(), "succeeded");
    String straight = submit(base(replicas.get(1)));
    expected =
        download(
            base(replicas.get(2)),
            await(base(replicas.get(0)), straight, "succeeded").get("resultDataset").asString());
  }

  private ConfigurableApplicationContext replica(int i) {
    SharedStack stack = SharedStack.get();
    return new SpringApplicationBuilder(MaasApplication.class)
        .properties(
            "server.port=0",
            "maas.storage.path="
                + Path.of("target", "test-data", "pclaims-" + UUID.randomUUID() + "-" + i),
            "maas.store.type=shared",
            "spring.datasource.url=" + target.url(),
            "spring.datasource.username=postgres",
            "maas.store.s3.endpoint=" + stack.s3Endpoint(),
            "maas.store.s3.bucket=" + target.bucket(),
            "maas.store.s3.path-style-access=true",
            "maas.store.job-lease=30s",
            "maas.prediction-jobs.workers=1",
            "maas.prediction-jobs.chunk-rows=16",
            "maas.prediction-jobs.commit-rows=16")
        .run();
  }

  @AfterAll
  void stop() {
    replicas.forEach(ConfigurableApplicationContext::close);
  }

  /** Holds the first job's worker, wherever it runs, after 48 committed rows, until released. */
  private CountDownLatch holdAfter48(CountDownLatch held) {
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean once = new AtomicBoolean();
    for (ConfigurableApplicationContext r : replicas) {
      r.getBean(PredictionJobs.class)
          .afterChunk(
              j -> {
                if (j.rowsDone() >= 48 && once.compareAndSet(false, true)) {
                  held.countDown();
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("stopped", e);
                  }
                }
              });
    }
    return release;
  }

  private ConfigurableApplicationContext holderOf(String job) {
    String holder = query("SELECT lease_holder FROM prediction_jobs WHERE id = '" + job + "'");
    return replicas.stream()
        .filter(r -> r.getBean(SharedStore.class).replica().equals(holder))
        .findFirst()
        .orElseThrow();
  }

  @Test
  @Order(1)
  void aJobWhoseHolderStopsRenewingIsTakenOverAndWritesTheSameBytes() throws Exception {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = holdAfter48(held);
    String job = submit(base(replicas.get(0)));
    assertThat(held.await(60, TimeUnit.SECONDS)).isTrue();
    ConfigurableApplicationContext dying = holderOf(job);
    // The holder stops renewing, as a replica that died does: its lease is another's and expired.
    update(
        "UPDATE prediction_jobs SET lease_holder = 'a-replica-that-died', lease_until = now()"
            + " WHERE id = '"
            + job
            + "'");
    ConfigurableApplicationContext other =
        replicas.stream().filter(r -> r != dying).findFirst().orElseThrow();
    JsonNode done = await(base(other), job, "succeeded");
    assertThat(done.get("progress").get("rowsDone").asLong()).isEqualTo(150);
    assertThat(done.get("notes").toString())
        .contains("its replica stopped after 48 committed rows");
    assertThat(download(base(dying), done.get("resultDataset").asString()))
        .as("every row once, as an uninterrupted job scores it")
        .containsExactly(expected);
    release.countDown();
  }

  @Test
  @Order(2)
  void aCancelThroughAnotherReplicaStopsTheJob() throws Exception {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = holdAfter48(held);
    String job = submit(base(replicas.get(0)));
    assertThat(held.await(60, TimeUnit.SECONDS)).isTrue();
    ConfigurableApplicationContext holder = holderOf(job);
    ConfigurableApplicationContext other =
        replicas.stream().filter(r -> r != holder).findFirst().orElseThrow();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(base(other) + "/api/v1/prediction-jobs/" + job + "/cancel"))
                .POST(BodyPublishers.noBody())
                .build(),
            BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    PredictionJobs holding = holder.getBean(PredictionJobs.class);
    while (!holding.get(job).cancelRequested() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(holding.get(job).cancelRequested())
        .as("the holder heard of the cancel (notification)")
        .isTrue();
    release.countDown();
    await(base(other), job, "cancelled");
  }

  @Test
  @Order(3)
  void aReplicaThatStopsHandsItsJobBackAndAnotherFinishesItWithTheSameBytes() throws Exception {
    CountDownLatch held = new CountDownLatch(1);
    holdAfter48(held);
    String job = submit(base(replicas.get(0)));
    assertThat(held.await(60, TimeUnit.SECONDS)).isTrue();
    ConfigurableApplicationContext stopping = holderOf(job);
    replicas.remove(stopping);
    long stopped = System.nanoTime();
    stopping.close();
    JsonNode done = await(base(replicas.get(0)), job, "succeeded");
    long tookMs = (System.nanoTime() - stopped) / 1_000_000;
    assertThat(tookMs).as("claimed at once, not after the 30 s lease").isLessThan(20_000);
    assertThat(download(base(replicas.get(1)), done.get("resultDataset").asString()))
        .containsExactly(expected);
  }

  private String query(String sql) {
    try (Connection c = DriverManager.getConnection(target.url(), "postgres", "");
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getString(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private void update(String sql) {
    try (Connection c = DriverManager.getConnection(target.url(), "postgres", "");
        Statement s = c.createStatement()) {
      assertThat(s.executeUpdate(sql)).isEqualTo(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private String submit(String base) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/prediction-jobs"))
                .header("Content-Type", "application/json")
                .POST(
                    BodyPublishers.ofString(
                        "{\"model\": \"iris-claims\", \"version\": 1, \"dataset\": \""
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

package dev.maas.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maas.MaasApplication;
import dev.maas.errors.BusyException;
import dev.maas.storage.SharedStack;
import dev.maas.storage.SharedStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
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
import tools.jackson.databind.json.JsonMapper;

/**
 * Training jobs across three replicas in this JVM on one real PostgreSQL and one S3Proxy bucket
 * (shared mode): every replica's workers claim jobs from the database, so a job accepted by one
 * runs on whichever is idle, exactly once; per-key caps and the queue limit hold for the cluster;
 * any replica reads and cancels any job; a replica that stops hands its running job back, and
 * another carries it on at once (long before the lease would expire).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedJobClaimsTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** A job that trains for minutes unless cancelled: checkpoints every 200 ms. */
  private static String slow(String model, String iris) {
    return "{\"model\": \""
        + model
        + "\", \"family\": \"mlp\", \"dataset\": \""
        + iris
        + "\", \"target\": \"species\", \"spec\": {\"hiddenLayers\": [{\"units\": 64}]},"
        + " \"training\": {\"epochs\": 100000, \"batchSize\": 1, \"seed\": 3}}";
  }

  private static String quick(String model, String iris) {
    return "{\"model\": \""
        + model
        + "\", \"family\": \"logistic_regression\", \"spec\": {}, \"dataset\": \""
        + iris
        + "\", \"target\": \"species\"}";
  }

  private final List<ConfigurableApplicationContext> replicas = new ArrayList<>();
  private SharedStack.Target target;
  private String iris;

  @BeforeAll
  void start() throws Exception {
    target = SharedStack.get().newTarget();
    for (int i = 0; i < 3; i++) {
      replicas.add(replica(i));
    }
    iris =
        new JobsClient(base(replicas.get(0)))
            .uploadCsv("iris", Files.readString(JobsClient.dataset("iris.csv")));
  }

  private ConfigurableApplicationContext replica(int i) {
    SharedStack stack = SharedStack.get();
    return new SpringApplicationBuilder(MaasApplication.class)
        .properties(
            "server.port=0",
            "maas.storage.path="
                + Path.of("target", "test-data", "claims-" + UUID.randomUUID() + "-" + i),
            "maas.store.type=shared",
            "spring.datasource.url=" + target.url(),
            "spring.datasource.username=postgres",
            "maas.store.s3.endpoint=" + stack.s3Endpoint(),
            "maas.store.s3.bucket=" + target.bucket(),
            "maas.store.s3.path-style-access=true",
            // A lease far longer than any wait below: a job moves only by claims and hand-back.
            "maas.store.job-lease=60s",
            "maas.store.poll-interval=5s",
            "maas.training.workers=2",
            "maas.training.queue-capacity=2",
            "maas.training.max-jobs-per-key=2",
            "maas.training.checkpoint-interval=200ms")
        .run();
  }

  @AfterAll
  void stop() {
    replicas.forEach(ConfigurableApplicationContext::close);
  }

  private static String base(ConfigurableApplicationContext c) {
    return "http://localhost:" + c.getEnvironment().getProperty("local.server.port");
  }

  private static TrainingJobs jobs(ConfigurableApplicationContext c) {
    return c.getBean(TrainingJobs.class);
  }

  private static String replicaId(ConfigurableApplicationContext c) {
    return c.getBean(SharedStore.class).replica();
  }

  private String holder(String job) {
    return query("SELECT lease_holder FROM training_jobs WHERE id = '" + job + "'");
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

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting: " + what);
      }
      Thread.sleep(20);
    }
  }

  private static JsonNode body(String json) {
    return JSON.readTree(json);
  }

  @Test
  @Order(1)
  void jobsAcceptedByOneReplicaRunOnEveryReplicaEachExactlyOnce() throws Exception {
    // Ten jobs through replica 0 only (its queue limit is the cluster's: two waiting at most, so
    // submit as the workers free up); the six workers of the three replicas claim them.
    TrainingJobs first = jobs(replicas.get(0));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      while (true) {
        try {
          ids.add(first.submit(body(quick("claims", iris)), null, null).id());
          break;
        } catch (BusyException full) {
          Thread.sleep(50);
        }
      }
    }
    Set<Integer> versions = new HashSet<>();
    for (String id : ids) {
      await(id + " ends", () -> first.get(id).state().finished());
      JobView view = first.get(id).view();
      assertThat(view.state()).as(view.toString()).isEqualTo(JobState.SUCCEEDED);
      assertThat(view.attempts()).as("started once").hasSize(1);
      versions.add(view.modelVersion().version());
    }
    assertThat(versions).as("one version per job").hasSize(10);
    var model = replicas.get(2).getBean(dev.maas.registry.ModelRegistry.class).versions("claims");
    assertThat(model).as("no job registered twice").hasSize(10);
    double elsewhere = 0;
    for (ConfigurableApplicationContext r : replicas.subList(1, 3)) {
      for (var counter :
          r.getBean(io.micrometer.core.instrument.MeterRegistry.class)
              .find(TrainingMetrics.JOBS)
              .tag("state", "succeeded")
              .counters()) {
        elsewhere += counter.count();
      }
    }
    assertThat(elsewhere).as("jobs accepted by replica 0 ran on the idle replicas").isPositive();
    // Every replica lists the cluster's jobs.
    assertThat(jobs(replicas.get(1)).list(JobState.SUCCEEDED, "claims")).hasSize(10);
  }

  @Test
  @Order(2)
  void aKeysCapAndTheQueueLimitHoldAcrossReplicasAndAnyReplicaCancels() throws Exception {
    TrainingJob a = jobs(replicas.get(0)).submit(body(slow("capped", iris)), null, "alice");
    TrainingJob b = jobs(replicas.get(1)).submit(body(slow("capped", iris)), null, "alice");
    assertThatThrownBy(
            () -> jobs(replicas.get(2)).submit(body(slow("capped", iris)), null, "alice"))
        .isInstanceOf(BusyException.class)
        .hasMessage(
            "API key 'alice' already has 2 training jobs queued or running"
                + " (maas.training.max-jobs-per-key); try again when one has finished");
    await("both run", () -> holder(a.id()) != null && holder(b.id()) != null);

    // Cancel one through a replica that does not run it: it stops promptly.
    String heldBy = holder(a.id());
    ConfigurableApplicationContext other =
        replicas.stream().filter(r -> !replicaId(r).equals(heldBy)).findFirst().orElseThrow();
    long asked = System.nanoTime();
    jobs(other).cancel(a.id());
    await("cancelled", () -> jobs(other).get(a.id()).state() == JobState.CANCELLED);
    long tookMs = (System.nanoTime() - asked) / 1_000_000;
    assertThat(tookMs).as("well before a lease renewal would carry it").isLessThan(15_000);
    TrainingJob c = jobs(replicas.get(2)).submit(body(slow("capped", iris)), null, "alice");

    // The queue: six workers, two running alice's jobs; four more fill them, two wait, the next is
    // refused whichever replica it comes through.
    // Each of the four is awaited to its claim before the next: a claim takes a moment, and a job
    // not yet claimed counts as waiting.
    await("c claimed", () -> holder(c.id()) != null);
    List<String> more = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String id = jobs(replicas.get(i % 3)).submit(body(slow("queued", iris)), null, null).id();
      more.add(id);
      if (i < 4) {
        await(id + " claimed", () -> holder(id) != null);
      }
    }
    assertThatThrownBy(() -> jobs(replicas.get(1)).submit(body(slow("queued", iris)), null, null))
        .isInstanceOf(BusyException.class)
        .hasMessage("the training queue is full (2 jobs waiting); try again later");
    more.add(b.id());
    more.add(c.id());
    for (String id : more) {
      jobs(replicas.get(0)).cancel(id);
    }
    for (String id : more) {
      await(id + " cancelled", () -> jobs(replicas.get(2)).get(id).state() == JobState.CANCELLED);
    }
  }

  @Test
  @Order(3)
  void aReplicaThatStopsHandsItsJobBackAndAnotherCarriesItOnAtOnce() throws Exception {
    String id = jobs(replicas.get(0)).submit(body(slow("handed", iris)), null, null).id();
    await(
        "a checkpoint",
        () -> !query("SELECT count(*) FROM checkpoints WHERE job_id = '" + id + "'").equals("0"));
    String heldBy = holder(id);
    ConfigurableApplicationContext running =
        replicas.stream().filter(r -> replicaId(r).equals(heldBy)).findFirst().orElseThrow();
    replicas.remove(running);
    long stopped = System.nanoTime();
    running.close();
    await(
        "another replica runs it",
        () -> {
          String now = holder(id);
          return now != null && !now.equals(heldBy);
        });
    long tookMs = (System.nanoTime() - stopped) / 1_000_000;
    assertThat(tookMs).as("claimed long before the 60 s lease expires").isLessThan(20_000);
    TrainingJobs rest = jobs(replicas.get(0));
    await(
        "it trains again",
        () -> {
          JobView now = rest.get(id).view();
          return now.attempts().size() == 2 && now.attempts().get(1).resumedFromEpoch() != null;
        });
    JobView view = rest.get(id).view();
    assertThat(view.attempts().get(0).endedBy()).isEqualTo(JobView.ENDED_BY_SHUTDOWN);
    assertThat(view.attempts().get(1).resumedFromEpoch())
        .as("carried on from its checkpoint")
        .isNotNull()
        .isPositive();
    rest.cancel(id);
    await("cancelled", () -> rest.get(id).state() == JobState.CANCELLED);
  }
}

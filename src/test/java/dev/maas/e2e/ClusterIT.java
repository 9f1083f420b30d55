package dev.maas.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.storage.SharedStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Three packaged jars in shared mode on one real PostgreSQL and one S3 API server (S3Proxy), each
 * in its own empty directory, behind a real load balancer (HAProxy, {@link Haproxy}) that sends
 * requests only to replicas whose readiness probe passes, as a Kubernetes Service does. Clients
 * predict through the balancer the whole time and count every failed request. Through it all:
 *
 * <ul>
 *   <li>30 registrations of one model at once, ten through each replica: versions 1..30, none
 *       missing or twice;
 *   <li>30 training jobs submitted through the balancer: each succeeds exactly once (one attempt,
 *       one version);
 *   <li>an alias moved through one replica: each replica, asked directly, serves the new version
 *       within a second, and no client request fails;
 *   <li>the replica running a job is killed (SIGKILL): another finishes the job, and its model
 *       predicts to the last bit what an uninterrupted run with the same seed predicts;
 *   <li>a rolling restart of the three, one at a time, as Kubernetes does it (the replica's
 *       endpoint removed, then SIGTERM and Spring's graceful shutdown, a new process on the same
 *       port, back in once ready): no client request fails and the job the first one ran is
 *       finished by another.
 * </ul>
 */
@Tag("long")
class ClusterIT {
  private static final String ROWS =
      "{\"instances\": [[5.1, 3.5, 1.4, 0.2], [6.3, 3.3, 6.0, 2.5], [5.9, 3.0, 4.2, 1.5]]}";
  private static final int REPLICAS = 3;
  private static final int CLIENTS = 4;

  private final SharedStack stack = SharedStack.get();
  private final SharedStack.Target target = stack.newTarget();
  private final Path root =
      Path.of("target", "e2e", "cluster-" + UUID.randomUUID()).toAbsolutePath();
  private final int[] ports = new int[REPLICAS + 1];
  private final PackagedServer[] servers = new PackagedServer[REPLICAS + 1];
  private final long started = System.nanoTime();
  private String key;

  @Test
  void threeReplicasBehindALoadBalancer() throws Exception {
    Haproxy.require();
    for (int n = 1; n <= REPLICAS; n++) {
      ports[n] = PackagedServer.freePort();
    }
    try {
      servers[1] = replica(1);
      // The first replica generated the admin key; the other two start side by side.
      ExecutorService starts = Executors.newFixedThreadPool(2);
      Future<PackagedServer> two = starts.submit(() -> replica(2));
      Future<PackagedServer> three = starts.submit(() -> replica(3));
      servers[2] = two.get();
      servers[3] = three.get();
      starts.shutdown();
      say("three replicas ready");
      try (Haproxy lb =
          Haproxy.start(root.resolve("haproxy"), List.of(ports[1], ports[2], ports[3]))) {
        run(lb, servers[1].generatedKey());
      }
    } finally {
      for (int n = 1; n <= REPLICAS; n++) {
        if (servers[n] != null) {
          servers[n].close();
        }
      }
    }
  }

  private void run(Haproxy lb, String key) throws Exception {
    ApiClient api = new ApiClient(lb.base(), key, this::logs);
    this.key = key;
    String iris = api.uploadCsv("iris", ApiClient.dataset("iris.csv"));
    awaitJob(api, submit(api, mlp("serve", iris, 20, 16, 1)), Duration.ofMinutes(5));
    awaitJob(api, submit(api, mlp("serve", iris, 20, 16, 2)), Duration.ofMinutes(5));
    api.put("/api/v1/models/serve/aliases/production", "{\"version\": 1}", 200);
    for (int n = 1; n <= REPLICAS; n++) {
      awaitAlias(direct(n, key), 1, Duration.ofSeconds(5));
    }
    say("model serve v1 and v2 trained, production -> 1 on every replica");

    try (Load load = new Load(lb.base(), lb.tcpBase(), key)) {
      load.awaitRequests(50);

      Load.Mark phase = load.mark();
      registrations(key);
      load.assertNoFailureSince(phase, "registrations");

      phase = load.mark();
      aliasMove(key, load);
      load.assertNoFailureSince(phase, "the alias move");

      phase = load.mark();
      thirtyJobs(api, iris);
      load.assertNoFailureSince(phase, "30 jobs");

      phase = load.mark();
      killTheReplicaRunningAJob(lb, api, key, iris);
      say(
          "clients' failed requests while a replica was killed (not a target: its in-flight"
              + " requests die with it): %d",
          load.failuresSince(phase));

      phase = load.mark();
      rollingRestart(lb, api, key, iris, load);
      load.assertNoFailureSince(phase, "the rolling restart");
      say("client requests in all: %d, failed: %d", load.ok.get(), load.failed.get());
    }
  }

  /** 3×10 registrations of one model at once, ten through each replica: versions 1..30. */
  private void registrations(String key) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    byte[] artifact =
        http.send(
                direct(1, key).request("/api/v1/models/serve/versions/1/artifact").GET().build(),
                BodyHandlers.ofByteArray())
            .body();
    assertThat(artifact.length).isPositive();
    ExecutorService pool = Executors.newFixedThreadPool(REPLICAS * 10);
    List<Future<Integer>> versions = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < REPLICAS * 10; i++) {
      int n = i % REPLICAS + 1;
      versions.add(
          pool.submit(
              () -> {
                HttpResponse<String> r =
                    http.send(
                        direct(n, key)
                            .request("/api/v1/models/registered/versions")
                            .header("Content-Type", "application/octet-stream")
                            .POST(BodyPublishers.ofByteArray(artifact))
                            .build(),
                        BodyHandlers.ofString());
                assertThat(r.statusCode())
                    .as("registration through %d: %s", n, r.body())
                    .isEqualTo(201);
                return ApiClient.json(r.body()).get("version").asInt();
              }));
    }
    Set<Integer> numbers = new TreeSet<>();
    for (Future<Integer> v : versions) {
      assertThat(numbers.add(v.get())).as("version %d given twice", v.get()).isTrue();
    }
    pool.shutdown();
    Set<Integer> expected = new TreeSet<>();
    for (int v = 1; v <= REPLICAS * 10; v++) {
      expected.add(v);
    }
    assertThat(numbers).as("the versions the 30 registrations got").isEqualTo(expected);
    for (int n = 1; n <= REPLICAS; n++) {
      Set<Integer> listed = new TreeSet<>();
      direct(n, key)
          .getJson("/api/v1/models/registered/versions")
          .get("versions")
          .forEach(v -> listed.add(v.get("version").asInt()));
      assertThat(listed).as("the versions replica %d lists", n).isEqualTo(expected);
    }
    say("30 registrations at once: versions 1..30 in %d ms", millisSince(start));
  }

  /** production 1 -> 2 through replica 1; each replica, asked directly, serves 2 within 1 s. */
  private void aliasMove(String key, Load load) throws Exception {
    long start = System.nanoTime();
    direct(1, key).put("/api/v1/models/serve/aliases/production", "{\"version\": 2}", 200);
    long moved = System.nanoTime();
    say("the move through replica 1 answered after %d ms", millisSince(start));
    for (int n = 1; n <= REPLICAS; n++) {
      awaitAlias(direct(n, key), 2, Duration.ofSeconds(1).minusNanos(System.nanoTime() - moved));
      say("replica %d serves production = 2, %d ms after the move answered", n, millisSince(moved));
    }
    Load.Mark after = load.mark();
    load.awaitRequests(after.requests() + 20);
    assertThat(load.versionsSince(after)).as("versions served after the move").containsOnly(2);
  }

  /** 30 training jobs through the balancer: each succeeds exactly once. */
  private void thirtyJobs(ApiClient api, String iris) throws Exception {
    long start = System.nanoTime();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      ids.add(
          api.post(
                  "/api/v1/training-jobs",
                  ("{\"model\": \"job-%d\", \"family\": \"logistic_regression\", \"dataset\":"
                          + " \"%s\", \"target\": \"species\"}")
                      .formatted(i, iris),
                  202)
              .get("id")
              .asString());
    }
    for (int i = 0; i < ids.size(); i++) {
      JsonNode job = awaitJob(api, ids.get(i), Duration.ofMinutes(5));
      assertThat(job.get("attempts").size()).as("one attempt: %s", job).isEqualTo(1);
      assertThat(job.get("modelVersion").get("version").asInt()).isEqualTo(1);
      assertThat(api.getJson("/api/v1/models/job-" + i + "/versions").get("versions").size())
          .as("job-%d has one version", i)
          .isEqualTo(1);
    }
    say("30 jobs, each run once, in %d ms", millisSince(start));
  }

  /**
   * A job runs; its replica is killed (SIGKILL); another replica finishes it, and its model
   * predicts exactly what the model of an uninterrupted run with the same seed predicts.
   */
  private void killTheReplicaRunningAJob(Haproxy lb, ApiClient api, String key, String iris)
      throws Exception {
    long start = System.nanoTime();
    // Long enough that it writes a checkpoint (every 200 ms here) well before its end: heap-trained
    // epochs of iris take about a millisecond.
    String id = submit(api, mlp("killed", iris, 2000, 4, 11));
    int victim = runningOn(id, api, 5);
    awaitCheckpoint(id);
    say("job %s runs on replica %d and wrote a checkpoint; SIGKILL", id, victim);
    servers[victim].kill();
    // The uninterrupted run, on a replica that is alive, while the others take the job over.
    String reference =
        direct(victim % REPLICAS + 1, key)
            .post("/api/v1/training-jobs", mlp("uninterrupted", iris, 2000, 4, 11), 202)
            .get("id")
            .asString();
    JsonNode job = awaitJob(api, id, Duration.ofMinutes(5));
    JsonNode attempts = job.get("attempts");
    assertThat(attempts.size()).as("attempts: %s", attempts).isGreaterThanOrEqualTo(2);
    assertThat(attempts.get(attempts.size() - 1).get("resumedFromEpoch").asInt())
        .as("carried on from a checkpoint")
        .isPositive();
    assertThat(api.getJson("/api/v1/models/killed/versions").get("versions").size()).isEqualTo(1);
    say("another replica finished job %s in %d ms: %s", id, millisSince(start), attempts);
    awaitJob(api, reference, Duration.ofMinutes(5));
    for (int n = 1; n <= REPLICAS; n++) {
      if (n != victim) {
        ApiClient a = direct(n, key);
        assertThat(predictions(a, "killed"))
            .as("the taken-over model predicts to the last bit as the uninterrupted one")
            .isEqualTo(predictions(a, "uninterrupted"));
      }
    }
    servers[victim] = replica(victim);
    lb.awaitStatus(victim, "UP", Duration.ofSeconds(30));
    say("replica %d started again and back in the balancer", victim);
  }

  /**
   * Each replica in turn: out of the balancer, SIGTERM, started again on the same port, back in
   * once ready; a job running on the first is finished by another.
   */
  private void rollingRestart(Haproxy lb, ApiClient api, String key, String iris, Load load)
      throws Exception {
    String id =
        api.post("/api/v1/training-jobs", mlp("rolled", iris, 3000, 4, 5), 202)
            .get("id")
            .asString();
    int first = runningOn(id, api, 2);
    long start = System.nanoTime();
    for (int k = 0; k < REPLICAS; k++) {
      int n = (first - 1 + k) % REPLICAS + 1;
      long step = System.nanoTime();
      lb.drain(n);
      lb.awaitStatus(n, "DRAIN", Duration.ofSeconds(5));
      // Kubernetes removes the endpoint and sends SIGTERM at once; the chart's preStop sleep is
      // what gives the endpoint's removal time to reach every proxy before the server stops.
      Thread.sleep(500);
      int exit = servers[n].stop();
      long stopped = millisSince(step);
      servers[n] = replica(n);
      long ready = millisSince(step);
      lb.ready(n);
      lb.awaitStatus(n, "UP", Duration.ofSeconds(30));
      say(
          "rolling restart of replica %d (exit %d): stopped after %d ms, ready after %d ms, in"
              + " the balancer after %d ms; client failures so far %d",
          n, exit, stopped, ready, millisSince(step), load.failed.get());
    }
    say("rolling restart of all three in %d ms", millisSince(start));
    JsonNode job = awaitJob(api, id, Duration.ofMinutes(5));
    assertThat(api.getJson("/api/v1/models/rolled/versions").get("versions").size())
        .as("the job stopped with its replica is finished once: %s", job)
        .isEqualTo(1);
    say("job %s finished after the restarts: %s", id, job.get("attempts"));
  }

  /** Waits until job {@code id} has a checkpoint in the shared store. */
  private void awaitCheckpoint(String id) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    try (Connection c = DriverManager.getConnection(target.url(), "postgres", "");
        PreparedStatement s =
            c.prepareStatement("SELECT count(*) FROM checkpoints WHERE job_id = ?")) {
      s.setString(1, id);
      while (true) {
        try (ResultSet r = s.executeQuery()) {
          r.next();
          if (r.getInt(1) > 0) {
            return;
          }
        }
        assertThat(System.nanoTime()).as("job %s writes a checkpoint", id).isLessThan(deadline);
        Thread.sleep(20);
      }
    }
  }

  /** Waits until job {@code id} has finished {@code epochs} epochs; the replica that runs it. */
  private int runningOn(String id, ApiClient api, int epochs) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (job(api, id).get("progress").get("epoch").asInt() < epochs) {
      assertThat(System.nanoTime()).as("job %s runs", id).isLessThan(deadline);
      Thread.sleep(50);
    }
    String holder;
    try (Connection c = DriverManager.getConnection(target.url(), "postgres", "");
        PreparedStatement s =
            c.prepareStatement("SELECT lease_holder FROM training_jobs WHERE id = ?")) {
      s.setString(1, id);
      try (ResultSet r = s.executeQuery()) {
        assertThat(r.next()).isTrue();
        holder = r.getString(1);
      }
    }
    for (int n = 1; n <= REPLICAS; n++) {
      // Each replica logs its id at start; a restarted one logs its new id after the old one.
      String log = servers[n].logText();
      int at = log.lastIndexOf("this replica's id is ");
      if (at >= 0 && log.startsWith(holder, at + "this replica's id is ".length())) {
        return n;
      }
    }
    throw new AssertionError("no replica logged the id " + holder + "\n" + logs());
  }

  private JsonNode awaitJob(ApiClient api, String id, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      JsonNode job = job(api, id);
      String state = job.get("state").asString();
      if (state.equals("succeeded")) {
        return job;
      }
      assertThat(state).as("job %s: %s", id, job).isIn("queued", "running");
      assertThat(System.nanoTime()).as("job %s finishes: %s", id, job).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static String submit(ApiClient api, String request) throws Exception {
    return api.post("/api/v1/training-jobs", request, 202).get("id").asString();
  }

  /** Job {@code id} through the balancer: every replica reads every job from the database. */
  private JsonNode job(ApiClient api, String id) throws Exception {
    String path = "/api/v1/training-jobs/" + id;
    HttpResponse<String> r = api.send(api.request(path).GET().build());
    assertThat(r.statusCode()).as("GET %s through the balancer: %s", path, r.body()).isEqualTo(200);
    return ApiClient.json(r.body());
  }

  private static JsonNode predictions(ApiClient api, String model) throws Exception {
    return ApiClient.json(
            api.send("/api/v1/models/" + model + "/predict", "POST", "application/json", ROWS, 200))
        .get("predictions");
  }

  private static void awaitAlias(ApiClient api, int version, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      int served =
          ApiClient.json(
                  api.send(
                      "/api/v1/models/serve/predict?alias=production",
                      "POST",
                      "application/json",
                      ROWS,
                      200))
              .get("version")
              .asInt();
      if (served == version) {
        return;
      }
      assertThat(System.nanoTime())
          .as("production = %d served within %s", version, within)
          .isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  private static String mlp(String model, String dataset, int epochs, int batch, int seed) {
    return ("{\"model\": \"%s\", \"family\": \"mlp\", \"dataset\": \"%s\", \"target\":"
            + " \"species\", \"spec\": {\"hiddenLayers\": [{\"units\": 32}, {\"units\": 32}]},"
            + " \"training\": {\"epochs\": %d, \"batchSize\": %d, \"seed\": %d}}")
        .formatted(model, dataset, epochs, batch, seed);
  }

  private PackagedServer replica(int n) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx768m");
    command.add("-jar");
    command.add(PackagedServer.jar().toString());
    command.add("--server.port=" + ports[n]);
    command.add("--maas.grpc.port=0"); // three servers on one machine: no fixed gRPC port
    command.addAll(stack.serverArguments(target));
    command.addAll(
        List.of(
            // A dead replica's jobs are taken over 2 s after its last renewal (a replica stopped
            // with SIGTERM hands its jobs back at once, and that attempt does not count).
            "--maas.store.job-lease=2s",
            "--maas.training.checkpoint-interval=200ms",
            "--maas.training.max-jobs-per-key=64",
            "--maas.training.queue-capacity=64",
            // The clients' load is not what the rate limit is for.
            "--maas.security.requests-per-second=0"));
    Map<String, String> environment = new java.util.HashMap<>(stack.serverEnvironment());
    environment.put("OMP_NUM_THREADS", "1");
    return PackagedServer.start(
        command, root.resolve("replica-" + n), environment, ports[n], Duration.ofSeconds(180));
  }

  private ApiClient direct(int n, String key) {
    return new ApiClient(servers[n].base(), key, this::logs);
  }

  private String logs() {
    StringBuilder out = new StringBuilder();
    for (int n = 1; n <= REPLICAS; n++) {
      if (servers[n] != null) {
        String log = servers[n].logText();
        out.append("--- replica ")
            .append(n)
            .append(" (last 4000 characters) ---\n")
            .append(log, Math.max(0, log.length() - 4000), log.length())
            .append('\n');
      }
    }
    return out.toString();
  }

  private void say(String format, Object... args) {
    System.out.printf(
        "[cluster %6.1f s] %s%n", (System.nanoTime() - started) / 1e9, format.formatted(args));
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  /**
   * Clients that predict by alias through the balancer, closed loop, until closed; every answer
   * that is not 200, and every I/O error, is a failure, kept with what it was.
   */
  private static final class Load implements AutoCloseable {
    record Mark(long requests, long failures, int answers) {}

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final List<Integer> versions =
        java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> threads = new ArrayList<>();

    /**
     * Half the clients share one HTTP client through {@code perRequest} (balanced per request); the
     * others have one each through {@code perConnection} (balanced per connection), each keeping
     * its connection open as long as the server does.
     */
    Load(String perRequest, String perConnection, String key) {
      HttpClient shared = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      for (int i = 0; i < CLIENTS; i++) {
        boolean tcp = i % 2 == 1;
        HttpClient http =
            tcp ? HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build() : shared;
        HttpRequest request =
            HttpRequest.newBuilder(
                    URI.create(
                        (tcp ? perConnection : perRequest)
                            + "/api/v1/models/serve/predict?alias=production"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(BodyPublishers.ofString(ROWS))
                .build();
        String via = tcp ? "per-connection" : "per-request";
        Thread t =
            new Thread(
                () -> {
                  while (running.get()) {
                    try {
                      HttpResponse<String> r = http.send(request, BodyHandlers.ofString());
                      if (r.statusCode() == 200) {
                        versions.add(ApiClient.json(r.body()).get("version").asInt());
                        ok.incrementAndGet();
                      } else {
                        fail(via + ": " + r.statusCode() + " " + r.body());
                      }
                    } catch (Exception e) {
                      if (running.get()) {
                        fail(via + ": " + e);
                      }
                    }
                  }
                },
                "cluster-client-" + i);
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }
    }

    private void fail(String what) {
      failed.incrementAndGet();
      if (failures.size() < 20) {
        failures.add(java.time.Instant.now() + " " + what);
      }
    }

    /** Where the counts are now; the failures kept for messages start afresh. */
    Mark mark() {
      failures.clear();
      return new Mark(ok.get() + failed.get(), failed.get(), versions.size());
    }

    long failuresSince(Mark mark) {
      return failed.get() - mark.failures();
    }

    Set<Integer> versionsSince(Mark mark) {
      synchronized (versions) {
        return new TreeSet<>(versions.subList(mark.answers(), versions.size()));
      }
    }

    void awaitRequests(long requests) throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (ok.get() + failed.get() < requests) {
        assertThat(System.nanoTime()).as("clients make requests").isLessThan(deadline);
        Thread.sleep(10);
      }
    }

    void assertNoFailureSince(Mark mark, String phase) {
      assertThat(failed.get() - mark.failures())
          .as("client requests through the balancer that failed during %s: %s", phase, failures)
          .isZero();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(35_000);
      }
    }
  }
}

package dev.maas.bench;

import dev.maas.e2e.ApiClient;
import dev.maas.e2e.PackagedServer;
import dev.maas.storage.SharedStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code bench/shared-store}: what the shared store costs one replica, and how fast replicas learn
 * of each other's changes. Runs the packaged jar three times on loopback: one replica in embedded
 * mode and two in shared mode on one real PostgreSQL and S3Proxy ({@link SharedStack}). Prints
 *
 * <pre>
 * throughput round mode clients requests_per_s      (single-row wine MLP predictions, closed loop)
 * ratio round shared/embedded
 * alias-propagation moves p50_ms p99_ms max_ms       (a move through A until B serves it)
 * job-claim jobs p50_ms p99_ms max_ms                 (a job submitted through A until claimed)
 * </pre>
 *
 * Arguments: {@code [rounds] [seconds] [clients]} (default 3, 10, 8).
 */
public final class SharedStoreBench {
  private static final String ROW =
      "{\"instances\": [[13.2,1.78,2.14,11.2,100,2.65,2.76,0.26,1.28,4.38,1.05,3.4,1050]]}";
  private static final String TRAIN =
      "{\"model\": \"wine-mlp\", \"family\": \"mlp\", \"dataset\": \"%s\", \"target\":"
          + " \"cultivar\", \"task\": \"classification\", \"spec\": {\"hiddenLayers\":"
          + " [{\"units\": 64}]}, \"training\": {\"epochs\": 50, \"batchSize\": 32, \"seed\": %d}}";

  private SharedStoreBench() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int clients = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    SharedStack stack = SharedStack.get();
    SharedStack.Target target = stack.newTarget();
    Path root = Files.createDirectories(Path.of("target", "bench-shared-" + UUID.randomUUID()));
    String wine = Files.readString(Path.of("src/test/resources/datasets/wine.csv"));
    String[] quiet = {"--maas.security.requests-per-second=0", "--logging.level.root=WARN"};
    try (PackagedServer embedded = server(root.resolve("embedded"), null, stack, quiet);
        PackagedServer a = server(root.resolve("a"), target, stack, quiet);
        PackagedServer b = server(root.resolve("b"), target, stack, quiet)) {
      String embeddedKey = embedded.generatedKey();
      ApiClient e = new ApiClient(embedded.base(), embeddedKey, embedded::logText);
      String key = a.generatedKey();
      ApiClient sa = new ApiClient(a.base(), key, a::logText);
      ApiClient sb = new ApiClient(b.base(), key, b::logText);
      e.train(TRAIN.formatted(e.uploadCsv("wine", wine), 1));
      String shared = sa.uploadCsv("wine", wine);
      sa.train(TRAIN.formatted(shared, 1));
      sa.train(TRAIN.formatted(shared, 2));

      // Untimed: both servers and this client compiled by the JIT before any round counts.
      throughput(embedded.base(), embeddedKey, clients, seconds);
      throughput(a.base(), key, clients, seconds);
      List<Double> ratios = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        // Each round runs both back to back, the mode that goes first alternating.
        boolean embeddedFirst = round % 2 == 1;
        double embeddedRps = 0;
        double sharedRps = 0;
        // The shared database's transactions during each run: during the embedded one they are
        // A's and B's background work alone (polling, leases); a prediction that touched the
        // database would add about one per request to the shared one.
        long[] tx = new long[2];
        if (embeddedFirst) {
          long before = transactions(target.url());
          embeddedRps = throughput(embedded.base(), embeddedKey, clients, seconds);
          tx[0] = transactions(target.url()) - before;
        }
        long before = transactions(target.url());
        sharedRps = throughput(a.base(), key, clients, seconds);
        tx[1] = transactions(target.url()) - before;
        if (!embeddedFirst) {
          before = transactions(target.url());
          embeddedRps = throughput(embedded.base(), embeddedKey, clients, seconds);
          tx[0] = transactions(target.url()) - before;
        }
        System.out.printf(
            "db-transactions %d during-embedded %d during-shared %d shared-requests %.0f%n",
            round, tx[0], tx[1], sharedRps * seconds);
        System.out.printf("throughput %d embedded %d %.0f%n", round, clients, embeddedRps);
        System.out.printf("throughput %d shared %d %.0f%n", round, clients, sharedRps);
        System.out.printf("ratio %d %.3f%n", round, sharedRps / embeddedRps);
        ratios.add(sharedRps / embeddedRps);
      }
      Collections.sort(ratios);
      System.out.printf("ratio median %.3f (target >= 0.95)%n", ratios.get(ratios.size() / 2));

      List<Double> millis = new ArrayList<>();
      HttpClient http = HttpClient.newHttpClient();
      sa.put("/api/v1/models/wine-mlp/aliases/production", "{\"version\": 1}", 200);
      for (int move = 0; move < 100; move++) {
        int version = move % 2 == 0 ? 2 : 1;
        long start = System.nanoTime();
        sa.put("/api/v1/models/wine-mlp/aliases/production", "{\"version\": " + version + "}", 200);
        while (servedVersion(http, b.base(), key) != version) {
          if (System.nanoTime() - start > 10_000_000_000L) {
            throw new IllegalStateException("move " + move + " not seen in 10 s");
          }
        }
        millis.add((System.nanoTime() - start) / 1e6);
      }
      Collections.sort(millis);
      System.out.printf(
          "alias-propagation %d %.1f %.1f %.1f%n",
          millis.size(),
          millis.get(millis.size() / 2),
          millis.get((int) Math.ceil(millis.size() * 0.99) - 1),
          millis.get(millis.size() - 1));

      // Job claim latency: a prediction job submitted through A until a worker (of A or B, both
      // idle) has claimed it, as the database shows (its lease holder set); one job at a time.
      List<Double> claims = new ArrayList<>();
      try (java.sql.Connection db =
          java.sql.DriverManager.getConnection(target.url(), "postgres", "")) {
        for (int job = 0; job < 100; job++) {
          long start = System.nanoTime();
          String id =
              sa.post(
                      "/api/v1/prediction-jobs",
                      "{\"model\": \"wine-mlp\", \"version\": 1, \"dataset\": \"" + shared + "\"}",
                      202)
                  .get("id")
                  .asString();
          while (!claimed(db, id)) {
            if (System.nanoTime() - start > 30_000_000_000L) {
              throw new IllegalStateException("job " + id + " not claimed in 30 s");
            }
          }
          claims.add((System.nanoTime() - start) / 1e6);
          while (!sa.getJson("/api/v1/prediction-jobs/" + id)
              .get("state")
              .asString()
              .equals("succeeded")) {
            Thread.sleep(5);
          }
        }
      }
      Collections.sort(claims);
      System.out.printf(
          "job-claim %d %.1f %.1f %.1f%n",
          claims.size(),
          claims.get(claims.size() / 2),
          claims.get((int) Math.ceil(claims.size() * 0.99) - 1),
          claims.get(claims.size() - 1));
    }
    System.exit(0);
  }

  /** Whether a worker of any replica has claimed the job (or already finished it). */
  private static boolean claimed(java.sql.Connection db, String id) throws java.sql.SQLException {
    try (java.sql.PreparedStatement s =
        db.prepareStatement(
            "SELECT lease_holder IS NOT NULL OR state <> 'QUEUED' FROM prediction_jobs"
                + " WHERE id = ?")) {
      s.setString(1, id);
      try (java.sql.ResultSet r = s.executeQuery()) {
        return r.next() && r.getBoolean(1);
      }
    }
  }

  private static PackagedServer server(
      Path work, SharedStack.Target target, SharedStack stack, String... extra) throws Exception {
    int port = PackagedServer.freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    command.add("-jar");
    command.add(PackagedServer.jar().toString());
    command.add("--server.port=" + port);
    command.add("--maas.grpc.port=0"); // several servers on one machine: no fixed gRPC port
    if (target != null) {
      command.addAll(stack.serverArguments(target));
    }
    command.addAll(List.of(extra));
    return PackagedServer.start(
        command,
        work,
        target == null ? Map.of("OMP_NUM_THREADS", "1") : withOmp(stack.serverEnvironment()),
        port,
        Duration.ofSeconds(180));
  }

  private static Map<String, String> withOmp(Map<String, String> environment) {
    Map<String, String> out = new java.util.HashMap<>(environment);
    out.put("OMP_NUM_THREADS", "1");
    return out;
  }

  /** Single-row predictions per second over {@code seconds}, after 2 s of warm-up. */
  private static double throughput(String base, String key, int clients, int seconds)
      throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + "/api/v1/models/wine-mlp/predict?version=1"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(ROW))
            .build();
    LongAdder done = new LongAdder();
    AtomicBoolean counting = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      Thread t =
          new Thread(
              () -> {
                while (!stop.get()) {
                  try {
                    HttpResponse<Void> r =
                        http.send(request, HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() != 200) {
                      throw new IllegalStateException("predict answered " + r.statusCode());
                    }
                    if (counting.get()) {
                      done.increment();
                    }
                  } catch (Exception ex) {
                    throw new IllegalStateException(ex);
                  }
                }
              });
      t.start();
      threads.add(t);
    }
    Thread.sleep(2000);
    counting.set(true);
    long start = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    long count = done.sum();
    double elapsed = (System.nanoTime() - start) / 1e9;
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
    return count / elapsed;
  }

  /**
   * Transactions committed in the database of {@code url} so far, as PostgreSQL's statistics report
   * them (each server process reports its own at most once a second).
   */
  private static long transactions(String url) throws Exception {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "postgres", "");
        java.sql.Statement s = c.createStatement();
        java.sql.ResultSet r =
            s.executeQuery(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")) {
      r.next();
      return r.getLong(1);
    }
  }

  /** The version B serves for alias production. */
  private static int servedVersion(HttpClient http, String base, String key) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(base + "/api/v1/models/wine-mlp/predict?alias=production"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ROW))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return ApiClient.json(r.body()).get("version").asInt();
  }
}

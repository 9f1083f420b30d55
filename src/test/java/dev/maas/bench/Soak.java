package dev.maas.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The driver of {@code bench/soak}: against a running server, mixed prediction traffic from a few
 * threads (one row, 32 rows, model metadata) and a training job every minute, while heap, native
 * memory (JavaCPP) and the process' RSS are sampled every ten seconds. Prints the series, the slope
 * of each after warm-up, and the error count. The API key comes from {@code SOAK_KEY}.
 *
 * <p>Arguments: {@code --base URL --pid PID [--minutes N] [--concurrency C]}.
 */
public final class Soak {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern HEAP =
      Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\} ([0-9.eE+-]+)$");

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String key;
  private final long pid;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final Map<String, AtomicLong> errorKinds = new ConcurrentHashMap<>();
  private volatile boolean running = true;

  private Soak(String base, String key, long pid) {
    this.base = base;
    this.key = key;
    this.pid = pid;
  }

  public static void main(String[] args) throws Exception {
    String base = null;
    long pid = -1;
    double minutes = 10;
    int concurrency = 4;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--base" -> base = args[i + 1];
        case "--pid" -> pid = Long.parseLong(args[i + 1]);
        case "--minutes" -> minutes = Double.parseDouble(args[i + 1]);
        case "--concurrency" -> concurrency = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    String key = System.getenv().getOrDefault("SOAK_KEY", "");
    new Soak(base, key, pid).run(Duration.ofMillis((long) (minutes * 60_000)), concurrency);
  }

  private void run(Duration length, int concurrency) throws Exception {
    awaitReady();
    String dataset = upload();
    JsonNode first = train(dataset, "soak", 50);
    System.out.println("# trained model soak: " + first.get("state").asString());
    String oneRow = "{\"instances\": [[5.1, 3.5, 1.4, 0.2]]}";
    HttpResponse<String> probe = post("/api/v1/models/soak/predict", oneRow);
    boolean predictions = probe.statusCode() == 200;
    if (!predictions) {
      System.out.println(
          "# the prediction endpoint answered "
              + probe.statusCode()
              + ": running the training half only (no prediction traffic)");
    }
    long start = System.nanoTime();
    long end = start + length.toNanos();
    List<Thread> threads = new ArrayList<>();
    if (predictions) {
      for (int t = 0; t < concurrency; t++) {
        Thread thread = new Thread(() -> traffic(oneRow), "soak-traffic-" + t);
        thread.start();
        threads.add(thread);
      }
    }
    Thread training =
        new Thread(
            () -> {
              int n = 0;
              while (running) {
                try {
                  JsonNode job = train(dataset, "soak-train", 200);
                  String state = job.get("state").asString();
                  System.out.printf("# job %d %s%n", ++n, state);
                  if (!state.equals("succeeded")) {
                    errors.incrementAndGet();
                    errorKinds
                        .computeIfAbsent("job " + state, k -> new AtomicLong())
                        .incrementAndGet();
                  }
                  sleepUntilNextMinute(start);
                } catch (Exception e) {
                  if (running) {
                    errors.incrementAndGet();
                    errorKinds.computeIfAbsent("job " + e, k -> new AtomicLong()).incrementAndGet();
                  }
                }
              }
            },
            "soak-training");
    training.start();
    List<double[]> samples = new ArrayList<>();
    System.out.println("t_s heap_mb native_alloc_mb native_phys_mb rss_mb requests errors");
    while (System.nanoTime() < end) {
      double[] s = sample((System.nanoTime() - start) / 1e9);
      samples.add(s);
      System.out.printf(
          "%.0f %.1f %.1f %.1f %.1f %d %d%n",
          s[0], s[1], s[2], s[3], s[4], requests.get(), errors.get());
      Thread.sleep(Math.min(10_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
    }
    running = false;
    for (Thread t : threads) {
      t.join(10_000);
    }
    training.interrupt();
    training.join(10_000);
    samples.add(sample((System.nanoTime() - start) / 1e9));
    report(samples, length);
  }

  private void report(List<double[]> samples, Duration length) {
    double warmUp = Math.min(60, length.toSeconds() * 0.2);
    List<double[]> after = samples.stream().filter(s -> s[0] >= warmUp).toList();
    String[] names = {"heap", "native_alloc", "native_phys", "rss"};
    StringBuilder slopes = new StringBuilder("slope_mb_per_min_after_" + (int) warmUp + "s");
    for (int m = 1; m <= 4; m++) {
      slopes.append(' ').append(names[m - 1]).append('=');
      slopes.append(String.format("%.2f", slope(after, m) * 60));
    }
    System.out.println(slopes);
    System.out.printf("requests %d errors %d %s%n", requests.get(), errors.get(), errorKinds);
  }

  /** Least-squares slope of column {@code m} over time, per second. */
  private static double slope(List<double[]> samples, int m) {
    int n = samples.size();
    if (n < 2) {
      return Double.NaN;
    }
    double mt = 0;
    double mv = 0;
    for (double[] s : samples) {
      mt += s[0] / n;
      mv += s[m] / n;
    }
    double num = 0;
    double den = 0;
    for (double[] s : samples) {
      num += (s[0] - mt) * (s[m] - mv);
      den += (s[0] - mt) * (s[0] - mt);
    }
    return den == 0 ? Double.NaN : num / den;
  }

  private void traffic(String oneRow) {
    StringBuilder rows = new StringBuilder("{\"instances\": [");
    Random random = new Random(Thread.currentThread().getName().hashCode());
    for (int i = 0; i < 32; i++) {
      rows.append(i == 0 ? "" : ", ")
          .append(
              String.format(
                  "[%.1f, %.1f, %.1f, %.1f]",
                  4 + 4 * random.nextDouble(),
                  2 + 2 * random.nextDouble(),
                  1 + 6 * random.nextDouble(),
                  2.5 * random.nextDouble()));
    }
    String batch = rows.append("]}").toString();
    long n = 0;
    while (running) {
      n++;
      try {
        HttpResponse<String> r =
            n % 10 == 0
                ? get("/api/v1/models/soak")
                : post("/api/v1/models/soak/predict", n % 5 == 0 ? batch : oneRow);
        requests.incrementAndGet();
        if (r.statusCode() >= 400) {
          errors.incrementAndGet();
          errorKinds
              .computeIfAbsent("http " + r.statusCode(), k -> new AtomicLong())
              .incrementAndGet();
        }
      } catch (IOException | InterruptedException e) {
        if (running) {
          requests.incrementAndGet();
          errors.incrementAndGet();
          errorKinds
              .computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicLong())
              .incrementAndGet();
        }
      }
    }
  }

  private double[] sample(double t) throws IOException, InterruptedException {
    String scrape = get("/actuator/prometheus").body();
    double heap = 0;
    Matcher m = HEAP.matcher(scrape);
    while (m.find()) {
      heap += Double.parseDouble(m.group(1));
    }
    double rssKb = 0;
    Path status = Path.of("/proc", Long.toString(pid), "status");
    if (Files.exists(status)) {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmRSS:")) {
          rssKb = Double.parseDouble(line.replaceAll("[^0-9]", ""));
        }
      }
    }
    double mb = 1024 * 1024;
    return new double[] {
      t,
      heap / mb,
      gauge(scrape, "maas_native_memory_used_bytes") / mb,
      gauge(scrape, "maas_native_memory_physical_bytes") / mb,
      rssKb / 1024
    };
  }

  private static double gauge(String scrape, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(2)) : Double.NaN;
  }

  private static void sleepUntilNextMinute(long start) throws InterruptedException {
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    Thread.sleep(60_000 - elapsedMs % 60_000);
  }

  private String upload() throws Exception {
    String csv = Files.readString(Path.of("src", "test", "resources", "datasets", "iris.csv"));
    HttpResponse<String> r =
        http.send(
            request("/api/v1/datasets?name=soak-iris")
                .header("Content-Type", "text/csv")
                .POST(BodyPublishers.ofString(csv))
                .build(),
            BodyHandlers.ofString());
    if (r.statusCode() != 201) {
      throw new IllegalStateException("upload answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body()).get("id").asString();
  }

  private JsonNode train(String dataset, String model, int epochs) throws Exception {
    HttpResponse<String> r =
        post(
            "/api/v1/training-jobs",
            "{\"model\": \""
                + model
                + "\", \"family\": \"mlp\", \"dataset\": \""
                + dataset
                + "\", \"target\": \"species\", \"spec\": {\"hiddenLayers\": [{\"units\": 32}]},"
                + " \"training\": {\"epochs\": "
                + epochs
                + ", \"batchSize\": 16}}");
    if (r.statusCode() != 202) {
      throw new IllegalStateException("training answered " + r.statusCode() + ": " + r.body());
    }
    String id = JSON.readTree(r.body()).get("id").asString();
    while (true) {
      JsonNode job = JSON.readTree(get("/api/v1/training-jobs/" + id).body());
      String state = job.get("state").asString();
      if (!state.equals("queued") && !state.equals("running")) {
        return job;
      }
      Thread.sleep(200);
    }
  }

  private void awaitReady() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (get("/actuator/health/readiness").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the server at " + base + " did not become ready");
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    if (!key.isEmpty()) {
      b.header("Authorization", "Bearer " + key);
    }
    return b;
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(request(path).build(), BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String json)
      throws IOException, InterruptedException {
    return http.send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(json))
            .build(),
        BodyHandlers.ofString());
  }
}

package dev.maas.bench;

import dev.maas.compute.ModelCodec;
import dev.maas.compute.Preprocessor;
import dev.maas.compute.TrainedModel;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The driver of {@code bench/predict-job/run}: against a running packaged server, trains the wine
 * MLP and the digits CNN (as {@code bench/serve} does), then per model, in rounds: uploads the rows
 * (wine features repeated to 1,000,000 rows; digits images repeated to 100,000), scores them with a
 * prediction job and downloads the result as CSV. In the same run it times the engine's in-process
 * batched predict of the same model file on the same rows (chunks of the job's size), the Python
 * peer ({@code peer.py}: pandas read, PyTorch in batches of 1024, pandas write of the same columns)
 * and, in a round of its own, the server's live heap while a job scores and its result downloads.
 * Prints one line per round, then medians and ratios.
 *
 * <p>Arguments: {@code --base URL --pid PID --work DIR [--rounds N] [--wine-rows N] [--digits-rows
 * N] [--chunk-rows N] [--peer FILE]}; the API key comes from {@code BENCH_KEY}.
 */
public final class PredictJobBench {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern LIVE =
      Pattern.compile("(?m)^jvm_gc_live_data_size_bytes(?:\\{[^}]*\\})? ([0-9.eE+-]+)$");
  private static final Path DATASETS = Path.of("src", "test", "resources", "datasets");

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String key;
  private final long pid;
  private final Path work;
  private final int chunkRows;

  private PredictJobBench(String base, String key, long pid, Path work, int chunkRows) {
    this.base = base;
    this.key = key;
    this.pid = pid;
    this.work = work;
    this.chunkRows = chunkRows;
  }

  /** One model scored in a round: the rows, where they come from and the model's spec. */
  private record Case(
      String model, String dataset, String target, String training, Path rows, int n) {}

  public static void main(String[] args) throws Exception {
    String base = null;
    long pid = -1;
    Path work = Path.of("target", "predict-job");
    int rounds = 3;
    int wineRows = 1_000_000;
    int digitsRows = 100_000;
    int chunkRows = 8192;
    Path peer = Path.of("bench", "predict-job", "peer.py");
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--base" -> base = args[i + 1];
        case "--pid" -> pid = Long.parseLong(args[i + 1]);
        case "--work" -> work = Path.of(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--wine-rows" -> wineRows = Integer.parseInt(args[i + 1]);
        case "--digits-rows" -> digitsRows = Integer.parseInt(args[i + 1]);
        case "--chunk-rows" -> chunkRows = Integer.parseInt(args[i + 1]);
        case "--peer" -> peer = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    String key = System.getenv().getOrDefault("BENCH_KEY", "");
    Files.createDirectories(work);
    new PredictJobBench(base, key, pid, work, chunkRows).run(rounds, wineRows, digitsRows, peer);
  }

  private void run(int rounds, int wineRows, int digitsRows, Path peer) throws Exception {
    awaitReady();
    List<Case> cases =
        List.of(
            new Case(
                "wine-mlp",
                "wine",
                "cultivar",
                "\"task\":\"classification\",\"spec\":{\"hiddenLayers\":[{\"units\":64,"
                    + "\"activation\":\"relu\"}]},\"training\":{\"epochs\":200,\"batchSize\":32}",
                repeated("wine", "cultivar", wineRows),
                wineRows),
            new Case(
                "digits-cnn",
                "digits",
                "digit",
                "\"task\":\"classification\",\"inputShape\":[1,8,8],\"spec\":{\"convLayers\":"
                    + "[{\"filters\":16,\"kernel\":3,\"padding\":\"same\",\"activation\":\"relu\","
                    + "\"pool\":{\"type\":\"max\",\"size\":2}}],\"denseLayers\":[{\"units\":64,"
                    + "\"activation\":\"relu\"}]},\"training\":{\"epochs\":5,\"batchSize\":32}",
                repeated("digits", "digit", digitsRows),
                digitsRows));
    for (Case c : cases) {
      train(c);
    }
    System.out.println(
        "round model rows upload_s job_s download_s job_rows_per_s end_to_end_rows_per_s");
    List<String> summary = new ArrayList<>();
    for (Case c : cases) {
      byte[] artifact = bytes("/api/v1/models/" + c.model() + "/versions/1/artifact");
      try (TrainedModel model = ModelCodec.read(artifact)) {
        Rows rows = Rows.read(c.rows());
        enginePass(model, rows); // warm-up: the JIT
        enginePass(model, rows);
        scoreOnce(c, -1); // warm-up: the JIT, the model's first load, the file cache
        boolean peerRuns = peer(peer, c, 0) != null; // warm-up: the file cache
        // Each round runs the engine, the job and the peer one after the other, so that the
        // ratios compare figures taken under the same load; the summary gives the medians of the
        // rates and of each round's ratios.
        double[][] r = new double[rounds][];
        for (int i = 0; i < rounds; i++) {
          double[] engine = enginePass(model, rows);
          System.out.printf(
              Locale.ROOT,
              "engine %s %d rows_per_s %.0f predict_only_rows_per_s %.0f%n",
              c.model(),
              c.n(),
              engine[0],
              engine[1]);
          double[] job = scoreOnce(c, i + 1);
          Double peerRate = peerRuns ? peer(peer, c, 1) : null;
          double p = peerRate == null ? Double.NaN : peerRate;
          r[i] =
              new double[] {
                engine[0], engine[1], job[0], job[1], p, job[0] / engine[0], job[0] / p, job[1] / p
              };
        }
        summary.add(
            String.format(
                Locale.ROOT,
                "%s %d engine %.0f (predict only %.0f) job %.0f end_to_end %.0f peer %.0f"
                    + " | job/engine %.2f (target >= 0.70) job/peer %.2f (target >= 1)"
                    + " end_to_end/peer %.2f",
                c.model(),
                c.n(),
                median(r, 0),
                median(r, 1),
                median(r, 2),
                median(r, 3),
                median(r, 4),
                median(r, 5),
                median(r, 6),
                median(r, 7)));
      }
    }
    System.out.println("# medians of " + rounds + " rounds (rates in rows per second):");
    for (String line : summary) {
      System.out.println("summary " + line);
    }
    heap(cases.get(0));
  }

  // ---- the data --------------------------------------------------------------------------------

  /** The dataset's feature columns (the target dropped), its rows repeated to {@code n} rows. */
  private Path repeated(String dataset, String target, int n) throws IOException {
    Path file = work.resolve(dataset + "-" + n + ".csv");
    List<String> lines = Files.readAllLines(DATASETS.resolve(dataset + ".csv"));
    List<String> header = Arrays.asList(lines.get(0).split(","));
    int drop = header.indexOf(target);
    List<String> rows = new ArrayList<>();
    for (String line : lines) {
      List<String> cells = new ArrayList<>(Arrays.asList(line.split(",", -1)));
      cells.remove(drop);
      rows.add(String.join(",", cells));
    }
    if (Files.isRegularFile(file)) {
      return file;
    }
    Path partial = work.resolve(dataset + "-" + n + ".csv.partial");
    try (BufferedWriter w = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
      w.write(rows.get(0));
      w.write('\n');
      for (int i = 0; i < n; i++) {
        w.write(rows.get(1 + i % (rows.size() - 1)));
        w.write('\n');
      }
    }
    Files.move(partial, file);
    return file;
  }

  private void train(Case c) throws Exception {
    String dataset = upload(c.dataset(), DATASETS.resolve(c.dataset() + ".csv"));
    HttpResponse<String> r =
        post(
            "/api/v1/training-jobs",
            "{\"model\":\""
                + c.model()
                + "\",\"family\":\""
                + (c.model().endsWith("cnn") ? "cnn" : "mlp")
                + "\",\"dataset\":\""
                + dataset
                + "\",\"target\":\""
                + c.target()
                + "\","
                + c.training()
                + "}");
    check(r, 202);
    String id = JSON.readTree(r.body()).get("id").asString();
    JsonNode job = await("/api/v1/training-jobs/" + id, Duration.ofMinutes(10));
    if (!job.get("state").asString().equals("succeeded")) {
      throw new IllegalStateException("training " + c.model() + " failed: " + job);
    }
    System.out.println("# trained " + c.model() + " in " + job.get("usage").get("wallSeconds"));
  }

  // ---- one round -------------------------------------------------------------------------------

  /** Uploads, scores and downloads; returns the job's rate and the end-to-end rate (rows/s). */
  private double[] scoreOnce(Case c, int round) throws Exception {
    long t0 = System.nanoTime();
    String dataset = upload(c.model() + "-rows", c.rows());
    long t1 = System.nanoTime();
    JsonNode job = score(c.model(), dataset);
    long t2 = System.nanoTime();
    long lines = download(job.get("resultDataset").asString(), null);
    long t3 = System.nanoTime();
    if (lines != c.n() + 1) {
      throw new IllegalStateException("the result has " + lines + " lines, not " + (c.n() + 1));
    }
    double jobSeconds =
        Duration.between(
                    Instant.parse(job.get("startedAt").asString()),
                    Instant.parse(job.get("finishedAt").asString()))
                .toNanos()
            / 1e9;
    double e2e = (t3 - t0) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%s %s %d %.2f %.2f %.2f %.0f %.0f%n",
        round < 0 ? "warm-up" : "round" + round,
        c.model(),
        c.n(),
        (t1 - t0) / 1e9,
        jobSeconds,
        (t3 - t2) / 1e9,
        c.n() / jobSeconds,
        c.n() / e2e);
    delete("/api/v1/datasets/" + dataset);
    delete("/api/v1/datasets/" + job.get("resultDataset").asString());
    return new double[] {c.n() / jobSeconds, c.n() / e2e};
  }

  private JsonNode score(String model, String dataset) throws Exception {
    HttpResponse<String> r =
        post(
            "/api/v1/prediction-jobs",
            "{\"model\":\"" + model + "\",\"dataset\":\"" + dataset + "\",\"output\":\"both\"}");
    check(r, 202);
    String id = JSON.readTree(r.body()).get("id").asString();
    JsonNode job = await("/api/v1/prediction-jobs/" + id, Duration.ofMinutes(30));
    if (!job.get("state").asString().equals("succeeded")) {
      throw new IllegalStateException("prediction job failed: " + job);
    }
    return job;
  }

  // ---- the engine in-process -------------------------------------------------------------------

  /** The rows of a CSV of numbers, by column, in memory. */
  private record Rows(List<String> names, double[][] columns, int n) {
    static Rows read(Path file) throws IOException {
      List<String> lines = Files.readAllLines(file);
      String[] header = lines.get(0).split(",");
      int n = lines.size() - 1;
      double[][] columns = new double[header.length][n];
      for (int r = 0; r < n; r++) {
        String[] cells = lines.get(r + 1).split(",");
        for (int c = 0; c < header.length; c++) {
          columns[c][r] = Double.parseDouble(cells[c]);
        }
      }
      return new Rows(Arrays.asList(header), columns, n);
    }
  }

  /**
   * One pass of the engine over the same rows in this JVM: each chunk of {@code chunkRows} rows
   * through the model's preprocessing (when it has one) and one {@code predict} call, as the job
   * does, from columns already in memory. Returns the rate, and the rate of the {@code predict}
   * calls alone (rows per second).
   */
  private double[] enginePass(TrainedModel model, Rows rows) {
    long predictNanos = 0;
    long t0 = System.nanoTime();
    double sink = 0;
    for (int offset = 0; offset < rows.n(); offset += chunkRows) {
      int n = Math.min(chunkRows, rows.n() - offset);
      double[] x = input(model, rows.names(), rows.columns(), offset, n);
      long p = System.nanoTime();
      sink += model.predict(x, n).value(n - 1, 0);
      predictNanos += System.nanoTime() - p;
    }
    long t1 = System.nanoTime();
    if (sink == 42) {
      System.out.println("#");
    }
    return new double[] {rows.n() / ((t1 - t0) / 1e9), rows.n() / (predictNanos / 1e9)};
  }

  /** A chunk as the model's input, as {@code batch.ScoringLayout} builds it. */
  private static double[] input(
      TrainedModel model, List<String> names, double[][] columns, int offset, int n) {
    Preprocessor p = model.preprocessing();
    if (p != null) {
      List<Object> values = new ArrayList<>();
      for (Preprocessor.Step step : p.steps()) {
        if (step instanceof Preprocessor.Dropped) {
          values.add(null);
        } else {
          values.add(Arrays.copyOfRange(columns[names.indexOf(step.column())], offset, offset + n));
        }
      }
      return p.transformColumns(values, n);
    }
    List<String> features = model.features() != null ? model.features() : names;
    int[] index = features.stream().mapToInt(names::indexOf).toArray();
    double[] x = new double[n * index.length];
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < index.length; c++) {
        x[r * index.length + c] = columns[index[c]][offset + r];
      }
    }
    return x;
  }

  // ---- the peer --------------------------------------------------------------------------------

  /**
   * Runs the peer for {@code rounds} timed rounds (0: one untimed round) and returns the median
   * rate, or null when it cannot run.
   */
  private Double peer(Path script, Case c, int rounds) throws Exception {
    Path python = Path.of("/usr/bin/python3");
    if (!Files.isExecutable(python) || !Files.isRegularFile(script)) {
      System.out.println("# peer: needs /usr/bin/python3 and " + script);
      return null;
    }
    ProcessBuilder b =
        new ProcessBuilder(
                python.toString(),
                script.toString(),
                c.model().endsWith("cnn") ? "cnn" : "mlp",
                c.rows().toString(),
                work.resolve(c.model() + "-peer-out.csv").toString(),
                String.valueOf(Math.max(rounds, 1)),
                rounds == 0 ? "warm-up" : "timed",
                DATASETS.resolve(c.dataset() + ".csv").toString(),
                c.target())
            .redirectErrorStream(true);
    b.environment().put("OMP_NUM_THREADS", "1");
    Process p = b.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      System.out.println("# peer failed: " + out.replace("\n", "\n# "));
      return null;
    }
    List<Double> rates = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.startsWith("peer ")) {
        if (rounds > 0) {
          System.out.println(line);
        }
        String[] f = line.trim().split(" +");
        rates.add(Double.parseDouble(f[f.length - 1]));
      }
    }
    if (rates.isEmpty()) {
      System.out.println("# peer printed nothing: " + out.replace("\n", "\n# "));
      return null;
    }
    double[] sorted = rates.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return sorted[sorted.length / 2];
  }

  // ---- the heap --------------------------------------------------------------------------------

  /**
   * A round of its own (full collections would slow the timed ones): the server's live heap (after
   * {@code jcmd PID GC.run}, {@code jvm.gc.live.data.size}: the old generation after the
   * collection) before, and at most while, a job scores the rows and while its result downloads.
   */
  private void heap(Case c) throws Exception {
    String dataset = upload(c.model() + "-rows", c.rows());
    long baseline = liveHeap();
    AtomicLong max = new AtomicLong(baseline);
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler =
        new Thread(
            () -> {
              while (sampling.get()) {
                try {
                  max.accumulateAndGet(liveHeap(), Math::max);
                  Thread.sleep(250);
                } catch (Exception e) {
                  return;
                }
              }
            });
    sampler.start();
    JsonNode job = score(c.model(), dataset);
    sampling.set(false);
    sampler.join();
    long jobMax = max.get();
    max.set(baseline);
    sampling.set(true);
    AtomicLong downloaded = new AtomicLong();
    Thread downloadSampler =
        new Thread(
            () -> {
              while (sampling.get()) {
                try {
                  max.accumulateAndGet(liveHeap(), Math::max);
                  Thread.sleep(250);
                } catch (Exception e) {
                  return;
                }
              }
            });
    downloadSampler.start();
    download(job.get("resultDataset").asString(), downloaded);
    sampling.set(false);
    downloadSampler.join();
    System.out.printf(
        Locale.ROOT,
        "heap %s %d rows: live heap before %.1f MB, growth while the job scores %.1f MB"
            + " (target < 64), while the result downloads %.1f MB%n",
        c.model(),
        c.n(),
        baseline / 1048576.0,
        (jobMax - baseline) / 1048576.0,
        (max.get() - baseline) / 1048576.0);
    delete("/api/v1/datasets/" + dataset);
    delete("/api/v1/datasets/" + job.get("resultDataset").asString());
  }

  private long liveHeap() throws Exception {
    Process gc =
        new ProcessBuilder("jcmd", String.valueOf(pid), "GC.run")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (gc.waitFor() != 0) {
      throw new IllegalStateException("jcmd " + pid + " GC.run failed");
    }
    // The old generation as the full collection left it (the young one is then empty): what the
    // server allocates between the collection and this reading does not count.
    Matcher m = LIVE.matcher(get("/actuator/prometheus").body());
    if (!m.find()) {
      throw new IllegalStateException("the scrape has no jvm_gc_live_data_size_bytes");
    }
    return (long) Double.parseDouble(m.group(1));
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  private String upload(String name, Path csv) throws Exception {
    HttpResponse<String> r =
        http.send(
            request("/api/v1/datasets?name=" + name)
                .header("Content-Type", "text/csv")
                .POST(BodyPublishers.ofFile(csv))
                .build(),
            BodyHandlers.ofString());
    check(r, 201);
    return JSON.readTree(r.body()).get("id").asString();
  }

  /** Streams a dataset's CSV, counting its lines (and bytes into {@code bytes} when given). */
  private long download(String dataset, AtomicLong bytes) throws Exception {
    HttpResponse<InputStream> r =
        http.send(
            request("/api/v1/datasets/" + dataset + "/data").header("Accept", "text/csv").build(),
            BodyHandlers.ofInputStream());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("download of " + dataset + ": " + r.statusCode());
    }
    long lines = 0;
    byte[] buffer = new byte[256 * 1024];
    try (InputStream in = r.body()) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        if (bytes != null) {
          bytes.addAndGet(n);
        }
        for (int i = 0; i < n; i++) {
          if (buffer[i] == '\n') {
            lines++;
          }
        }
      }
    }
    return lines;
  }

  private JsonNode await(String path, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonNode job = JSON.readTree(check(get(path), 200).body());
      String state = job.get("state").asString();
      if (!state.equals("queued") && !state.equals("running") || System.nanoTime() > deadline) {
        return job;
      }
      Thread.sleep(100);
    }
  }

  private void awaitReady() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (get("/actuator/health/readiness").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the server at " + base + " did not become ready");
  }

  private byte[] bytes(String path) throws Exception {
    HttpResponse<byte[]> r = http.send(request(path).build(), BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(path + ": " + r.statusCode());
    }
    return r.body();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(request(path).build(), BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String json) throws Exception {
    return http.send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(json))
            .build(),
        BodyHandlers.ofString());
  }

  private void delete(String path) throws Exception {
    http.send(request(path).DELETE().build(), BodyHandlers.discarding());
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (!key.isEmpty()) {
      b.header("Authorization", "Bearer " + key);
    }
    return b;
  }

  private static HttpResponse<String> check(HttpResponse<String> r, int status) {
    if (r.statusCode() != status) {
      throw new IllegalStateException(r.request().uri() + ": " + r.statusCode() + " " + r.body());
    }
    return r;
  }

  private static double median(double[][] rounds, int column) {
    double[] v = Arrays.stream(rounds).mapToDouble(r -> r[column]).sorted().toArray();
    return v[v.length / 2];
  }
}

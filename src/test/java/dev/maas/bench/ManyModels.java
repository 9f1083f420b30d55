package dev.maas.bench;

import dev.maas.compute.ModelCodec;
import dev.maas.compute.ReferenceTasks;
import dev.maas.compute.ReferenceTasks.Row;
import dev.maas.compute.TrainedModel;
import dev.maas.compute.Trainer;
import dev.maas.e2e.PackagedServer;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The driver of {@code bench/many-models}: imports N copies of a small model (the wine MLP of the
 * peer table, and the digits CNN) under N names into the packaged jar, then restarts it with a
 * cache budget holding 10% and 50% of them and drives uniform and Zipf traffic. Prints registration
 * rate, start-up time, list paging, cold misses, hit ratio, req/s and p50/p99 for hits and misses,
 * all-hit throughput, load times, resident memory and scrape size; see bench/README.md.
 *
 * <p>Arguments: {@code --jar PATH --work DIR [--mlp 1000,10000] [--cnn 100] [--budgets 0.1,0.5]
 * [--duration S] [--clients C] [--zipf S] [--prepared DIR] [--startup-rounds R] [--reuse true]}:
 * {@code --prepared} is the jar as docker/prepare-jar.sh prepares it for the image, timed at start
 * beside the plain jar; {@code --reuse true} only times start-up again on the models an earlier run
 * imported.
 */
public final class ManyModels {
  private static final Pattern SCANNED =
      Pattern.compile("registry: (\\d+) models, (\\d+) versions scanned in (\\d+) ms");
  private static final Pattern LOADED =
      Pattern.compile("loaded model '[^']+' version \\d+ \\((\\d+) bytes\\) in (\\d+) ms");
  private static final Pattern STARTED = Pattern.compile("Started MaasApplication in ([0-9.]+) s");

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .executor(Executors.newFixedThreadPool(4))
          .build();
  private final Path jar;
  private final Path work;
  private final double duration;
  private final int clients;
  private final double zipfExponent;
  private final List<Double> budgets;

  /**
   * The jar as the Docker image runs it (docker/prepare-jar.sh: unpacked, with a class-data-sharing
   * archive), or null: start-up is then timed for the plain jar only.
   */
  private final Path prepared;

  private final int startupRounds;
  private final boolean reuse;
  private String base;
  private String key;

  private ManyModels(
      Path jar,
      Path work,
      double duration,
      int clients,
      double zipf,
      List<Double> budgets,
      Path prepared,
      int startupRounds,
      boolean reuse) {
    this.prepared = prepared;
    this.startupRounds = startupRounds;
    this.reuse = reuse;
    this.jar = jar;
    this.work = work;
    this.duration = duration;
    this.clients = clients;
    this.zipfExponent = zipf;
    this.budgets = budgets;
  }

  public static void main(String[] args) throws Exception {
    Path jar = null;
    Path work = Path.of("target", "many-models");
    List<Integer> mlp = List.of(1000, 10_000);
    int cnn = 100;
    List<Double> budgets = List.of(0.1, 0.5);
    double duration = 10;
    int clients = 8;
    double zipf = 1.0;
    Path prepared = null;
    int startupRounds = 3;
    boolean reuse = false;
    for (int i = 0; i + 1 < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--jar" -> jar = Path.of(v);
        case "--work" -> work = Path.of(v);
        case "--mlp" ->
            mlp =
                v.isBlank()
                    ? List.of()
                    : Arrays.stream(v.split(",")).map(Integer::valueOf).toList();
        case "--cnn" -> cnn = Integer.parseInt(v);
        case "--budgets" -> budgets = Arrays.stream(v.split(",")).map(Double::valueOf).toList();
        case "--duration" -> duration = Double.parseDouble(v);
        case "--clients" -> clients = Integer.parseInt(v);
        case "--zipf" -> zipf = Double.parseDouble(v);
        case "--prepared" -> prepared = Path.of(v);
        case "--startup-rounds" -> startupRounds = Integer.parseInt(v);
        case "--reuse" -> reuse = Boolean.parseBoolean(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (jar == null) {
      throw new IllegalArgumentException("--jar is required");
    }
    System.setProperty("maas.jar", jar.toString());
    ManyModels bench =
        new ManyModels(jar, work, duration, clients, zipf, budgets, prepared, startupRounds, reuse);
    Trainer trainer = new Trainer();
    if (!mlp.isEmpty()) {
      Kind wine = Kind.of("mlp-wine", row("mlp", "wine"), trainer);
      for (int n : mlp) {
        bench.scenario(wine, n);
      }
    }
    if (cnn > 0) {
      bench.scenario(Kind.of("cnn-digits", row("cnn", "digits"), trainer), cnn);
    }
    System.exit(0);
  }

  private static Row row(String family, String dataset) {
    return ReferenceTasks.all().stream()
        .filter(r -> r.family().equals(family) && r.dataset().equals(dataset))
        .findFirst()
        .orElseThrow();
  }

  /** A model to import many times: its file and a one-row prediction body. */
  private record Kind(String name, byte[] file, String body) {
    static Kind of(String name, Row row, Trainer trainer) {
      try (TrainedModel model = row.train(trainer)) {
        int width = Arrays.stream(model.inputShape()).reduce(1, (a, b) -> a * b);
        double[] first = Arrays.copyOf(row.data().get().test().featuresCopy(), width);
        String values =
            Arrays.stream(first)
                .mapToObj(d -> String.format(Locale.ROOT, "%.6g", d))
                .collect(Collectors.joining(","));
        return new Kind(name, ModelCodec.toBytes(model), "{\"instances\": [[" + values + "]]}");
      }
    }
  }

  private static String name(int i) {
    return String.format(Locale.ROOT, "m-%05d", i);
  }

  // ---- one scenario: import, then each budget ---------------------------------------------------

  private void scenario(Kind kind, int n) throws Exception {
    Path dir = work.resolve(kind.name() + "-" + n);
    if (reuse && imported(dir, n)) {
      System.out.printf(
          Locale.ROOT, "%n# %s: start-up only, on the %d models imported before%n", kind.name(), n);
      startup(kind, n, dir);
      return;
    }
    deleteTree(dir);
    Files.createDirectories(dir);
    System.out.printf(
        Locale.ROOT,
        "%n# %s: %d models of %d bytes each, %d clients, %.0f s per traffic row%n",
        kind.name(),
        n,
        kind.file().length,
        clients,
        duration);
    long perModel;
    try (PackagedServer server = start(dir, 8L << 30, true)) {
      long start = System.nanoTime();
      importAll(kind, n);
      double seconds = (System.nanoTime() - start) / 1e9;
      print("registration", kind, n, "-", "models_per_s=%.0f seconds=%.1f", n / seconds, seconds);
      check(predict(kind, 0));
      perModel = (long) gauge(scrape(), "maas_models_memory_bytes");
      print("model", kind, n, "-", "loaded_bytes=%d file_bytes=%d", perModel, kind.file().length);
      listing(kind, n);
    }
    Files.copy(
        dir.resolve("server.log"),
        dir.resolve("import.log"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    startup(kind, n, dir);
    for (double budget : budgets) {
      int capacity = Math.max(1, (int) Math.round(budget * n));
      long budgetBytes = capacity * perModel + perModel / 2;
      String label = String.format(Locale.ROOT, "%.0f%%", budget * 100);
      long t0 = System.nanoTime();
      try (PackagedServer server = start(dir, budgetBytes, false)) {
        double ready = (System.nanoTime() - t0) / 1e9;
        String log = server.logText();
        Matcher scan = last(SCANNED, log);
        Matcher started = last(STARTED, log);
        print(
            "startup",
            kind,
            n,
            label,
            "ready_s=%.2f spring_started_s=%s scan_ms=%s scanned_models=%s",
            ready,
            started == null ? "?" : started.group(1),
            scan == null ? "?" : scan.group(3),
            scan == null ? "?" : scan.group(1));
        // untimed: the JIT compiles the serving and load paths of the fresh process
        drive(kind, i -> ThreadLocalRandom.current().nextInt(n), capacity);
        allHits(kind, n, label, Math.max(1, capacity / 2));
        Lru lru = null;
        for (String dist : List.of("uniform", "zipf")) {
          lru = traffic(kind, n, label, dist, capacity);
        }
        coldMisses(kind, n, label, lru);
        loadTimes(kind, n, label, server.logText());
        String text = scrape();
        long start = System.nanoTime();
        text = scrape();
        double scrapeMs = (System.nanoTime() - start) / 1e6;
        print(
            "resources",
            kind,
            n,
            label,
            "rss_mb=%.0f scrape_bytes=%d scrape_ms=%.1f loaded=%.0f",
            rssMb(server),
            text.length(),
            scrapeMs,
            gauge(text, "maas_models_loaded"));
      }
    }
  }

  /** Whether {@code dir} holds the {@code n} models of an earlier import (for {@code --reuse}). */
  private static boolean imported(Path dir, int n) throws IOException {
    Path models = dir.resolve("data").resolve("models");
    if (!Files.isDirectory(models) || !Files.exists(dir.resolve("import.log"))) {
      return false;
    }
    try (Stream<Path> all = Files.list(models)) {
      return all.count() == n;
    }
  }

  /**
   * Start-up with all {@code n} models, from the process's start to readiness, in rounds that
   * alternate the plain jar ({@code java -jar}) and, with {@code --prepared}, the jar as the Docker
   * image runs it; medians, since other processes on a shared machine slow single starts. The
   * warm-up before ready is off here (it is bounded by {@code maas.serving.warmup.duration} and
   * timed by bench/warmup): these rounds time opening the N models.
   */
  private void startup(Kind kind, int n, Path dir) throws Exception {
    Map<String, List<Double>> ready = new LinkedHashMap<>();
    Map<String, List<Double>> scans = new LinkedHashMap<>();
    List<String> layouts = prepared == null ? List.of("jar") : List.of("jar", "image");
    for (int round = 1; round <= startupRounds; round++) {
      for (String layout : layouts) {
        long t0 = System.nanoTime();
        try (PackagedServer server =
            start(
                dir,
                8L << 30,
                false,
                layout.equals("image"),
                "--maas.serving.warmup.enabled=false")) {
          double seconds = (System.nanoTime() - t0) / 1e9;
          Matcher scan = last(SCANNED, server.logText());
          Matcher started = last(STARTED, server.logText());
          ready.computeIfAbsent(layout, l -> new ArrayList<>()).add(seconds);
          double scanMs = scan == null ? Double.NaN : Double.parseDouble(scan.group(3));
          scans.computeIfAbsent(layout, l -> new ArrayList<>()).add(scanMs);
          print(
              "startup_round",
              kind,
              n,
              "-",
              "layout=%s round=%d ready_s=%.2f spring_started_s=%s scan_ms=%.0f load=%s",
              layout,
              round,
              seconds,
              started == null ? "?" : started.group(1),
              scanMs,
              loadAverage());
        }
      }
    }
    for (String layout : layouts) {
      print(
          "startup",
          kind,
          n,
          "-",
          "layout=%s ready_s_median=%.2f scan_ms_median=%.0f rounds=%d (target < 5 s)",
          layout,
          median(ready.get(layout)),
          median(scans.get(layout)),
          startupRounds);
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int m = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }

  private PackagedServer start(Path dir, long cacheBytes, boolean first) throws Exception {
    return start(dir, cacheBytes, first, false);
  }

  private PackagedServer start(
      Path dir, long cacheBytes, boolean first, boolean asImage, String... extra) throws Exception {
    int port = PackagedServer.freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (asImage) {
      command.add("-XX:SharedArchiveFile=" + prepared.resolve("maas.jsa").toAbsolutePath());
      command.add("-jar");
      command.add(prepared.resolve("maas.jar").toAbsolutePath().toString());
    } else {
      command.add("-jar");
      command.add(jar.toAbsolutePath().toString());
    }
    command.add("--server.port=" + port);
    command.add("--maas.grpc.port=0"); // several servers on one machine: no fixed gRPC port
    command.add("--maas.serving.cache-size=" + cacheBytes + "B");
    command.add("--maas.security.requests-per-second=0");
    command.add("--logging.level.dev.maas.serving.ModelCache=INFO");
    command.addAll(List.of(extra));
    PackagedServer server =
        PackagedServer.start(command, dir, Map.of(), port, Duration.ofSeconds(300));
    base = server.base();
    if (first) {
      key = server.generatedKey();
    }
    return server;
  }

  // ---- phases -----------------------------------------------------------------------------------

  private void importAll(Kind kind, int n) throws Exception {
    AtomicInteger next = new AtomicInteger();
    runClients(
        8,
        () -> {
          for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
            HttpResponse<String> r =
                send(
                    request("/api/v1/models/" + name(i) + "/versions")
                        .header("Content-Type", "application/octet-stream")
                        .POST(BodyPublishers.ofByteArray(kind.file())));
            if (r.statusCode() != 201) {
              throw new IllegalStateException("import answered " + r.statusCode() + r.body());
            }
          }
        });
  }

  private void listing(Kind kind, int n) throws Exception {
    Random random = new Random(7);
    for (int i = 0; i < 10; i++) {
      check(get("/api/v1/models?offset=0&limit=100"));
    }
    long[] pages = new long[50];
    long[] versions = new long[50];
    for (int i = 0; i < pages.length; i++) {
      int offset = random.nextInt(Math.max(1, n - 100));
      long t = System.nanoTime();
      check(get("/api/v1/models?offset=" + offset + "&limit=100"));
      pages[i] = System.nanoTime() - t;
      t = System.nanoTime();
      check(get("/api/v1/models/" + name(random.nextInt(n)) + "/versions"));
      versions[i] = System.nanoTime() - t;
    }
    print(
        "list",
        kind,
        n,
        "-",
        "models_page100_p50_ms=%.2f p99_ms=%.2f versions_p50_ms=%.2f p99_ms=%.2f",
        pct(pages, 50),
        pct(pages, 99),
        pct(versions, 50),
        pct(versions, 99));
  }

  /**
   * One client on a warm server, each request for a model that the replica of the cache's LRU order
   * says is not loaded: each request loads its model (and unloads another).
   */
  private void coldMisses(Kind kind, int n, String label, Lru lru) throws Exception {
    List<Long> nanos = new ArrayList<>();
    for (int model = 0; model < n && nanos.size() < 200; model++) {
      if (lru.contains(model)) {
        continue;
      }
      lru.touch(model);
      long t = System.nanoTime();
      check(predict(kind, model));
      nanos.add(System.nanoTime() - t);
    }
    long[] all = nanos.stream().mapToLong(Long::longValue).toArray();
    print(
        "miss",
        kind,
        n,
        label,
        "clients=1 requests=%d p50_ms=%.2f p99_ms=%.2f",
        all.length,
        pct(all, 50),
        pct(all, 99));
  }

  /** Uniform traffic over models that stay loaded: the throughput the others are compared with. */
  private void allHits(Kind kind, int n, String label, int models) throws Exception {
    for (int i = 0; i < models; i++) {
      check(predict(kind, i));
    }
    Result r = drive(kind, i -> ThreadLocalRandom.current().nextInt(models), Integer.MAX_VALUE);
    print(
        "all-hit",
        kind,
        n,
        label,
        "models=%d req_per_s=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d",
        models,
        r.perSecond(),
        pct(r.hits(), 50),
        pct(r.hits(), 99),
        r.errors());
    allHitRate.put(kind.name() + n + label, r.perSecond());
  }

  private final Map<String, Double> allHitRate = new ConcurrentHashMap<>();

  private Lru traffic(Kind kind, int n, String label, String dist, int capacity) throws Exception {
    java.util.function.IntUnaryOperator pick;
    if (dist.equals("zipf")) {
      Zipf zipf = new Zipf(n, zipfExponent, 42);
      pick = i -> zipf.next(ThreadLocalRandom.current());
    } else {
      pick = i -> ThreadLocalRandom.current().nextInt(n);
    }
    double hitsBefore = counter(scrape(), "maas_model_cache_requests_total", "hit");
    double missesBefore = counter(scrape(), "maas_model_cache_requests_total", "miss");
    Result r = drive(kind, pick, capacity);
    Lru lru = lastLru;
    String after = scrape();
    double hits = counter(after, "maas_model_cache_requests_total", "hit") - hitsBefore;
    double misses = counter(after, "maas_model_cache_requests_total", "miss") - missesBefore;
    Double allHit = allHitRate.get(kind.name() + n + label);
    print(
        "traffic",
        kind,
        n,
        label,
        "dist=%s req_per_s=%.0f of_all_hit=%s server_hit_ratio=%.3f hits=%d hit_p50_ms=%.2f"
            + " hit_p99_ms=%.2f misses=%d miss_p50_ms=%.2f miss_p99_ms=%.2f errors=%d",
        dist,
        r.perSecond(),
        allHit == null ? "n/a" : String.format(Locale.ROOT, "%.2f", r.perSecond() / allHit),
        hits / Math.max(1, hits + misses),
        r.hits().length,
        pct(r.hits(), 50),
        pct(r.hits(), 99),
        r.misses().length,
        pct(r.misses(), 50),
        pct(r.misses(), 99),
        r.errors());
    return lru;
  }

  private volatile Lru lastLru;

  private record Result(double perSecond, long[] hits, long[] misses, long errors) {}

  /**
   * {@code clients} threads predict on the models {@code pick} draws for a third of the duration
   * (warm-up, untimed) and then the duration. Each request is called a hit or a miss by a replica
   * of the cache's LRU order of {@code capacity} models, shared by the clients (the server's own
   * ratio is printed alongside).
   */
  private Result drive(Kind kind, java.util.function.IntUnaryOperator pick, int capacity)
      throws Exception {
    Lru lru = new Lru(capacity);
    lastLru = lru;
    long warmEnd = System.nanoTime() + (long) (duration / 3 * 1e9);
    long[] window = new long[2];
    List<long[]> hitLists = new ArrayList<>();
    List<long[]> missLists = new ArrayList<>();
    AtomicLong errors = new AtomicLong();
    AtomicLong done = new AtomicLong();
    List<Stats> stats = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      stats.add(new Stats());
    }
    AtomicInteger id = new AtomicInteger();
    window[0] = warmEnd;
    window[1] = warmEnd + (long) (duration * 1e9);
    runClients(
        clients,
        () -> {
          Stats s = stats.get(id.getAndIncrement());
          while (true) {
            long now = System.nanoTime();
            if (now >= window[1]) {
              return;
            }
            int model = pick.applyAsInt(0);
            boolean hit = lru.touch(model);
            long t = System.nanoTime();
            HttpResponse<String> r = predict(kind, model);
            long took = System.nanoTime() - t;
            if (t >= window[0]) {
              if (r.statusCode() != 200) {
                errors.incrementAndGet();
              } else {
                done.incrementAndGet();
                (hit ? s.hits : s.misses).add(took);
              }
            }
          }
        });
    for (Stats s : stats) {
      hitLists.add(s.hits.toArray());
      missLists.add(s.misses.toArray());
    }
    return new Result(done.get() / duration, concat(hitLists), concat(missLists), errors.get());
  }

  private void loadTimes(Kind kind, int n, String label, String log) {
    List<Long> ms = new ArrayList<>();
    long bytes = 0;
    Matcher m = LOADED.matcher(log);
    while (m.find()) {
      bytes = Long.parseLong(m.group(1));
      ms.add(Long.parseLong(m.group(2)));
    }
    long[] nanos = ms.stream().mapToLong(x -> x * 1_000_000).toArray();
    print(
        "load",
        kind,
        n,
        label,
        "model_bytes=%d loads=%d p50_ms=%.0f p99_ms=%.0f (server log, whole ms)",
        bytes,
        nanos.length,
        pct(nanos, 50),
        pct(nanos, 99));
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** An LRU order of model numbers, like the cache's for equal-sized models. */
  private static final class Lru {
    private final LinkedHashMap<Integer, Boolean> order;

    Lru(int capacity) {
      this.order =
          new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Boolean> eldest) {
              return size() > capacity;
            }
          };
    }

    synchronized boolean contains(int model) {
      return order.containsKey(model);
    }

    synchronized boolean touch(int model) {
      return order.put(model, Boolean.TRUE) != null;
    }
  }

  /** Model numbers drawn with probability proportional to 1 / rank^s, ranks shuffled. */
  private static final class Zipf {
    private final double[] cdf;
    private final int[] models;

    Zipf(int n, double s, long seed) {
      cdf = new double[n];
      double sum = 0;
      for (int k = 0; k < n; k++) {
        sum += 1 / Math.pow(k + 1, s);
        cdf[k] = sum;
      }
      for (int k = 0; k < n; k++) {
        cdf[k] /= sum;
      }
      models = new int[n];
      for (int i = 0; i < n; i++) {
        models[i] = i;
      }
      Random random = new Random(seed);
      for (int i = n - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = models[i];
        models[i] = models[j];
        models[j] = t;
      }
    }

    int next(Random random) {
      int k = Arrays.binarySearch(cdf, random.nextDouble());
      k = k < 0 ? -k - 1 : k;
      return models[Math.min(k, models.length - 1)];
    }
  }

  /** Latencies of one client, in nanoseconds. */
  private static final class Stats {
    final Longs hits = new Longs();
    final Longs misses = new Longs();
  }

  private static final class Longs {
    private long[] values = new long[1024];
    private int size;

    void add(long v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    long[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }

  private static long[] concat(List<long[]> parts) {
    return parts.stream().flatMapToLong(Arrays::stream).toArray();
  }

  /** The p-th percentile in milliseconds (NaN when empty). */
  private static double pct(long[] nanos, double p) {
    if (nanos.length == 0) {
      return Double.NaN;
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }

  private interface Work {
    void run() throws Exception;
  }

  private static void runClients(int threads, Work work) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> all = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        all.add(
            pool.submit(
                () -> {
                  work.run();
                  return null;
                }));
      }
      for (Future<?> f : all) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(120))
        .header("Authorization", "Bearer " + key);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
    try {
      return http.send(request.build(), BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private HttpResponse<String> get(String path) throws IOException {
    return send(request(path).GET());
  }

  private HttpResponse<String> predict(Kind kind, int model) throws IOException {
    return send(
        request("/api/v1/models/" + name(model) + "/predict")
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(kind.body())));
  }

  private static void check(HttpResponse<String> r) {
    if (r.statusCode() != 200) {
      throw new IllegalStateException(r.uri() + " answered " + r.statusCode() + ": " + r.body());
    }
  }

  private String scrape() throws IOException {
    HttpResponse<String> r = get("/actuator/prometheus");
    check(r);
    return r.body();
  }

  private static double gauge(String scrape, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.eE+-]+)$").matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  private static double counter(String scrape, String name, String result) {
    Matcher m =
        Pattern.compile("(?m)^" + name + "\\{[^}]*result=\"" + result + "\"[^}]*\\} ([0-9.eE+-]+)$")
            .matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static Matcher last(Pattern p, String text) {
    Matcher m = p.matcher(text);
    Matcher found = null;
    while (m.find()) {
      found = p.matcher(text);
      found.find(m.start());
    }
    return found;
  }

  private static double rssMb(PackagedServer server) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", server.pid() + "", "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return Double.NaN;
  }

  private static void print(
      String what, Kind kind, int n, String budget, String format, Object... args) {
    System.out.printf(
        Locale.ROOT,
        "%-12s %-10s models=%-6d budget=%-4s %s%n",
        what,
        kind.name(),
        n,
        budget,
        String.format(Locale.ROOT, format, args));
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}

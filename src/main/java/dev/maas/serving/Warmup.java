package dev.maas.serving;

import dev.maas.errors.DomainException;
import dev.maas.registry.ModelRegistry;
import dev.maas.registry.ModelVersion;
import dev.maas.registry.RegisteredModel;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.env.Environment;

/**
 * The warm-up ({@code maas.serving.warmup.*}). At start it runs after the web server has started
 * and before the application is ready, so the readiness probe answers 503 until it ends:
 *
 * <ol>
 *   <li>it loads the versions in use of the most recently updated models (each version an alias
 *       points at, and the version a request naming neither serves), as many as the cache's budget
 *       holds;
 *   <li>it sends synthetic prediction requests to them through the server's own port, on as many
 *       keep-alive connections as {@code concurrency} (the batcher's merged path is compiled too):
 *       native bodies of one row (integers and decimals), named each way clients name the version
 *       (no version nor alias, an alias, its number), of a few rows, and Open Inference Protocol
 *       bodies, with a key the server made for itself that is refused once it is ready. A JVM that
 *       has just started interprets the request path; the requests go on until the JIT compilers
 *       have been quiet for a while (the JVM's total compilation time stops growing), {@code
 *       duration} has passed, or {@code ready-within} has since the JVM started;
 *   <li>none of it is metered as clients' traffic ({@link SyntheticTraffic}), but it runs the same
 *       code: the serving meters record it in twins that are never scraped, and its HTTP
 *       observations make no meter.
 * </ol>
 *
 * <p>While the server runs, it checks the same models every second and loads (and warms with direct
 * calls) a version an alias has come to point at, or a new latest version, before the first request
 * for it would have to, within the budget.
 */
final class Warmup implements ApplicationRunner, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Warmup.class);

  /** Rows of the multi-row bodies: enough to take the batched path of a model. */
  static final int BATCH_ROWS = 8;

  /** How often compilation is sampled, and how many quiet samples in a row end the warm-up. */
  private static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private static final int QUIET_SAMPLES = 3;

  /** Compilation time (summed over the compiler threads) per sample under which it is quiet. */
  private static final long QUIET_COMPILE_MS = 20;

  /** The least time requests are sent, so that the first compilations have begun. */
  private static final long MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);

  private final ModelRegistry registry;
  private final ModelCache cache;
  private final ServingProperties.Warmup settings;
  private final Environment environment;
  private final Supplier<String> key;
  private final SyntheticTraffic traffic;
  private volatile ScheduledExecutorService follower;
  private final AtomicLong answered = new AtomicLong();

  Warmup(
      ModelRegistry registry,
      ModelCache cache,
      ServingProperties.Warmup settings,
      Environment environment,
      Supplier<String> key,
      SyntheticTraffic traffic) {
    this.registry = registry;
    this.cache = cache;
    this.settings = settings;
    this.environment = environment;
    this.key = key;
    this.traffic = traffic;
  }

  /** A request to send: the path and a body the model accepts. */
  record Target(String path, byte[] body) {}

  /**
   * A version in use and how clients name it: {@code byDefault} when a request that names neither a
   * version nor an alias gets it, and the aliases that point at it.
   */
  record InUse(ModelVersion version, boolean byDefault, List<String> aliases) {}

  @Override
  public void run(ApplicationArguments args) {
    if (!settings.enabled()) {
      return;
    }
    int port = environment.getProperty("local.server.port", Integer.class, 0);
    long start = System.nanoTime();
    List<InUse> versions = loadInUse();
    if (!versions.isEmpty() && port > 0 && !settings.duration().isZero()) {
      List<Target> targets = new ArrayList<>();
      for (InUse v : versions) {
        try (ModelCache.Lease lease = cache.acquireUncounted(v.version())) {
          targets.addAll(targets(v, lease.model().layout()));
        } catch (DomainException | IllegalStateException e) {
          log.info("warm-up: model '{}' is not warmed ({})", v.version().name(), e.getMessage());
        }
      }
      if (!targets.isEmpty()) {
        traffic.open();
        try {
          send(port, targets, start);
        } finally {
          traffic.close();
        }
      }
    }
    follower =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "maas-warmup-follow");
              t.setDaemon(true);
              return t;
            });
    follower.scheduleWithFixedDelay(this::followQuietly, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * The versions in use of the {@code max-models} most recently updated models, each loaded now
   * (within the budget): the ones an alias points at, and the one a request naming neither gets.
   */
  List<InUse> loadInUse() {
    List<InUse> loaded = new ArrayList<>();
    for (InUse u : inUse()) {
      ModelVersion v = u.version();
      try {
        if (cache.preload(v)) {
          loaded.add(u);
        }
      } catch (DomainException | IllegalStateException e) {
        log.info(
            "warm-up: model '{}' version {} is not loaded ({})",
            v.name(),
            v.version(),
            e.getMessage());
      }
    }
    return loaded;
  }

  private List<InUse> inUse() {
    // The max-models most recently updated, newest first: a bounded heap, since this runs every
    // second and a registry may hold thousands of models.
    Comparator<RegisteredModel> byUpdate = Comparator.comparing(RegisteredModel::updatedAt);
    PriorityQueue<RegisteredModel> newest = new PriorityQueue<>(byUpdate);
    for (RegisteredModel m : registry.models(null, null, null)) {
      newest.add(m);
      if (newest.size() > settings.maxModels()) {
        newest.poll();
      }
    }
    List<RegisteredModel> models = new ArrayList<>(newest);
    models.sort(byUpdate.reversed());
    List<InUse> versions = new ArrayList<>();
    for (RegisteredModel m : models) {
      Integer production = m.aliases().get(Predictor.DEFAULT_ALIAS);
      int byDefault = production != null ? production : m.latestVersion();
      Map<Integer, List<String>> aliases = new LinkedHashMap<>();
      aliases.put(byDefault, new ArrayList<>());
      m.aliases()
          .forEach((alias, n) -> aliases.computeIfAbsent(n, k -> new ArrayList<>()).add(alias));
      for (Map.Entry<Integer, List<String>> e : aliases.entrySet()) {
        int n = e.getKey();
        if (n < 1) {
          continue;
        }
        try {
          versions.add(new InUse(registry.version(m.name(), n), n == byDefault, e.getValue()));
        } catch (DomainException ex) {
          // deleted meanwhile
        }
      }
    }
    return versions;
  }

  /** Loads versions that came into use since the last look (an alias moved, a new version). */
  private void followQuietly() {
    try {
      loadInUse();
    } catch (RuntimeException e) {
      log.warn("warm-up: loading the versions in use failed", e);
    }
  }

  /**
   * The requests the warm-up sends a version, named the way clients name it (the JIT compiles the
   * paths requests take, and a path it has not seen runs interpreted): a native body of 1 row each
   * way (no version nor alias when it is the model's default, each alias that points at it, and its
   * number), one of a few rows, and the Open Inference Protocol's.
   */
  static List<Target> targets(InUse v, InputLayout layout) {
    String name = URLEncoder.encode(v.version().name(), StandardCharsets.UTF_8);
    int number = v.version().version();
    String predict = "/api/v1/models/" + name + "/predict";
    List<String> ways = new ArrayList<>();
    if (v.byDefault()) {
      ways.add(predict);
    }
    for (String alias : v.aliases()) {
      ways.add(predict + "?alias=" + URLEncoder.encode(alias, StandardCharsets.UTF_8));
    }
    ways.add(predict + "?version=" + number);
    List<Target> targets = new ArrayList<>();
    byte[] one = body(layout, 1);
    for (String path : ways) {
      targets.add(new Target(path, one));
    }
    targets.add(new Target(ways.get(0), body(layout, BATCH_ROWS)));
    if (!layout.raw()) {
      targets.add(
          new Target(
              v.byDefault()
                  ? "/v2/models/" + name + "/infer"
                  : "/v2/models/" + name + "/versions/" + number + "/infer",
              infer(layout, 1)));
    }
    return targets;
  }

  /**
   * The {@code i}th number of a synthetic instance: 0 and 0.5 in turn, so that the JSON parser's
   * integer and decimal paths are both compiled (clients send both; a body of zeros alone left the
   * decimal branches to be compiled, and the code compiled without them thrown away, after ready).
   */
  static String value(int i) {
    return i % 2 == 0 ? "0" : "0.5";
  }

  /** One instance the layout accepts: 0 and 0.5 in the input's shape, or gaps for raw rows. */
  static byte[] body(InputLayout layout) {
    return body(layout, 1);
  }

  /** {@code rows} instances the layout accepts. */
  static byte[] body(InputLayout layout, int rows) {
    StringBuilder b = new StringBuilder("{\"instances\":[");
    for (int r = 0; r < rows; r++) {
      if (r > 0) {
        b.append(',');
      }
      if (layout.raw()) {
        b.append('{');
        List<String> columns = layout.columns();
        for (int i = 0; i < columns.size(); i++) {
          if (i > 0) {
            b.append(',');
          }
          b.append('"').append(columns.get(i).replace("\\", "\\\\").replace("\"", "\\\""));
          b.append("\":null");
        }
        b.append('}');
      } else {
        b.append('[');
        for (int i = 0; i < layout.rowLength(); i++) {
          b.append(i == 0 ? "" : ",").append(value(i));
        }
        b.append(']');
      }
    }
    return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  /** An Open Inference Protocol body of {@code rows} instances (0 and 0.5), flat data. */
  static byte[] infer(InputLayout layout, int rows) {
    StringBuilder b = new StringBuilder("{\"inputs\":[{\"name\":\"");
    b.append(InferenceController.INPUT).append("\",\"shape\":[").append(rows);
    for (int i = 0; i < layout.rank(); i++) {
      b.append(',').append(layout.dim(i));
    }
    b.append("],\"datatype\":\"FP32\",\"data\":[");
    for (int i = 0; i < rows * layout.rowLength(); i++) {
      b.append(i == 0 ? "" : ",").append(value(i));
    }
    return b.append("]}]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Sends the targets on {@code concurrency} connections until compilation is quiet or the duration
   * has passed, and logs what it sent.
   */
  private void send(int port, List<Target> targets, long start) {
    AtomicLong sent = new AtomicLong();
    AtomicLong ok = answered;
    Deadline deadline = deadline(start);
    long end = deadline.end();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    String bearer = key.get();
    for (int t = 0; t < settings.concurrency(); t++) {
      int first = t;
      Thread thread =
          new Thread(
              () -> {
                List<byte[]> requests = new ArrayList<>();
                for (Target target : targets) {
                  requests.add(request(port, target, bearer));
                }
                Connection c = null;
                // The first connection asks every target once even past the end.
                for (int i = first;
                    (!stop.get() && System.nanoTime() < end) || (first == 0 && i < requests.size());
                    i++) {
                  try {
                    if (c == null) {
                      c = new Connection(port);
                    }
                    int status = c.exchange(requests.get(i % requests.size()));
                    sent.incrementAndGet();
                    if (status == 200) {
                      ok.incrementAndGet();
                    }
                    if (c.closed) {
                      c.close();
                      c = null;
                    }
                  } catch (IOException e) {
                    sent.incrementAndGet();
                    if (c != null) {
                      c.close();
                      c = null;
                    }
                  }
                }
                if (c != null) {
                  c.close();
                }
              },
              "maas-warmup-" + t);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
    String why = waitForQuiet(end, deadline.bound());
    stop.set(true);
    for (Thread t : threads) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    log.info(
        "warm-up: {} requests ({} answered 200) to {} request kind(s) in {} ms before ready ({})",
        sent.get(),
        ok.get(),
        targets.size(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
        why);
  }

  /** When the warm-up ends at the latest ({@link System#nanoTime()}), and which setting says so. */
  record Deadline(long end, String bound) {}

  /**
   * The end of a warm-up that began at {@code start}: {@code duration} after it, or {@code
   * ready-within} after the JVM started if that is sooner, but not under a second from now.
   */
  Deadline deadline(long start) {
    long byDuration = start + settings.duration().toNanos();
    if (settings.readyWithin().isZero()) {
      return new Deadline(byDuration, "maas.serving.warmup.duration");
    }
    long now = System.nanoTime();
    long uptime = TimeUnit.MILLISECONDS.toNanos(ManagementFactory.getRuntimeMXBean().getUptime());
    long byReady = Math.max(now - uptime + settings.readyWithin().toNanos(), now + MIN_NANOS);
    return byReady < byDuration
        ? new Deadline(byReady, "maas.serving.warmup.ready-within")
        : new Deadline(byDuration, "maas.serving.warmup.duration");
  }

  /**
   * Waits until the JIT has been quiet for a while (after at least a second) or {@code end}.
   *
   * @return why it stopped, for the log
   */
  private static String waitForQuiet(long end, String bound) {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
    long last = timed ? jit.getTotalCompilationTime() : 0;
    int quiet = 0;
    long from = System.nanoTime();
    while (System.nanoTime() < end) {
      try {
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(SAMPLE_NANOS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted";
      }
      if (!timed) {
        continue;
      }
      long total = jit.getTotalCompilationTime();
      quiet = total - last < QUIET_COMPILE_MS ? quiet + 1 : 0;
      last = total;
      if (quiet >= QUIET_SAMPLES && System.nanoTime() - from >= MIN_NANOS) {
        return String.format(
            Locale.ROOT, "the JIT compilers went quiet, %d ms of compilation in all", total);
      }
    }
    return timed
        ? bound + " ran out, " + jit.getTotalCompilationTime() + " ms compiling"
        : bound + " ran out";
  }

  private static byte[] request(int port, Target target, String bearer) {
    byte[] head =
        ("POST "
                + target.path()
                + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + port
                + "\r\nAuthorization: Bearer "
                + bearer
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + target.body().length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[head.length + target.body().length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(target.body(), 0, all, head.length, target.body().length);
    return all;
  }

  /**
   * One keep-alive HTTP/1.1 connection to the server itself: a few lines of plain socket code, so
   * that the warm-up compiles the server's code rather than an HTTP client's.
   */
  private static final class Connection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final StringBuilder line = new StringBuilder();
    boolean closed;

    Connection(int port) throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(10_000);
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      in = new BufferedInputStream(socket.getInputStream(), 16_384);
      out = socket.getOutputStream();
    }

    /** Sends one request and reads its whole answer; returns its status. */
    int exchange(byte[] request) throws IOException {
      out.write(request);
      out.flush();
      String status = readLine();
      if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
        throw new IOException("not an HTTP/1.1 answer: " + status);
      }
      int code = Integer.parseInt(status.substring(9, 12));
      long length = -1;
      boolean chunked = false;
      for (String h = readLine(); !h.isEmpty(); h = readLine()) {
        String lower = h.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(lower.substring(15).trim());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        } else if (lower.startsWith("connection:") && lower.contains("close")) {
          closed = true;
        }
      }
      if (chunked) {
        for (long size = chunk(); size > 0; size = chunk()) {
          in.skipNBytes(size);
          readLine();
        }
        while (!readLine().isEmpty()) {
          // trailers
        }
      } else if (length >= 0) {
        in.skipNBytes(length);
      } else {
        closed = true;
      }
      return code;
    }

    private long chunk() throws IOException {
      String size = readLine();
      int semicolon = size.indexOf(';');
      return Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
    }

    private String readLine() throws IOException {
      line.setLength(0);
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new IOException("the server closed the connection");
        }
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // nothing to do
      }
    }
  }

  /** How many of the warm-up's requests were answered 200 (for tests). */
  long answered() {
    return answered.get();
  }

  @Override
  public void close() {
    ScheduledExecutorService f = follower;
    if (f != null) {
      f.shutdownNow();
    }
  }
}

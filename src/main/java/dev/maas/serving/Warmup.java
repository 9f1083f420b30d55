package dev.maas.serving;

import dev.maas.errors.DomainException;
import dev.maas.registry.ModelRegistry;
import dev.maas.registry.ModelVersion;
import dev.maas.registry.RegisteredModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.env.Environment;

/**
 * The warm-up at start ({@code maas.serving.warmup.*}): runs after the web server has started and
 * before the application is ready, so the readiness probe answers 503 until it ends. It loads the
 * version each model serves by default and sends synthetic prediction requests (rows of zeros, or
 * of gaps for raw rows) to the server's own port, with a key the server made for itself that is
 * refused once the server is ready. A JVM that has just started interprets the request path; after
 * a few thousand requests the JIT has compiled it, and clients get full speed from their first
 * request. The requests count in the serving meters like any other.
 */
final class Warmup implements ApplicationRunner {
  private static final Logger log = LoggerFactory.getLogger(Warmup.class);

  private final ModelRegistry registry;
  private final Predictor predictor;
  private final ServingProperties.Warmup settings;
  private final Environment environment;
  private final Supplier<String> key;

  Warmup(
      ModelRegistry registry,
      Predictor predictor,
      ServingProperties.Warmup settings,
      Environment environment,
      Supplier<String> key) {
    this.registry = registry;
    this.predictor = predictor;
    this.settings = settings;
    this.environment = environment;
    this.key = key;
  }

  /** A model to warm: its predict path and a synthetic body its layout accepts. */
  record Target(String path, byte[] body) {}

  @Override
  public void run(ApplicationArguments args) {
    int port = environment.getProperty("local.server.port", Integer.class, 0);
    if (!settings.enabled() || settings.duration().isZero() || port <= 0) {
      return;
    }
    long start = System.nanoTime();
    List<Target> targets = targets();
    if (targets.isEmpty()) {
      return;
    }
    // Loading took its own time (a first request would have paid it); the requests get the rest.
    long deadline = System.nanoTime() + settings.duration().toNanos();
    Counts counts = send(port, targets, deadline);
    log.info(
        "warm-up: {} requests ({} answered 200) to {} model(s) in {} ms before ready",
        counts.sent.get(),
        counts.ok.get(),
        targets.size(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  /** The models to warm, most recently updated first, each loaded now. */
  List<Target> targets() {
    List<RegisteredModel> models = new ArrayList<>(registry.models(null, null, null));
    models.sort(Comparator.comparing(RegisteredModel::updatedAt).reversed());
    List<Target> targets = new ArrayList<>();
    for (RegisteredModel m : models) {
      if (targets.size() >= settings.maxModels()) {
        break;
      }
      try {
        ModelVersion version = predictor.resolve(Protocol.REST, m.name(), null, null);
        try (ModelCache.Lease lease = predictor.lease(Protocol.REST, version)) {
          targets.add(
              new Target(
                  "/api/v1/models/"
                      + java.net.URLEncoder.encode(m.name(), StandardCharsets.UTF_8)
                      + "/predict?version="
                      + version.version(),
                  body(lease.model().layout())));
        }
      } catch (DomainException | IllegalStateException e) {
        log.info("warm-up: model '{}' is not warmed ({})", m.name(), e.getMessage());
      }
    }
    return targets;
  }

  /** One instance the layout accepts: zeros in the input's shape, or gaps for raw rows. */
  static byte[] body(InputLayout layout) {
    StringBuilder b = new StringBuilder("{\"instances\":[");
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
        b.append(i == 0 ? "0" : ",0");
      }
      b.append(']');
    }
    return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private record Counts(AtomicLong sent, AtomicLong ok) {}

  private Counts send(int port, List<Target> targets, long deadline) {
    Counts counts = new Counts(new AtomicLong(), new AtomicLong());
    String bearer = "Bearer " + key.get();
    ExecutorService threads = Executors.newFixedThreadPool(settings.concurrency());
    try {
      for (int t = 0; t < settings.concurrency(); t++) {
        int first = t;
        threads.execute(
            () -> {
              HttpClient http =
                  HttpClient.newBuilder()
                      .version(HttpClient.Version.HTTP_1_1)
                      .connectTimeout(Duration.ofSeconds(2))
                      .build();
              // The first connection asks every model once even past the deadline.
              for (int i = first;
                  System.nanoTime() < deadline || (first == 0 && i < targets.size());
                  i++) {
                Target target = targets.get(i % targets.size());
                try {
                  HttpResponse<byte[]> answer =
                      http.send(
                          HttpRequest.newBuilder(
                                  URI.create("http://127.0.0.1:" + port + target.path()))
                              .timeout(Duration.ofSeconds(5))
                              .header("Authorization", bearer)
                              .header("Content-Type", "application/json")
                              .POST(HttpRequest.BodyPublishers.ofByteArray(target.body()))
                              .build(),
                          HttpResponse.BodyHandlers.ofByteArray());
                  counts.sent.incrementAndGet();
                  if (answer.statusCode() == 200) {
                    counts.ok.incrementAndGet();
                  }
                } catch (java.io.IOException e) {
                  counts.sent.incrementAndGet();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
              }
            });
      }
    } finally {
      threads.shutdown();
    }
    try {
      long left = deadline - System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
      if (!threads.awaitTermination(Math.max(left, 0), TimeUnit.NANOSECONDS)) {
        threads.shutdownNow();
      }
    } catch (InterruptedException e) {
      threads.shutdownNow();
      Thread.currentThread().interrupt();
    }
    return counts;
  }
}

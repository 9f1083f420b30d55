package dev.maas.serving;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The serving side's meters, named in {@link ServingMeterNames}; the cache registers its own
 * gauges. Per model version, the scrape carries a budgeted few series ({@link MetricsProperties})
 * and {@link ServingFigures} the full figures, in the server.
 *
 * <p>Every series whose tags are known ahead exists at zero before its first event, so that a rate
 * over any window counts that event: cache look-ups by result and evictions by reason from the
 * start; errors of the unknown model from the start; a version's REST requests by every outcome
 * (with its rows and latency) when it loads, and its gRPC ones with its first gRPC request; and a
 * model's errors by every kind while one of its versions with detailed meters is loaded. Those
 * error series that are still zero leave the scrape with the model's last such version (the
 * cardinality budget); one that counted an error stays.
 */
final class ServingMetrics {
  /** Latency objectives a dashboard or an alert is likely to ask about. */
  private static final Duration[] SLO = {
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1)
  };

  private final MeterRegistry registry;
  private final ServingFigures figures;
  private final MetricsProperties properties;
  private final Counter cacheHits;
  private final Counter cacheMisses;

  /** Whether these are the warm-up's meters ({@link #synthetic()}). */
  private final boolean twin;

  /** The warm-up's meters, made on first use. */
  private volatile ServingMetrics synthetic;

  /** {@link #SLO} and 1 ns: the bucket of requests that did not wait at all. */
  private static final Duration[] NO_WAIT_AND_SLO = noWaitAndSlo();

  /** Detailed versions loaded per model name: the lifetime of the model's zero error series. */
  private final Map<String, Integer> loadedVersions = new HashMap<>();

  /** The kinds of {@link #error}: before a version is chosen, or while it loads. */
  static final List<String> ERROR_KINDS = List.of("not_found", "bad_request", "load_failed");

  /** The outcomes of a request that reached a version. */
  static final List<String> OUTCOMES = List.of("success", "client_error", "server_error");

  /** The reasons of {@link #eviction}. */
  static final List<String> EVICTION_REASONS = List.of("budget", "unreferenced");

  /** With the default {@code maas.metrics.*} and figures of its own: for tests. */
  ServingMetrics(MeterRegistry registry) {
    this(registry, new ServingFigures(), MetricsProperties.defaults());
  }

  ServingMetrics(MeterRegistry registry, ServingFigures figures, MetricsProperties properties) {
    this(registry, figures, properties, false);
  }

  private ServingMetrics(
      MeterRegistry registry, ServingFigures figures, MetricsProperties properties, boolean twin) {
    this.twin = twin;
    this.registry = registry;
    this.figures = figures;
    this.properties = properties;
    this.cacheHits = cacheRequests("hit");
    this.cacheMisses = cacheRequests("miss");
    for (String reason : EVICTION_REASONS) {
      evictions(reason);
    }
    // a name that is no model's: not found, or a request that names a version and an alias
    errors(Protocol.REST, Predictor.UNKNOWN_MODEL, "not_found");
    errors(Protocol.REST, Predictor.UNKNOWN_MODEL, "bad_request");
  }

  MeterRegistry registry() {
    return registry;
  }

  /**
   * Where the warm-up's requests are metered ({@link SyntheticTraffic}): meters of the same kinds
   * as these, in registries of their own that are never scraped nor read. The warm-up's requests
   * run the very metering code clients' run, so that the JIT has compiled it (and the branches it
   * takes) before the first client's request, and no figure a client sees counts them.
   */
  ServingMetrics synthetic() {
    if (twin) {
      return this;
    }
    ServingMetrics s = synthetic;
    if (s == null) {
      synchronized (this) {
        s = synthetic;
        if (s == null) {
          s =
              new ServingMetrics(
                  new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                  new ServingFigures(),
                  properties,
                  true);
          synthetic = s;
        }
      }
    }
    return s;
  }

  /** This, or {@link #synthetic()} on a thread that serves a warm-up request. */
  private ServingMetrics sink() {
    return SyntheticTraffic.active() ? synthetic() : this;
  }

  ServingFigures figures() {
    return figures;
  }

  /**
   * The meters of one model version, registered when it is loaded and kept by its loaded model,
   * which {@linkplain VersionMeters#close() removes} its scraped ones when it is unloaded. {@code
   * aliased}: an alias points at the version (it gets detailed histograms by default).
   */
  VersionMeters forVersion(String model, int version, String family, boolean aliased) {
    Tags tags = Tags.of("model", model, "version", Integer.toString(version), "family", family);
    MeterRegistry full = figures.registry();
    Timer compute =
        timer(ServingMeterNames.COMPUTE, "One native prediction call (a merged batch)")
            .tags(tags)
            .register(full);
    VersionMeters.Full inServer =
        new VersionMeters.Full(
            outcome(tags, "success", full),
            outcome(tags, "client_error", full),
            outcome(tags, "server_error", full),
            rows(tags, full),
            latency(tags).register(full),
            wait(tags).register(full),
            compute,
            batchSize(tags).register(full));
    boolean detailed = properties.detailed(model, aliased);
    List<Meter> perCall = new ArrayList<>();
    if (detailed) {
      // count and sum only, read from the figures: what compute per row and rows per call need
      perCall.add(
          FunctionTimer.builder(
                  ServingMeterNames.COMPUTE,
                  compute,
                  Timer::count,
                  t -> t.totalTime(TimeUnit.NANOSECONDS),
                  TimeUnit.NANOSECONDS)
              .description("Native prediction calls (merged batches) and their time")
              .tags(tags)
              .register(registry));
      perCall.add(batchSize(tags).register(registry));
      loaded(model);
    }
    return new VersionMeters(
        this,
        model,
        tags,
        inServer,
        perCall,
        detailed,
        twin ? null : () -> synthetic().forVersion(model, version, family, aliased));
  }

  /**
   * A detailed version of {@code model} loaded: its REST error series exist at zero from now on.
   */
  private synchronized void loaded(String model) {
    if (loadedVersions.merge(model, 1, Integer::sum) == 1) {
      for (String kind : ERROR_KINDS) {
        errors(Protocol.REST, model, kind);
      }
    }
  }

  /**
   * A detailed version of {@code model} unloaded: with its last one, the model's error series that
   * are still zero leave the scrape.
   */
  synchronized void unloaded(String model) {
    Integer left = loadedVersions.computeIfPresent(model, (k, n) -> n == 1 ? null : n - 1);
    if (left != null) {
      return;
    }
    for (Counter c : registry.find(ServingMeterNames.ERRORS).tag("model", model).counters()) {
      if (c.count() == 0) {
        registry.remove(c);
      }
    }
  }

  /** The scraped rows counter of a version, for one protocol ({@code tags} name it). */
  Counter scrapedRows(Tags tags) {
    return rows(tags, registry);
  }

  /** The scraped latency of a version: every bucket when detailed, else the configured few. */
  Timer scrapedLatency(Tags tags, boolean detailed) {
    return detailed
        ? latency(tags).register(registry)
        : Timer.builder(ServingMeterNames.LATENCY)
            .description("Whole prediction request, from resolution to answer")
            .serviceLevelObjectives(properties.latencyBuckets().toArray(Duration[]::new))
            .tags(tags)
            .register(registry);
  }

  /** The scraped wait in the batcher of a detailed version. */
  Timer scrapedWait(Tags tags) {
    return wait(tags).register(registry);
  }

  /** A request that failed before or without a model version; {@code model} is a known name. */
  void error(Protocol protocol, String model, String kind) {
    sink().countError(protocol, model, kind);
  }

  private synchronized void countError(Protocol protocol, String model, String kind) {
    errors(protocol, model, kind).increment();
  }

  private Counter errors(Protocol protocol, String model, String kind) {
    return Counter.builder(ServingMeterNames.ERRORS)
        .description("Prediction requests answered with an error, by kind")
        .tags("model", model, "kind", kind, "protocol", protocol.tag())
        .register(registry);
  }

  void cacheRequest(boolean hit) {
    ServingMetrics m = sink();
    (hit ? m.cacheHits : m.cacheMisses).increment();
  }

  void eviction(String reason) {
    evictions(reason).increment();
  }

  private Counter evictions(String reason) {
    return Counter.builder(ServingMeterNames.CACHE_EVICTIONS)
        .description("Model versions unloaded from memory, by reason")
        .tag("reason", reason)
        .register(registry);
  }

  private Counter cacheRequests(String result) {
    return Counter.builder(ServingMeterNames.CACHE_REQUESTS)
        .description("Model cache look-ups, by result")
        .tag("result", result)
        .register(registry);
  }

  /** A version's request counter for one outcome, in {@code into}. */
  static Counter outcome(Tags tags, String outcome, MeterRegistry into) {
    return Counter.builder(ServingMeterNames.PREDICTIONS)
        .description("Prediction requests, by outcome")
        .tags(tags)
        .tag("outcome", outcome)
        .register(into);
  }

  private static Counter rows(Tags tags, MeterRegistry into) {
    return Counter.builder(ServingMeterNames.ROWS)
        .description("Rows (instances) predicted")
        .baseUnit("rows")
        .tags(tags)
        .register(into);
  }

  private static Timer.Builder latency(Tags tags) {
    return timer(ServingMeterNames.LATENCY, "Whole prediction request, from resolution to answer")
        .tags(tags);
  }

  private static Timer.Builder wait(Tags tags) {
    // a bucket for "did not wait" (the heap path records 0): without it a quantile of waits that
    // are all 0 is interpolated inside the first bucket, about 9.9 µs
    return timer(
            ServingMeterNames.WAIT, "Time a request waited for its merged native call to start")
        .serviceLevelObjectives(NO_WAIT_AND_SLO)
        .tags(tags);
  }

  private static DistributionSummary.Builder batchSize(Tags tags) {
    return DistributionSummary.builder(ServingMeterNames.BATCH_SIZE)
        .description("Rows per native prediction call")
        .baseUnit("rows")
        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256)
        .tags(tags);
  }

  private static Duration[] noWaitAndSlo() {
    Duration[] all = new Duration[SLO.length + 1];
    all[0] = Duration.ofNanos(1);
    System.arraycopy(SLO, 0, all, 1, SLO.length);
    return all;
  }

  private static Timer.Builder timer(String name, String description) {
    return Timer.builder(name)
        .description(description)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(10_000))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .serviceLevelObjectives(SLO);
  }
}

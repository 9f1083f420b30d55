package dev.maas.serving;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The serving side's meters, named in {@link ServingMeterNames}; the cache registers its own
 * gauges. Per model version, the scrape carries a budgeted few series ({@link MetricsProperties})
 * and {@link ServingFigures} the full figures, in the server.
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

  /** With the default {@code maas.metrics.*} and figures of its own: for tests. */
  ServingMetrics(MeterRegistry registry) {
    this(registry, new ServingFigures(), MetricsProperties.defaults());
  }

  ServingMetrics(MeterRegistry registry, ServingFigures figures, MetricsProperties properties) {
    this.registry = registry;
    this.figures = figures;
    this.properties = properties;
    this.cacheHits = cacheRequests("hit");
    this.cacheMisses = cacheRequests("miss");
  }

  MeterRegistry registry() {
    return registry;
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
    }
    return new VersionMeters(this, tags, inServer, perCall, detailed);
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
    Counter.builder(ServingMeterNames.ERRORS)
        .description("Prediction requests answered with an error, by kind")
        .tags("model", model, "kind", kind, "protocol", protocol.tag())
        .register(registry)
        .increment();
  }

  void cacheRequest(boolean hit) {
    (hit ? cacheHits : cacheMisses).increment();
  }

  void eviction(String reason) {
    Counter.builder(ServingMeterNames.CACHE_EVICTIONS)
        .description("Model versions unloaded from memory, by reason")
        .tag("reason", reason)
        .register(registry)
        .increment();
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
    return timer(
            ServingMeterNames.WAIT, "Time a request waited for its merged native call to start")
        .tags(tags);
  }

  private static DistributionSummary.Builder batchSize(Tags tags) {
    return DistributionSummary.builder(ServingMeterNames.BATCH_SIZE)
        .description("Rows per native prediction call")
        .baseUnit("rows")
        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256)
        .tags(tags);
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

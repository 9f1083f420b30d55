package dev.maas.serving;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The serving side's meters, named in {@link ServingMeterNames}; the cache registers its own
 * gauges.
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
  private final Counter cacheHits;
  private final Counter cacheMisses;

  ServingMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.cacheHits = cacheRequests("hit");
    this.cacheMisses = cacheRequests("miss");
  }

  MeterRegistry registry() {
    return registry;
  }

  /** The meters of one model version, registered once and kept by its loaded model. */
  VersionMeters forVersion(String model, int version, String family) {
    Tags tags = Tags.of("model", model, "version", Integer.toString(version), "family", family);
    return new VersionMeters(
        outcome(tags, "success"),
        outcome(tags, "client_error"),
        outcome(tags, "server_error"),
        Counter.builder(ServingMeterNames.ROWS)
            .description("Rows (instances) predicted")
            .baseUnit("rows")
            .tags(tags)
            .register(registry),
        timer(ServingMeterNames.LATENCY, "Whole prediction request, from resolution to answer")
            .tags(tags)
            .register(registry),
        timer(ServingMeterNames.WAIT, "Time a request waited for its merged native call to start")
            .tags(tags)
            .register(registry),
        timer(ServingMeterNames.COMPUTE, "One native prediction call (a merged batch)")
            .tags(tags)
            .register(registry),
        DistributionSummary.builder(ServingMeterNames.BATCH_SIZE)
            .description("Rows per native prediction call")
            .baseUnit("rows")
            .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256)
            .tags(tags)
            .register(registry));
  }

  /** A request that failed before or without a model version; {@code model} is a known name. */
  void error(String model, String kind) {
    Counter.builder(ServingMeterNames.ERRORS)
        .description("Prediction requests answered with an error, by kind")
        .tags("model", model, "kind", kind)
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

  private Counter outcome(Tags tags, String outcome) {
    return Counter.builder(ServingMeterNames.PREDICTIONS)
        .description("Prediction requests, by outcome")
        .tags(tags)
        .tag("outcome", outcome)
        .register(registry);
  }

  private static Timer.Builder timer(String name, String description) {
    return Timer.builder(name)
        .description(description)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(10_000))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .serviceLevelObjectives(SLO);
  }

  /** The meters of one model version. */
  record VersionMeters(
      Counter success,
      Counter clientError,
      Counter serverError,
      Counter rows,
      Timer latency,
      Timer waiting,
      Timer compute,
      DistributionSummary batchSize) {}
}

package dev.maas.capacity;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Imitates what serving records (the meters named in the capacity contract), so that capacity can
 * be tested without serving's code.
 */
final class TestServing {
  private static final Duration[] SLO = {
    Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1)
  };
  private final MeterRegistry registry;

  TestServing(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Records {@code requests} successful requests of {@code rowsPerRequest} rows each; every request
   * waits 1 ms and takes 2 ms more than its share of compute; rows are computed in ND4J calls of
   * {@code batchRows} rows taking {@code perCall} each.
   */
  void serve(
      String model,
      int version,
      String family,
      int requests,
      int rowsPerRequest,
      Duration perCall,
      int batchRows) {
    String[] tags = {"model", model, "version", String.valueOf(version), "family", family};
    // the request counter carries the protocol; rows, latency, wait and the per-call meters do not
    String[] request = {
      "model", model, "version", String.valueOf(version), "family", family, "protocol", "rest"
    };
    Counter predictions =
        Counter.builder("maas.predictions")
            .description("Prediction requests by outcome")
            .tags(request)
            .tag("outcome", "success")
            .register(registry);
    Counter rows =
        Counter.builder("maas.prediction.rows")
            .description("Rows predicted")
            .baseUnit("rows")
            .tags(tags)
            .register(registry);
    Timer latency =
        Timer.builder("maas.prediction.latency")
            .description("Whole prediction request")
            .tags(tags)
            .publishPercentileHistogram()
            .serviceLevelObjectives(SLO)
            .register(registry);
    Timer wait =
        Timer.builder("maas.prediction.wait")
            .description("Queue and batch window per request")
            .tags(tags)
            .publishPercentileHistogram()
            .register(registry);
    Timer compute =
        Timer.builder("maas.prediction.compute")
            .description("ND4J calls, one merged batch each")
            .tags(tags)
            .register(registry);
    DistributionSummary batch =
        DistributionSummary.builder("maas.prediction.batch.size")
            .description("Rows per ND4J call")
            .baseUnit("rows")
            .tags(tags)
            .register(registry);
    long totalRows = (long) requests * rowsPerRequest;
    for (int i = 0; i < requests; i++) {
      predictions.increment();
      rows.increment(rowsPerRequest);
      wait.record(Duration.ofMillis(1));
      latency.record(Duration.ofMillis(3 + i % 3));
    }
    for (long done = 0; done < totalRows; done += batchRows) {
      compute.record(perCall);
      batch.record(batchRows);
    }
  }

  void fail(String model, int version, String family, String outcome, int requests) {
    Counter.builder("maas.predictions")
        .description("Prediction requests by outcome")
        .tags("model", model, "version", String.valueOf(version), "family", family)
        .tags("protocol", "rest", "outcome", outcome)
        .register(registry)
        .increment(requests);
    Counter.builder("maas.prediction.errors")
        .description("Prediction errors by kind")
        .tags("model", model, "kind", outcome, "protocol", "rest")
        .register(registry)
        .increment(requests);
  }

  /**
   * The model cache's gauges and counters, as serving registers them; any that serving itself has
   * registered already are left alone.
   */
  void cache(int loaded, long memoryBytes, long budgetBytes, int hits, int misses, int evictions) {
    if (absent("maas.models.loaded")) {
      Gauge.builder("maas.models.loaded", () -> loaded)
          .description("Model versions loaded")
          .baseUnit("models")
          .register(registry);
    }
    if (absent("maas.models.memory")) {
      Gauge.builder("maas.models.memory", () -> memoryBytes)
          .description("Bytes the loaded models hold")
          .baseUnit("bytes")
          .register(registry);
    }
    if (absent("maas.models.memory.budget")) {
      Gauge.builder("maas.models.memory.budget", () -> budgetBytes)
          .description("Bytes the loaded models may hold (maas.serving.cache-size)")
          .baseUnit("bytes")
          .register(registry);
    }
    if (absent("maas.model.cache.requests")) {
      for (String result : new String[] {"hit", "miss"}) {
        Counter.builder("maas.model.cache.requests")
            .description("Model cache lookups")
            .tag("result", result)
            .register(registry)
            .increment(result.equals("hit") ? hits : misses);
      }
    }
    if (absent("maas.model.cache.evictions")) {
      Counter.builder("maas.model.cache.evictions")
          .description("Models evicted from the cache")
          .register(registry)
          .increment(evictions);
    }
  }

  private boolean absent(String name) {
    return registry.find(name).meter() == null;
  }
}

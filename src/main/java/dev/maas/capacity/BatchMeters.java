package dev.maas.capacity;

import dev.maas.serving.ServingMeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Reads what prediction jobs recorded per model version, by meter name ({@link ServingMeterNames};
 * the jobs register the meters, capacity only reads them): rows scored and the workers' CPU and
 * wall seconds spent reading, predicting and writing them, since the server started.
 */
final class BatchMeters {
  /**
   * @param rows rows scored by prediction jobs
   * @param cpuSeconds the workers' CPU seconds for them, writing the results included
   * @param wallSeconds the workers' wall seconds for them, writing the results included
   */
  record Measured(double rows, double cpuSeconds, double wallSeconds) {}

  private final MeterRegistry registry;

  BatchMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  Measured read(ServingMeters.Key key) {
    return new Measured(
        sum(ServingMeterNames.JOB_ROWS, key),
        sum(ServingMeterNames.JOB_CPU, key),
        sum(ServingMeterNames.JOB_WALL, key));
  }

  private double sum(String name, ServingMeters.Key key) {
    double total = 0;
    for (Counter c :
        registry.find(name).tag("model", key.model()).tag("version", key.version()).counters()) {
      total += c.count();
    }
    return total;
  }
}

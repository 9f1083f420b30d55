package dev.maas.capacity;

import dev.maas.registry.ModelRegistry;
import dev.maas.serving.ServingFigures;
import dev.maas.storage.StorageMetrics;
import dev.maas.storage.StorageProperties;
import dev.maas.training.TrainingJobs;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the capacity report, the forecaster, the start-up FLOP benchmark and the resource meters.
 */
@Configuration(proxyBeanMethods = false)
class CapacityConfiguration {

  @Bean
  FlopRate flopRate(CapacityProperties capacity) {
    return capacity.benchmark() ? FlopRate.measureInBackground() : FlopRate.fixed(Double.NaN);
  }

  @Bean
  CapacityReport capacityReport(
      CostProperties cost,
      CapacityProperties capacity,
      ModelRegistry registry,
      TrainingJobs jobs,
      ServingFigures figures,
      MeterRegistry meters,
      FlopRate flopRate) {
    return new CapacityReport(
        registry,
        jobs,
        new ServingMeters(figures.registry()),
        new BatchMeters(meters),
        new VersionFigures(registry),
        flopRate,
        Prices.of(cost),
        capacity);
  }

  @Bean
  Forecaster forecaster(CostProperties cost, TrainingJobs jobs, FlopRate flopRate) {
    return new Forecaster(jobs::runs, flopRate, Prices.of(cost));
  }

  /** The data directory's used and free bytes (walked at most once a minute). */
  @Bean
  StorageMetrics storageMetrics(StorageProperties storage) {
    return new StorageMetrics(storage.path(), Duration.ofMinutes(1));
  }

  @Bean
  NativeMemoryMetrics nativeMemoryMetrics() {
    return new NativeMemoryMetrics();
  }

  /** The prices and the replica size, so that recording rules can turn usage into cost. */
  @Bean
  MeterBinder costMetrics(CostProperties cost, CapacityProperties capacity, FlopRate flopRate) {
    int cores = capacity.cores();
    return meters -> {
      String currency = cost.currency();
      Gauge.builder("maas.cost.cpu.core.hour", cost::cpuCoreHour)
          .description("Price of one CPU core for one hour (maas.cost.cpu-core-hour)")
          .tag("currency", currency)
          .register(meters);
      Gauge.builder("maas.cost.memory.gib.hour", cost::memoryGibHour)
          .description("Price of one GiB of memory for one hour (maas.cost.memory-gib-hour)")
          .tag("currency", currency)
          .register(meters);
      Gauge.builder("maas.cost.storage.gib.month", cost::storageGibMonth)
          .description("Price of one GiB stored for one month (maas.cost.storage-gib-month)")
          .tag("currency", currency)
          .register(meters);
      Gauge.builder("maas.capacity.replica.cores", () -> cores)
          .description("CPU cores of one serving replica, as the capacity report assumes")
          .register(meters);
      Gauge.builder("maas.capacity.benchmark.flops", flopRate::flopsPerSecondNow)
          .description("FLOP rate of the start-up ND4J matrix-product benchmark (per second)")
          .register(meters);
    };
  }
}

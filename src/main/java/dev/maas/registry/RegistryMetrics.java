package dev.maas.registry;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registry meters: versions and artifact bytes per model ({@code maas.registry.versions}, {@code
 * maas.registry.artifact.bytes}, tag {@code model}) and the number of models. The per-model figures
 * are read from the registry when bound, after every version registered or deleted, and every
 * {@code refresh}, on one daemon thread.
 */
final class RegistryMetrics implements MeterBinder, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RegistryMetrics.class);

  private final ModelRegistry registry;
  private final Duration refresh;
  private ScheduledExecutorService ticker;
  private MultiGauge versions;
  private MultiGauge bytes;
  private volatile int models;

  RegistryMetrics(ModelRegistry registry, Duration refresh) {
    this.registry = registry;
    this.refresh = refresh;
  }

  @Override
  public synchronized void bindTo(MeterRegistry meters) {
    versions =
        MultiGauge.builder("maas.registry.versions")
            .description("Versions of each registered model")
            .register(meters);
    bytes =
        MultiGauge.builder("maas.registry.artifact")
            .description("Bytes of each registered model's artifacts, all versions together")
            .baseUnit("bytes")
            .register(meters);
    Gauge.builder("maas.registry.models", () -> models)
        .description("Registered models")
        .register(meters);
    refresh();
    if (ticker == null) {
      ticker =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "registry-metrics");
                t.setDaemon(true);
                return t;
              });
      long millis = refresh.toMillis();
      ticker.scheduleWithFixedDelay(this::refresh, millis, millis, TimeUnit.MILLISECONDS);
      ScheduledExecutorService t = ticker;
      registry.onChange(
          () -> {
            try {
              t.execute(this::refresh);
            } catch (java.util.concurrent.RejectedExecutionException e) {
              // closing
            }
          });
    }
  }

  /** Reads every model's versions and artifact sizes again. */
  synchronized void refresh() {
    try {
      List<MultiGauge.Row<?>> counts = new ArrayList<>();
      List<MultiGauge.Row<?>> sizes = new ArrayList<>();
      List<RegisteredModel> all = registry.models(null, null, null);
      for (RegisteredModel model : all) {
        List<ModelVersion> list = registry.versions(model.name());
        long total = 0;
        for (ModelVersion v : list) {
          total += v.artifactSize();
        }
        Tags tags = Tags.of("model", model.name());
        counts.add(MultiGauge.Row.of(tags, list.size()));
        sizes.add(MultiGauge.Row.of(tags, total));
      }
      versions.register(counts, true);
      bytes.register(sizes, true);
      models = all.size();
    } catch (RuntimeException e) {
      log.warn("cannot read the registry for its meters: {}", e.toString());
    }
  }

  @Override
  public synchronized void close() {
    if (ticker != null) {
      ticker.shutdownNow();
    }
  }
}

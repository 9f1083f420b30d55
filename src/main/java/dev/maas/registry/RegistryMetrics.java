package dev.maas.registry;

import dev.maas.errors.NotFoundException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registry meters: versions and artifact bytes per model ({@code maas.registry.versions}, {@code
 * maas.registry.artifact.bytes}, tag {@code model}) and the number of models. The series stay
 * within a budget however many models are registered: the {@code metered} models with the most
 * artifact bytes have series of their own, and the others are added up in one series tagged {@code
 * model="_other"}, so that sums over models stay right.
 *
 * <p>The figures are read from the registry when bound, every {@code refresh}, and after versions
 * are registered or deleted, on one daemon thread. Changes in a burst share one reading, and
 * readings after changes are spaced by a few times what the last one took, so that a registry of
 * many models being imported does not spend a core re-reading itself.
 */
final class RegistryMetrics implements MeterBinder, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RegistryMetrics.class);

  /** The {@code model} tag of the series that adds up the models without series of their own. */
  static final String OTHER = "_other";

  /** The longest wait between a change and the reading it asks for. */
  private static final long MAX_SPACING_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final ModelRegistry registry;
  private final Duration refresh;
  private final int metered;
  private final AtomicBoolean pending = new AtomicBoolean();
  private ScheduledExecutorService ticker;
  private MultiGauge versions;
  private MultiGauge bytes;
  private volatile int models;
  private volatile long lastCostNanos;
  private volatile long lastEndNanos = System.nanoTime();

  /**
   * @param metered how many models get series of their own, those with the most artifact bytes
   */
  RegistryMetrics(ModelRegistry registry, Duration refresh, int metered) {
    if (metered < 0) {
      throw new IllegalArgumentException("metered models must not be negative");
    }
    this.registry = registry;
    this.refresh = refresh;
    this.metered = metered;
  }

  @Override
  public synchronized void bindTo(MeterRegistry meters) {
    versions =
        MultiGauge.builder("maas.registry.versions")
            .description("Versions of each registered model (model=\"_other\": the rest together)")
            .register(meters);
    bytes =
        MultiGauge.builder("maas.registry.artifact")
            .description(
                "Bytes of each registered model's artifacts, all versions together"
                    + " (model=\"_other\": the rest together)")
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
      registry.onChange(this::changed);
    }
  }

  /** A version was registered or deleted: read again soon, once for a burst of changes. */
  private void changed() {
    if (!pending.compareAndSet(false, true)) {
      return; // a reading is waiting to start: it will see this change
    }
    long spacing = Math.min(MAX_SPACING_NANOS, 4 * lastCostNanos);
    long delay = Math.max(0, lastEndNanos + spacing - System.nanoTime());
    try {
      ticker.schedule(
          () -> {
            pending.set(false); // a change from now on asks for another reading
            refresh();
          },
          delay,
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /** One model's figures. */
  private record Figures(String name, int versions, long bytes) {}

  /** Reads every model's versions and artifact sizes again. */
  synchronized void refresh() {
    long start = System.nanoTime();
    try {
      List<RegisteredModel> all = registry.models(null, null, null);
      List<Figures> figures = new ArrayList<>(all.size());
      for (RegisteredModel model : all) {
        List<ModelVersion> list;
        try {
          list = registry.versions(model.name());
        } catch (NotFoundException e) {
          continue; // deleted since listed
        }
        long total = 0;
        for (ModelVersion v : list) {
          total += v.artifactSize();
        }
        figures.add(new Figures(model.name(), list.size(), total));
      }
      List<Figures> own = figures;
      int others = 0;
      long otherVersions = 0;
      long otherBytes = 0;
      if (figures.size() > metered) {
        List<Figures> byBytes = new ArrayList<>(figures);
        byBytes.sort(
            Comparator.comparingLong(Figures::bytes).reversed().thenComparing(Figures::name));
        own = byBytes.subList(0, metered);
        for (Figures f : byBytes.subList(metered, byBytes.size())) {
          others++;
          otherVersions += f.versions();
          otherBytes += f.bytes();
        }
      }
      List<MultiGauge.Row<?>> counts = new ArrayList<>(own.size() + 1);
      List<MultiGauge.Row<?>> sizes = new ArrayList<>(own.size() + 1);
      for (Figures f : own) {
        Tags tags = Tags.of("model", f.name());
        counts.add(MultiGauge.Row.of(tags, f.versions()));
        sizes.add(MultiGauge.Row.of(tags, f.bytes()));
      }
      if (others > 0) {
        Tags tags = Tags.of("model", OTHER);
        counts.add(MultiGauge.Row.of(tags, otherVersions));
        sizes.add(MultiGauge.Row.of(tags, otherBytes));
      }
      versions.register(counts, true);
      bytes.register(sizes, true);
      models = figures.size();
    } catch (RuntimeException e) {
      log.warn("cannot read the registry for its meters: {}", e.toString());
    } finally {
      long end = System.nanoTime();
      lastCostNanos = end - start;
      lastEndNanos = end;
    }
  }

  @Override
  public synchronized void close() {
    if (ticker != null) {
      ticker.shutdownNow();
    }
  }
}

package dev.maas.training;

import dev.maas.compute.Family;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The training meters: jobs by state and family, the queue and the workers, and what finished jobs
 * used (duration, rows, CPU time, estimated FLOPs). Every family's and state's series exist at zero
 * from the start, so that a rate over any window counts a family's first job. Events before the
 * binder is bound to a registry are not counted.
 */
final class TrainingMetrics implements MeterBinder {
  static final String JOBS = "maas.training.jobs";
  private static final String[] STATES = {"submitted", "succeeded", "failed", "cancelled"};
  private static final String[] FINAL_STATES = {"succeeded", "failed", "cancelled"};
  private static final Duration[] DURATION_BUCKETS = {
    Duration.ofSeconds(1),
    Duration.ofSeconds(5),
    Duration.ofSeconds(15),
    Duration.ofSeconds(30),
    Duration.ofMinutes(1),
    Duration.ofMinutes(5),
    Duration.ofMinutes(15),
    Duration.ofMinutes(30),
    Duration.ofHours(1),
    Duration.ofHours(3),
    Duration.ofHours(6)
  };

  private final IntSupplier queued;
  private final IntSupplier running;
  private final int queueCapacity;
  private final int workers;
  private volatile MeterRegistry registry;

  TrainingMetrics(IntSupplier queued, IntSupplier running, int queueCapacity, int workers) {
    this.queued = queued;
    this.running = running;
    this.queueCapacity = queueCapacity;
    this.workers = workers;
  }

  @Override
  public void bindTo(MeterRegistry meters) {
    Gauge.builder("maas.training.queue.depth", queued::getAsInt)
        .description("Training jobs waiting for a worker")
        .register(meters);
    Gauge.builder("maas.training.queue.capacity", () -> queueCapacity)
        .description("Training jobs that may wait before a submission is refused with 429")
        .register(meters);
    Gauge.builder("maas.training.running", running::getAsInt)
        .description("Training jobs running now")
        .register(meters);
    Gauge.builder("maas.training.workers", () -> workers)
        .description("Training jobs that may run at the same time")
        .register(meters);
    // Every state and family from zero, so that rates and ratios exist before the first event.
    for (Family family : Family.values()) {
      String name = family.wireName();
      for (String state : STATES) {
        jobs(meters, state, name);
      }
      for (String state : FINAL_STATES) {
        duration(meters, name, state);
      }
      cpu(meters, name);
      rows(meters, name);
      rowsPerSecond(meters, name);
      flops(meters, name);
    }
    this.registry = meters;
  }

  void submitted(String family) {
    MeterRegistry meters = registry;
    if (meters != null) {
      jobs(meters, "submitted", family).increment();
    }
  }

  /** Counts a job that reached a final state, with what it used. */
  void finished(String family, JobState state, JobView.Usage usage) {
    MeterRegistry meters = registry;
    if (meters == null || !state.finished()) {
      return;
    }
    String stateName = state.wireName();
    jobs(meters, stateName, family).increment();
    if (usage == null) {
      return;
    }
    duration(meters, family, stateName)
        .record((long) (usage.wallSeconds() * 1e9), TimeUnit.NANOSECONDS);
    cpu(meters, family).increment(usage.cpuSeconds());
    if (usage.trainingRows() == null || usage.epochs() == null) {
      return;
    }
    double rows = (double) usage.trainingRows() * usage.epochs();
    rows(meters, family).increment(rows);
    if (usage.wallSeconds() > 0) {
      rowsPerSecond(meters, family).record(rows / usage.wallSeconds());
    }
    Double flops = usage.flops();
    if (flops != null) {
      flops(meters, family).increment(flops);
    }
  }

  private static Timer duration(MeterRegistry meters, String family, String state) {
    return Timer.builder("maas.training.duration")
        .description("Wall time of finished training jobs")
        .tags("family", tag(family), "state", state)
        .serviceLevelObjectives(DURATION_BUCKETS)
        .register(meters);
  }

  private static Counter cpu(MeterRegistry meters, String family) {
    return Counter.builder("maas.training.cpu")
        .description("CPU time of training worker threads")
        .baseUnit("seconds")
        .tags("family", tag(family))
        .register(meters);
  }

  private static Counter rows(MeterRegistry meters, String family) {
    return Counter.builder("maas.training.rows")
        .description("Training rows processed (rows x epochs run)")
        .baseUnit("rows")
        .tags("family", tag(family))
        .register(meters);
  }

  private static DistributionSummary rowsPerSecond(MeterRegistry meters, String family) {
    return DistributionSummary.builder("maas.training.rows.per.second")
        .description("Rows x epochs per second of wall time, per finished job")
        .tags("family", tag(family))
        .register(meters);
  }

  private static Counter flops(MeterRegistry meters, String family) {
    return Counter.builder("maas.training.flops")
        .description("Estimated floating-point operations of training (analytic count)")
        .baseUnit("flops")
        .tags("family", tag(family))
        .register(meters);
  }

  private static Counter jobs(MeterRegistry meters, String state, String family) {
    return Counter.builder(JOBS)
        .description("Training jobs by state: submitted, then succeeded, failed or cancelled")
        .baseUnit("jobs")
        .tags("state", state, "family", tag(family))
        .register(meters);
  }

  private static String tag(String family) {
    return family == null ? "unknown" : family;
  }
}

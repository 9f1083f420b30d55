package dev.maas.batch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;

/**
 * The prediction-job meters: jobs by state and model, rows scored and the worker's CPU seconds by
 * model, and each finished job's wall time. A model's series all exist at zero once its first job
 * is submitted (the states it has not reached, its rows, CPU and durations), so that rates count
 * every later event. Events before the binder is bound to a registry are not counted.
 */
final class PredictionJobMetrics implements MeterBinder {
  static final String JOBS = "maas.prediction.jobs";
  private static final String[] STATES = {"submitted", "succeeded", "failed", "cancelled"};
  private static final String[] FINAL_STATES = {"succeeded", "failed", "cancelled"};

  private volatile MeterRegistry registry;

  @Override
  public void bindTo(MeterRegistry meters) {
    this.registry = meters;
  }

  void submitted(String model) {
    MeterRegistry meters = registry;
    if (meters != null) {
      for (String state : STATES) {
        jobs(meters, state, model);
      }
      for (String state : FINAL_STATES) {
        duration(meters, model, state);
      }
      rows(meters, model);
      cpu(meters, model);
      jobs(meters, "submitted", model).increment();
    }
  }

  /** A chunk of {@code rows} rows scored with {@code cpuNanos} of the worker's CPU time. */
  void scored(String model, int rows, long cpuNanos) {
    MeterRegistry meters = registry;
    if (meters == null) {
      return;
    }
    rows(meters, model).increment(rows);
    cpu(meters, model).increment(cpuNanos / 1e9);
  }

  /** A job that reached a final state, after {@code wall} since it was submitted. */
  void finished(String model, PredictionJobState state, Duration wall) {
    MeterRegistry meters = registry;
    if (meters == null) {
      return;
    }
    jobs(meters, state.wireName(), model).increment();
    duration(meters, model, state.wireName()).record(wall);
  }

  private static Counter rows(MeterRegistry meters, String model) {
    return Counter.builder("maas.prediction.job.rows")
        .description("Rows scored by prediction jobs")
        .baseUnit("rows")
        .tag("model", model)
        .register(meters);
  }

  private static Counter cpu(MeterRegistry meters, String model) {
    return Counter.builder("maas.prediction.job.cpu")
        .description("CPU time of the workers that scored prediction jobs' rows")
        .baseUnit("seconds")
        .tag("model", model)
        .register(meters);
  }

  private static Timer duration(MeterRegistry meters, String model, String state) {
    return Timer.builder("maas.prediction.job.duration")
        .description("Wall time of finished prediction jobs, from submission to their final state")
        .tag("model", model)
        .tag("state", state)
        .register(meters);
  }

  private static Counter jobs(MeterRegistry meters, String state, String model) {
    return Counter.builder(JOBS)
        .description("Prediction jobs by the state they reached")
        .tag("state", state)
        .tag("model", model)
        .register(meters);
  }
}

package dev.maas.batch;

import dev.maas.serving.ServingMeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;

/**
 * The prediction-job meters: jobs by state and model (every state of a model from zero once its
 * first job is submitted, so that rates exist before the first event), and by model and version the
 * rows scored and the worker's CPU and wall seconds spent reading, predicting and writing them (the
 * capacity report's batch cost per million rows), and each finished job's wall time. Events before
 * the binder is bound to a registry are not counted.
 */
final class PredictionJobMetrics implements MeterBinder {
  static final String JOBS = "maas.prediction.jobs";
  private static final String[] STATES = {"submitted", "succeeded", "failed", "cancelled"};

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
      jobs(meters, "submitted", model).increment();
    }
  }

  /**
   * Work of a job on version {@code version} of {@code model}: {@code rows} rows scored (0 for the
   * work of writing the result) with {@code cpuNanos} of the worker's CPU time in {@code
   * wallNanos}.
   */
  void worked(String model, int version, int rows, long cpuNanos, long wallNanos) {
    MeterRegistry meters = registry;
    if (meters == null) {
      return;
    }
    String v = String.valueOf(version);
    Counter.builder(ServingMeterNames.JOB_ROWS)
        .description("Rows scored by prediction jobs")
        .baseUnit("rows")
        .tag("model", model)
        .tag("version", v)
        .register(meters)
        .increment(rows);
    Counter.builder(ServingMeterNames.JOB_CPU)
        .description("CPU time of the workers that read, scored and wrote prediction jobs' rows")
        .baseUnit("seconds")
        .tag("model", model)
        .tag("version", v)
        .register(meters)
        .increment(cpuNanos / 1e9);
    Counter.builder(ServingMeterNames.JOB_WALL)
        .description(
            "Wall time the workers spent reading, scoring and writing prediction jobs' rows")
        .baseUnit("seconds")
        .tag("model", model)
        .tag("version", v)
        .register(meters)
        .increment(wallNanos / 1e9);
  }

  /** A job that reached a final state, after {@code wall} since it was submitted. */
  void finished(String model, PredictionJobState state, Duration wall) {
    MeterRegistry meters = registry;
    if (meters == null) {
      return;
    }
    jobs(meters, state.wireName(), model).increment();
    Timer.builder("maas.prediction.job.duration")
        .description("Wall time of finished prediction jobs, from submission to their final state")
        .tag("model", model)
        .tag("state", state.wireName())
        .register(meters)
        .record(wall);
  }

  private static Counter jobs(MeterRegistry meters, String state, String model) {
    return Counter.builder(JOBS)
        .description("Prediction jobs by the state they reached")
        .tag("state", state)
        .tag("model", model)
        .register(meters);
  }
}

package dev.maas.batch;

import dev.maas.serving.ServingMeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;

/**
 * The prediction-job meters: jobs by state and model, and by model and version the rows scored and
 * the worker's CPU and wall seconds spent reading, predicting and writing them (the capacity
 * report's batch cost per million rows), and each finished job's wall time. Events before the
 * binder is bound to a registry are not counted.
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

  /**
   * A job submitted for version {@code version} of {@code model}: every series of that model and
   * version exists from here at zero (the states it has not reached, its durations, rows, CPU and
   * wall seconds), so that rates count every later event.
   */
  void submitted(String model, int version) {
    MeterRegistry meters = registry;
    if (meters != null) {
      for (String state : STATES) {
        jobs(meters, state, model);
      }
      for (String state : FINAL_STATES) {
        duration(meters, model, state);
      }
      String v = String.valueOf(version);
      rows(meters, model, v);
      cpu(meters, model, v);
      wall(meters, model, v);
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
    rows(meters, model, v).increment(rows);
    cpu(meters, model, v).increment(cpuNanos / 1e9);
    wall(meters, model, v).increment(wallNanos / 1e9);
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

  private static Counter rows(MeterRegistry meters, String model, String version) {
    return Counter.builder(ServingMeterNames.JOB_ROWS)
        .description("Rows scored by prediction jobs")
        .baseUnit("rows")
        .tag("model", model)
        .tag("version", version)
        .register(meters);
  }

  private static Counter cpu(MeterRegistry meters, String model, String version) {
    return Counter.builder(ServingMeterNames.JOB_CPU)
        .description("CPU time of the workers that read, scored and wrote prediction jobs' rows")
        .baseUnit("seconds")
        .tag("model", model)
        .tag("version", version)
        .register(meters);
  }

  private static Counter wall(MeterRegistry meters, String model, String version) {
    return Counter.builder(ServingMeterNames.JOB_WALL)
        .description(
            "Wall time the workers spent reading, scoring and writing prediction jobs' rows")
        .baseUnit("seconds")
        .tag("model", model)
        .tag("version", version)
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

package dev.maas.serving;

/**
 * The names of serving's meters, spelled once: serving registers them ({@code ServingMetrics},
 * {@code ModelCache}; prediction jobs register the {@code JOB_} ones) and the capacity report reads
 * them. They are fixed: dashboards and alerts outside the project use them.
 */
public final class ServingMeterNames {
  /** Requests answered, tagged by model, version and outcome. */
  public static final String PREDICTIONS = "maas.predictions";

  public static final String ROWS = "maas.prediction.rows";
  public static final String LATENCY = "maas.prediction.latency";
  public static final String WAIT = "maas.prediction.wait";

  /** Once per native call. */
  public static final String COMPUTE = "maas.prediction.compute";

  /** Rows per native call. */
  public static final String BATCH_SIZE = "maas.prediction.batch.size";

  public static final String ERRORS = "maas.prediction.errors";
  public static final String CACHE_REQUESTS = "maas.model.cache.requests";
  public static final String CACHE_EVICTIONS = "maas.model.cache.evictions";
  public static final String MODELS_LOADED = "maas.models.loaded";
  public static final String MODEL_MEMORY = "maas.models.memory";
  public static final String MODEL_MEMORY_BUDGET = "maas.models.memory.budget";

  /**
   * Rows scored by prediction jobs, tagged by model and version ({@code batch} registers the job
   * meters, the capacity report reads them for each version's batch cost).
   */
  public static final String JOB_ROWS = "maas.prediction.job.rows";

  /** CPU seconds of the prediction-job workers: reading, predicting and writing rows. */
  public static final String JOB_CPU = "maas.prediction.job.cpu";

  /** Wall seconds the prediction-job workers spent reading, predicting and writing rows. */
  public static final String JOB_WALL = "maas.prediction.job.wall";

  private ServingMeterNames() {}
}

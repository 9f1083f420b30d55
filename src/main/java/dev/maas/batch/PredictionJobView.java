package dev.maas.batch;

import java.time.Instant;
import java.util.List;

/**
 * A prediction job as the API shows it (the prediction job shape of openapi.yaml and docs/api.md).
 *
 * @param id {@code pjob-} and random hex
 * @param state queued, running, succeeded, failed or cancelled
 * @param model the registered model that scores the rows
 * @param modelVersion the version resolved once, at submission, that scores every row
 * @param dataset the input dataset
 * @param passThrough input columns copied into the result, before the predictions
 * @param output labels, probabilities or both
 * @param progress rows scored of the total, the rate and the estimated seconds left
 * @param resultDataset the dataset the job wrote, once succeeded
 * @param error why it failed, or null
 * @param notes what the job did that the caller should know (resumed after a restart)
 * @param createdAt when it was submitted
 * @param startedAt when it last started running, or null
 * @param finishedAt when it reached a final state, or null
 */
record PredictionJobView(
    String id,
    PredictionJobState state,
    String model,
    VersionRef modelVersion,
    String dataset,
    List<String> passThrough,
    PredictionOutput output,
    Progress progress,
    String resultDataset,
    String error,
    List<String> notes,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt) {

  PredictionJobView {
    passThrough = passThrough == null ? List.of() : List.copyOf(passThrough);
    notes = notes == null ? List.of() : List.copyOf(notes);
  }

  /** The version that scores the rows. */
  record VersionRef(String name, int version) {}

  /**
   * @param rowsDone rows scored and committed
   * @param rows rows in the input dataset
   * @param rowsPerSecond rows scored per second since the job last started, or null before its
   *     first chunk
   * @param etaSeconds estimated seconds left, or null before the first chunk
   */
  record Progress(long rowsDone, long rows, Double rowsPerSecond, Double etaSeconds) {}

  /** The plan this view's job runs. */
  PredictionPlan plan() {
    return new PredictionPlan(model, modelVersion.version(), dataset, passThrough, output);
  }
}

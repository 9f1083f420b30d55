package dev.maas.training;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A training job as the API shows it (the job shape of openapi.yaml and docs/api.md).
 *
 * @param id {@code job-} and random hex
 * @param state queued, running, succeeded, failed or cancelled
 * @param model the registered model the job trains a version of
 * @param progress epochs done of the total and the estimated seconds left
 * @param learningCurve the training and validation loss of each epoch so far
 * @param metrics the evaluation on the held-out rows, once succeeded (null without held-out rows)
 * @param modelVersion the version it registered, once succeeded
 * @param usage what the job used: wall and CPU time and peak native memory
 * @param error why it failed, or null
 * @param notes what the job did to the data that the caller should know: rows left out for a
 *     missing target, columns left out of the model, a damaged checkpoint it could not resume from
 * @param attempts each time a worker started the job: more than one when a restart interrupted it
 * @param createdAt when it was submitted
 * @param finishedAt when it reached a final state, or null
 */
record JobView(
    String id,
    JobState state,
    String model,
    Progress progress,
    List<CurvePoint> learningCurve,
    Map<String, Object> metrics,
    VersionRef modelVersion,
    Usage usage,
    String error,
    List<String> notes,
    List<Attempt> attempts,
    Instant createdAt,
    Instant finishedAt) {

  /** How an attempt ended when the server's process stopped or died while it ran. */
  static final String ENDED_BY_RESTART = "restart";

  /** An attempt the server stopped cleanly (a rolling upgrade, a drain): not a process death. */
  static final String ENDED_BY_SHUTDOWN = "shutdown";

  JobView {
    learningCurve = learningCurve == null ? List.of() : List.copyOf(learningCurve);
    notes = notes == null ? List.of() : List.copyOf(notes);
    attempts = attempts == null ? List.of() : List.copyOf(attempts);
  }

  /**
   * One run of a job on a worker.
   *
   * @param startedAt when the worker started it
   * @param resumedFromEpoch the epoch of the checkpoint it carried on from, or null when it started
   *     from the beginning
   * @param endedBy {@value #ENDED_BY_SHUTDOWN} when the server was stopped cleanly while it ran,
   *     {@value #ENDED_BY_RESTART} when the server's process died while it ran; null while it runs
   *     and when it ended the job
   */
  record Attempt(Instant startedAt, Integer resumedFromEpoch, String endedBy) {

    int from() {
      return resumedFromEpoch == null ? 0 : resumedFromEpoch;
    }
  }

  /**
   * @param epoch epochs finished
   * @param epochs epochs requested
   * @param etaSeconds estimated seconds left, or null before the first epoch
   */
  record Progress(int epoch, int epochs, Double etaSeconds) {}

  /**
   * One epoch's losses; a loss that is not a number (no validation split) is null.
   *
   * @param seconds training seconds from the start of training to the end of this epoch (its loss
   *     evaluation included), or null in jobs stored before it was recorded
   */
  record CurvePoint(int epoch, Double trainLoss, Double validationLoss, Double seconds) {

    CurvePoint(int epoch, Double trainLoss, Double validationLoss) {
      this(epoch, trainLoss, validationLoss, null);
    }
  }

  /** The registered version a job produced. */
  record VersionRef(String name, int version) {}

  /**
   * @param wallSeconds time from start to end (or now)
   * @param cpuSeconds CPU time of the training thread
   * @param peakNativeBytes the most off-heap memory this job's training held: its network's
   *     parameters and gradients, the buffers of its passes, the optimizer's state, its step
   *     workspace and an exact solver's buffers (not other jobs' or the loaded models')
   * @param trainingRows rows the model trained on, once known (null in jobs stored before it was
   *     recorded)
   * @param epochs epochs run so far (fewer than requested after early stopping)
   * @param flopsPerRow the model's analytic FLOPs per training row (forward and backward), once the
   *     model exists
   */
  record Usage(
      double wallSeconds,
      double cpuSeconds,
      long peakNativeBytes,
      Long trainingRows,
      Integer epochs,
      Long flopsPerRow) {

    Usage(double wallSeconds, double cpuSeconds, long peakNativeBytes) {
      this(wallSeconds, cpuSeconds, peakNativeBytes, null, null, null);
    }

    /** Estimated FLOPs done: FLOPs per row x rows x epochs, or null while any is unknown. */
    Double flops() {
      return trainingRows == null || epochs == null || flopsPerRow == null
          ? null
          : (double) flopsPerRow * trainingRows * epochs;
    }
  }
}

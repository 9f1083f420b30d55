package dev.maas.training;

import java.util.ArrayList;
import java.util.List;

/**
 * What one finished training job used, for cost and capacity answers.
 *
 * @param jobId the job's id
 * @param model the registered model it trained
 * @param version the version it registered, or null unless it succeeded
 * @param family the family's wire name (null if the request named none)
 * @param state succeeded, failed or cancelled
 * @param wallSeconds wall time from start to end
 * @param cpuSeconds CPU time of the training thread
 * @param peakNativeBytes the highest off-heap memory counted while it ran
 * @param trainingRows rows it trained on, or null if unknown
 * @param epochs epochs it ran, or null if unknown
 * @param flopsPerRow analytic FLOPs per training row (forward and backward), or null if unknown
 * @param epochEnds training seconds from the start of training to the end of each epoch, in order
 *     (empty when the job recorded none); wall time beyond the last is the job's own work (reading
 *     and encoding the data, evaluating, storing the model)
 */
public record TrainingRun(
    String jobId,
    String model,
    Integer version,
    String family,
    String state,
    double wallSeconds,
    double cpuSeconds,
    long peakNativeBytes,
    Long trainingRows,
    Integer epochs,
    Long flopsPerRow,
    List<Double> epochEnds) {

  public TrainingRun {
    epochEnds = epochEnds == null ? List.of() : List.copyOf(epochEnds);
  }

  /** A run without per-epoch times. */
  public TrainingRun(
      String jobId,
      String model,
      Integer version,
      String family,
      String state,
      double wallSeconds,
      double cpuSeconds,
      long peakNativeBytes,
      Long trainingRows,
      Integer epochs,
      Long flopsPerRow) {
    this(
        jobId,
        model,
        version,
        family,
        state,
        wallSeconds,
        cpuSeconds,
        peakNativeBytes,
        trainingRows,
        epochs,
        flopsPerRow,
        null);
  }

  static TrainingRun of(JobView v, String family) {
    JobView.Usage u = v.usage();
    List<Double> ends = new ArrayList<>();
    for (JobView.CurvePoint p : v.learningCurve()) {
      if (p.seconds() == null || p.epoch() != ends.size() + 1) {
        ends = List.of();
        break;
      }
      ends.add(p.seconds());
    }
    return new TrainingRun(
        v.id(),
        v.model(),
        v.modelVersion() == null ? null : v.modelVersion().version(),
        family,
        v.state().wireName(),
        u.wallSeconds(),
        u.cpuSeconds(),
        u.peakNativeBytes(),
        u.trainingRows(),
        u.epochs(),
        u.flopsPerRow(),
        ends);
  }

  /** Whether the run has rows, epochs and FLOPs per row, so it can join a fit of time vs. work. */
  public boolean complete() {
    return trainingRows != null && epochs != null && flopsPerRow != null && epochs > 0;
  }

  /** Estimated FLOPs done: FLOPs per row x rows x epochs; 0 when incomplete. */
  public double flops() {
    return complete() ? (double) flopsPerRow * trainingRows * epochs : 0;
  }
}

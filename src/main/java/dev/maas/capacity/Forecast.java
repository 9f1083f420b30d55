package dev.maas.capacity;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The answer of {@code GET /api/v1/capacity/forecast}.
 *
 * @param family the family forecast
 * @param rows training rows asked about
 * @param epochs epochs asked about
 * @param method {@code epoch_fit} (a model of per-epoch, per-job and warm-up time from the
 *     per-epoch times of this family's finished jobs), {@code history_fit} (a robust line of whole
 *     jobs' wall times, when too few jobs recorded per-epoch times) or {@code flop_benchmark} (the
 *     analytic FLOP count over a FLOP rate)
 * @param note what the forecast rests on, in words
 * @param flopsPerRow analytic FLOPs per training row: of the spec given, else of the family's
 *     latest job
 * @param flops flopsPerRow x rows x epochs
 * @param wallSeconds the forecast wall time
 * @param wallSecondsLow lower end of the 95% prediction interval (fit only)
 * @param wallSecondsHigh upper end of the 95% prediction interval (fit only)
 * @param cpuSeconds the forecast CPU time
 * @param peakMemoryBytes the memory assumed held throughout (the largest peak of past jobs)
 * @param cost the forecast cost, in {@code currency}
 * @param currency the currency of {@code cost}
 * @param fit the fit, when one was made
 * @param benchmarkFlopsPerSecond the start-up matrix-product benchmark's FLOP rate (fallback)
 * @param achievedFlopsPerSecond the median FLOP rate past jobs achieved, which the fallback uses
 *     instead of the benchmark's when there are any (the family's, else any family's)
 * @param epochFit the per-epoch model, when one was made
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Forecast(
    String family,
    long rows,
    int epochs,
    String method,
    String note,
    Figure flopsPerRow,
    Figure flops,
    Figure wallSeconds,
    Figure wallSecondsLow,
    Figure wallSecondsHigh,
    Figure cpuSeconds,
    Figure peakMemoryBytes,
    Figure cost,
    String currency,
    Fit fit,
    Figure benchmarkFlopsPerSecond,
    Figure achievedFlopsPerSecond,
    EpochFit epochFit) {

  static final String EPOCH_FIT = "epoch_fit";
  static final String HISTORY_FIT = "history_fit";
  static final String FLOP_BENCHMARK = "flop_benchmark";

  /**
   * wall seconds = interceptSeconds + secondsPerFlop x FLOPs, a robust (repeated-median) line.
   *
   * @param jobs the finished jobs fitted
   * @param interceptSeconds the fixed time per job
   * @param secondsPerFlop the time per FLOP
   * @param relativeRmse root mean squared residual over the mean wall time
   * @param residualStdSeconds the residual standard error
   */
  record Fit(
      int jobs,
      double interceptSeconds,
      double secondsPerFlop,
      double relativeRmse,
      double residualStdSeconds) {}

  /**
   * The per-epoch model (see README): wall = ownSecondsFixed + ownSecondsPerRow x rows +
   * warmupSeconds + warmupSecondsPerRow x rows (runs of two epochs or more) + epochs x
   * (epochSecondsFixed + epochSecondsPerFlop x rows x FLOPs per row).
   *
   * @param jobs the finished jobs with per-epoch times it rests on
   * @param epochSecondsFixed a steady epoch's fixed time
   * @param epochSecondsPerFlop a steady epoch's time per FLOP
   * @param epochRelativeRmse the per-epoch line's root mean squared residual over the mean
   * @param epochResidualStdSeconds the per-epoch line's residual standard error
   * @param warmupSeconds the fixed part of the first epoch's time above the job's steady epoch (JIT
   *     compilation, workspaces): the intercept of its robust line against rows, else the median
   *     over jobs
   * @param warmupSecondsPerRow the per-row part of it (the trainer's set-up of the rows before the
   *     first epoch: shuffling, standardizing, encoding), or null when no rising line was fitted
   * @param ownSecondsFixed the fixed time of a job's work outside epochs
   * @param ownSecondsPerRow the time per training row of a job's work outside epochs
   * @param memoryBytesFixed the peak-memory line's intercept (null: the largest peak is used)
   * @param memoryBytesPerRow the peak-memory line's slope per training row
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record EpochFit(
      int jobs,
      double epochSecondsFixed,
      double epochSecondsPerFlop,
      double epochRelativeRmse,
      double epochResidualStdSeconds,
      double warmupSeconds,
      Double warmupSecondsPerRow,
      double ownSecondsFixed,
      double ownSecondsPerRow,
      Double memoryBytesFixed,
      Double memoryBytesPerRow) {}
}

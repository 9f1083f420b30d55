package dev.maas.capacity;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The answer of {@code GET /api/v1/capacity/forecast}.
 *
 * @param family the family forecast
 * @param rows training rows asked about
 * @param epochs epochs asked about
 * @param method {@code history_fit} (least squares over this family's finished jobs) or {@code
 *     flop_benchmark} (the analytic FLOP count over the FLOP rate measured at start)
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
    Figure achievedFlopsPerSecond) {

  static final String HISTORY_FIT = "history_fit";
  static final String FLOP_BENCHMARK = "flop_benchmark";

  /**
   * wall seconds = interceptSeconds + secondsPerFlop x FLOPs, by least squares.
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
}

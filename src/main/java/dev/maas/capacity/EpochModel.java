package dev.maas.capacity;

import dev.maas.training.TrainingRun;
import java.util.ArrayList;
import java.util.List;

/**
 * The time a training job takes, built from what scales, out of the per-epoch times the family's
 * jobs recorded:
 *
 * <pre>
 * wall = (c + e x rows)                  the job's own work: reading, encoding, evaluating, storing
 *      + (w + s x rows)                  the first epoch's time above the job's steady epoch:
 *                                        warm-up (w) and the trainer's set-up of the rows (s)
 *      + epochs x (a + b x rows x FLOPs per row)   steady epochs
 * </pre>
 *
 * A job's steady epoch time is the median of its epochs after the first. The lines are robust fits
 * (Siegel's repeated medians: one job in four far off, e.g. the first job of a fresh JVM, does not
 * move them). When the per-epoch line shows a fixed time per epoch (a > 0) or no per-row cost (b <=
 * 0), the median rate of the three largest jobs replaces it (a = 0): an epoch's work is per row,
 * and such a line is tilted by the warm-up of a fresh JVM's first jobs fading from job to job; the
 * tilted line then gives the interval's lower end. A line of the job's own work or of the set-up
 * that falls with rows is a cold first job's excess: the median of the jobs' times replaces it.
 * One-epoch jobs (exact solvers) have no first-epoch term: their one epoch holds it.
 *
 * <p>The 95% interval adds the halves of the lines' prediction intervals (the per-epoch one times
 * epochs, since a job's epochs share one rate; they grow with the distance beyond the history); its
 * upper end adds {@link #EXTRAPOLATION_ALLOWANCE} of the per-row time forecast beyond the largest
 * job: a run larger than any seen may need memory the process never touched, which costs about ten
 * times as much per byte the first time (bench/forecast-reference: a 10x linear regression whose
 * heap grew from 0.6 to 4.7 GB ran 10-38% slower per row on CPU time).
 */
record EpochModel(
    int jobs,
    LinearFit perEpoch,
    LinearFit alternative,
    LinearFit overhead,
    LinearFit warmup,
    double warmupSeconds,
    double warmupSpread,
    LinearFit memory,
    double largestPeakBytes,
    double largestEpochFlops,
    double largestRows) {

  /**
   * The largest jobs whose median rate replaces a tilted per-epoch line: three, so that one of them
   * slowed by other work on the machine does not set the forecast.
   */
  static final int LARGEST_JOBS = 3;

  /** The share of the per-row time beyond the largest job that the interval allows for. */
  static final double EXTRAPOLATION_ALLOWANCE = 0.2;

  /** The model of {@code runs} (succeeded, of one family), or null with too few usable runs. */
  static EpochModel of(List<TrainingRun> runs) {
    List<double[]> points = new ArrayList<>();
    for (TrainingRun r : runs) {
      List<Double> ends = r.epochEnds();
      if (!r.complete() || ends.size() != r.epochs() || !(r.wallSeconds() > 0)) {
        continue;
      }
      int epochs = ends.size();
      double first = ends.get(0);
      double steady = first;
      if (epochs >= 2) {
        double[] d = new double[epochs - 1];
        for (int i = 1; i < epochs; i++) {
          d[i - 1] = ends.get(i) - ends.get(i - 1);
        }
        steady = LinearFit.median(d);
      }
      double warm = epochs >= 2 ? Math.max(0, first - steady) : 0;
      double own = Math.max(0, r.wallSeconds() - ends.get(epochs - 1));
      points.add(
          new double[] {
            (double) r.flopsPerRow() * r.trainingRows(),
            steady,
            warm,
            r.trainingRows(),
            own,
            r.peakNativeBytes(),
            epochs
          });
    }
    int n = points.size();
    double[] epochFlops = column(points, 0);
    LinearFit perEpoch = LinearFit.robust(epochFlops, column(points, 1));
    if (perEpoch == null) {
      return null;
    }
    // The first epoch's time above a steady one: JIT compilation and workspaces (fixed), and the
    // trainer's set-up before it (shuffling, standardizing and encoding the rows: per row). Only
    // jobs of two epochs or more show it.
    List<double[]> multi = points.stream().filter(p -> p[6] >= 2).toList();
    LinearFit alternative = null;
    if (!(perEpoch.slope() > 0)) {
      // More work never takes less time: warm-up fading over the first jobs hides the per-row
      // cost, and the rate of the largest (warmest) jobs is the best guide left; its interval
      // from the noise about the robust line, as below.
      perEpoch =
          largestJobsRate(epochFlops, column(points, 1), multi.isEmpty())
              .withResidualStd(perEpoch.residualStd());
    } else if (perEpoch.intercept() > 0) {
      // An epoch of the training loop is steps over its rows (and a validation loss pass), an exact
      // solver's one epoch passes over the rows: per row nearly all of it (the loop's set-up is
      // in the first epoch's warm-up). A fixed time per epoch in the line is mostly the warm-up
      // of a fresh JVM's first jobs fading from job to job (each slower per row than the next:
      // bench/forecast-reference), which tilts the line and forecasts a larger run too fast (a
      // 10x CNN run -29%, linear regression -56%); the rate of the largest, warmest jobs does not.
      // The robust line stays as the interval's lower end, in case the fixed time is real.
      alternative = perEpoch;
      // Its interval: the noise about the robust line (the fading is not noise) and the
      // extrapolation's distance, as the robust line's.
      perEpoch =
          largestJobsRate(epochFlops, column(points, 1), multi.isEmpty())
              .withResidualStd(alternative.residualStd());
    }
    double[] rows = column(points, 3);
    double[] own = column(points, 4);
    LinearFit overhead = LinearFit.robust(rows, own);
    if (overhead != null && !(overhead.slope() >= 0)) {
      // A job's own work (reading and encoding its rows, registering the version) never takes
      // less time for more rows; a falling line is a cold first job's excess, which would
      // forecast no own work at all far beyond the history: the median alone, as for set-up.
      overhead = overhead.flatAt(LinearFit.median(own));
    }
    double[] warm = column(multi, 2);
    LinearFit warmLine = LinearFit.robust(column(multi, 3), warm);
    if (warmLine != null && !(warmLine.slope() >= 0)) {
      warmLine = null; // set-up never takes less time for more rows: the median alone
    }
    double warmup = warm.length == 0 ? 0 : LinearFit.median(warm);
    double spread = 0;
    for (double w : warm) {
      spread = Math.max(spread, Math.abs(w - warmup));
    }
    double[] peaks = column(points, 5);
    double largest = 0;
    for (double p : peaks) {
      largest = Math.max(largest, p);
    }
    return new EpochModel(
        n,
        perEpoch,
        alternative,
        overhead,
        warmLine,
        warmup,
        spread,
        LinearFit.robust(rows, peaks),
        largest,
        java.util.Arrays.stream(epochFlops).max().orElse(0),
        java.util.Arrays.stream(rows).max().orElse(0));
  }

  /**
   * The line through the origin at the rate of the {@link #LARGEST_JOBS} largest jobs: their median
   * rate, or for one-epoch jobs (exact solvers) their fastest. A job of epochs measures its steady
   * rate after its first epoch, so what is left is noise either way, and the median keeps one job
   * slowed by other work from setting the forecast; a one-epoch job's only epoch holds whatever the
   * JIT was still compiling, which only ever adds: a fresh server's short solver jobs got faster
   * from job to job up to the largest (linear regression, 200k-500k rows: 577, 405, 363 and 219 ns
   * per row, a 5M-row run 227), so the median forecast 60% high where the fastest is within 10%.
   */
  private static LinearFit largestJobsRate(double[] epochFlops, double[] steady, boolean oneEpoch) {
    return oneEpoch
        ? LinearFit.throughFastestOfLargest(epochFlops, steady, LARGEST_JOBS)
        : LinearFit.throughLargest(epochFlops, steady, LARGEST_JOBS);
  }

  private static double[] column(List<double[]> points, int i) {
    return points.stream().mapToDouble(p -> p[i]).toArray();
  }

  /** Steady seconds per epoch of a run with {@code epochFlops} FLOPs per epoch. */
  double epochSeconds(double epochFlops) {
    return Math.max(0, perEpoch.predict(epochFlops));
  }

  /** The job's own seconds (outside epochs) for {@code rows} training rows. */
  double ownSeconds(double rows) {
    return overhead == null ? 0 : Math.max(0, overhead.predict(rows));
  }

  /**
   * The first epoch's seconds above a steady one for {@code rows} rows: the robust line of the
   * jobs' (warm-up and per-row set-up), else the median of their warm-ups.
   */
  double warmupSeconds(double rows) {
    return warmup == null ? warmupSeconds : Math.max(0, warmup.predict(rows));
  }

  /** The forecast wall seconds of {@code epochs} epochs over {@code rows} rows. */
  double wallSeconds(double rows, double flopsPerRow, int epochs) {
    return ownSeconds(rows)
        + (epochs >= 2 ? warmupSeconds(rows) : 0)
        + epochs * epochSeconds(rows * flopsPerRow);
  }

  /**
   * The forecast wall seconds with the robust per-epoch line that the largest jobs' rate replaced
   * (a fixed time per epoch taken as real), or NaN when none was replaced.
   */
  double alternativeWallSeconds(double rows, double flopsPerRow, int epochs) {
    if (alternative == null) {
      return Double.NaN;
    }
    return ownSeconds(rows)
        + (epochs >= 2 ? warmupSeconds(rows) : 0)
        + epochs * Math.max(0, alternative.predict(rows * flopsPerRow));
  }

  /** Half the width of the forecast's 95% interval. */
  double halfInterval95(double rows, double flopsPerRow, int epochs) {
    double half = epochs * perEpoch.halfInterval95(rows * flopsPerRow);
    if (overhead != null) {
      half += overhead.halfInterval95(rows);
    }
    if (epochs >= 2) {
      half += warmup == null ? warmupSpread : warmup.halfInterval95(rows);
    }
    return half;
  }

  /**
   * What the interval's upper end adds for a run larger than any seen: {@link
   * #EXTRAPOLATION_ALLOWANCE} of its per-row time beyond the largest job (0 within the history's
   * sizes). Only the upper end: a larger run has been measured slower per row, never faster.
   */
  double extrapolationAllowance(double rows, double flopsPerRow, int epochs) {
    double beyond =
        epochs * Math.max(0, perEpoch.slope() * (rows * flopsPerRow - largestEpochFlops));
    if (overhead != null) {
      beyond += Math.max(0, overhead.slope() * (rows - largestRows));
    }
    if (warmup != null && epochs >= 2) {
      beyond += Math.max(0, warmup.slope() * (rows - largestRows));
    }
    return EXTRAPOLATION_ALLOWANCE * beyond;
  }

  /**
   * The peak memory of a run over {@code rows} rows: the Theil-Sen line of the jobs' peaks against
   * rows (the data held grows with rows), or the largest peak seen when there is no rising line.
   */
  double peakBytes(double rows) {
    if (memory == null || !(memory.slope() >= 0)) {
      return largestPeakBytes;
    }
    return Math.max(0, memory.predict(rows));
  }
}

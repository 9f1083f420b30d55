package dev.maas.capacity;

import dev.maas.compute.Family;
import dev.maas.errors.ConflictException;
import dev.maas.errors.InvalidException;
import dev.maas.training.TrainingRun;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Forecasts a training run's wall time, CPU time, memory and cost from the family's recorded jobs:
 * the per-epoch model of {@link EpochModel} when at least 3 finished jobs recorded per-epoch times;
 * else a robust line of wall seconds against FLOPs (rows x epochs x FLOPs per row) when there are
 * at least {@link #MIN_JOBS} finished jobs with distinct work; else the analytic FLOP count over a
 * FLOP rate.
 */
final class Forecaster {
  static final int MIN_JOBS = 3;

  private final Supplier<List<TrainingRun>> history;
  private final FlopRate flopRate;
  private final Prices prices;

  Forecaster(Supplier<List<TrainingRun>> history, FlopRate flopRate, Prices prices) {
    this.history = history;
    this.flopRate = flopRate;
    this.prices = prices;
  }

  /**
   * @param flopsPerRow analytic FLOPs per training row of the spec asked about, or null to take the
   *     family's latest job's
   * @throws InvalidException when there is no FLOP count to go on
   * @throws ConflictException when neither history nor a FLOP rate is there
   */
  Forecast forecast(Family family, long rows, int epochs, Long flopsPerRow) {
    List<TrainingRun> runs = new ArrayList<>();
    List<TrainingRun> anyFamily = new ArrayList<>();
    Long latestPerRow = null;
    for (TrainingRun r : history.get()) {
      if ("succeeded".equals(r.state()) && r.complete() && r.wallSeconds() > 0 && r.flops() > 0) {
        anyFamily.add(r);
      }
      if (!family.wireName().equals(r.family()) || !"succeeded".equals(r.state())) {
        continue;
      }
      if (r.flopsPerRow() != null) {
        latestPerRow = r.flopsPerRow();
      }
      // Exact solvers (least squares, Newton) run no epochs and so follow no rows x epochs law.
      if (r.complete() && r.wallSeconds() > 0) {
        runs.add(r);
      }
    }
    Figure perRow;
    if (flopsPerRow != null) {
      perRow = Figure.estimated(flopsPerRow);
    } else if (latestPerRow != null) {
      perRow = Figure.estimated(latestPerRow);
    } else {
      throw new InvalidException(
          "no finished "
              + family.wireName()
              + " job to take FLOPs per row from: give 'inputShape' (and 'spec')");
    }
    double flops = perRow.value() * rows * epochs;
    double peak = 0;
    double cpuPerWall = 0;
    for (TrainingRun r : runs) {
      peak = Math.max(peak, r.peakNativeBytes());
      cpuPerWall += r.cpuSeconds() / r.wallSeconds();
    }
    double cpuRatio = runs.isEmpty() ? 1 : cpuPerWall / runs.size();
    EpochModel model = EpochModel.of(runs);
    if (model != null) {
      return epochForecast(family, rows, epochs, perRow, flops, model, cpuRatio);
    }
    double[] x = new double[runs.size()];
    double[] y = new double[runs.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = runs.get(i).flops();
      y[i] = runs.get(i).wallSeconds();
    }
    // Robust, as the per-epoch model's lines: the first job of a fresh JVM (cold, often slower
    // than larger warm ones) would tilt a least-squares line down, to a forecast of 0 s at 10x.
    LinearFit fit = LinearFit.robust(x, y);
    if (fit != null && !(fit.slope() > 0)) {
      fit = LinearFit.throughLargest(x, y);
    }
    if (fit != null) {
      double wall = Math.max(0, fit.predict(flops));
      double half = fit.halfInterval95(flops);
      double cpu = wall * cpuPerWall / runs.size();
      return new Forecast(
          family.wireName(),
          rows,
          epochs,
          Forecast.HISTORY_FIT,
          "fewer than "
              + MIN_JOBS
              + " jobs recorded per-epoch times, so: robust (repeated-median) line of wall time against"
              + " rows x epochs x FLOPs per row over "
              + runs.size()
              + " finished "
              + family.wireName()
              + " jobs; interval: 95% prediction interval of the fit",
          perRow,
          Figure.estimated(flops),
          Figure.estimated(wall),
          Figure.estimated(Math.max(0, wall - half)),
          Figure.estimated(wall + half),
          Figure.estimated(cpu),
          Figure.estimated(peak),
          Figure.estimated(prices.training(cpu, wall, peak)),
          prices.currency(),
          new Forecast.Fit(
              fit.n(), fit.intercept(), fit.slope(), fit.relativeRmse(), fit.residualStd()),
          null,
          null,
          null);
    }
    double rate = flopRate.flopsPerSecond();
    if (!(rate > 0)) {
      throw new ConflictException(
          "fewer than "
              + MIN_JOBS
              + " past jobs and no FLOP rate measured at start (maas.capacity.benchmark is off"
              + " or the benchmark failed)");
    }
    // Small models run far below the matrix-product rate (ND4J's per-call overhead), so the rate
    // the family's past jobs achieved, or else any family's, replaces it when there are any.
    List<TrainingRun> calibration = runs.isEmpty() ? anyFamily : runs;
    double[] achieved =
        calibration.stream().mapToDouble(r -> r.flops() / r.wallSeconds()).sorted().toArray();
    double used = rate;
    String basis =
        "the FLOP rate of a matrix-product benchmark measured at start, on one core; small models"
            + " run far below that rate (per-call overhead), so this is a lower bound";
    if (achieved.length > 0) {
      used = achieved[achieved.length / 2];
      basis =
          String.format(
              java.util.Locale.ROOT,
              "the median FLOP rate of %d past %s (%.1f%% of the start-up matrix-product"
                  + " benchmark), since small models run far below the benchmark's rate",
              achieved.length,
              calibration == runs ? family.wireName() + " jobs" : "jobs of other families",
              100 * used / rate);
    }
    double wall = flops / used;
    return new Forecast(
        family.wireName(),
        rows,
        epochs,
        Forecast.FLOP_BENCHMARK,
        "fallback: fewer than "
            + MIN_JOBS
            + " finished "
            + family.wireName()
            + " jobs with distinct work ("
            + runs.size()
            + "), so wall time = analytic FLOPs / "
            + basis,
        perRow,
        Figure.estimated(flops),
        Figure.estimated(wall),
        null,
        null,
        Figure.estimated(wall),
        Figure.estimated(peak),
        Figure.estimated(prices.training(wall, wall, peak)),
        prices.currency(),
        null,
        Figure.measured(rate),
        achieved.length > 0 ? Figure.measured(used) : null,
        null);
  }

  private Forecast epochForecast(
      Family family,
      long rows,
      int epochs,
      Figure perRow,
      double flops,
      EpochModel model,
      double cpuRatio) {
    double wall = model.wallSeconds(rows, perRow.value(), epochs);
    double half = model.halfInterval95(rows, perRow.value(), epochs);
    double allowance = model.extrapolationAllowance(rows, perRow.value(), epochs);
    double low = Math.max(0, wall - half);
    double alternative = model.alternativeWallSeconds(rows, perRow.value(), epochs);
    if (alternative < low) {
      low = alternative;
    }
    double cpu = wall * cpuRatio;
    double peak = model.peakBytes(rows);
    LinearFit e = model.perEpoch();
    LinearFit own = model.overhead();
    LinearFit memory = model.memory();
    return new Forecast(
        family.wireName(),
        rows,
        epochs,
        Forecast.EPOCH_FIT,
        "per-epoch model over "
            + model.jobs()
            + " finished "
            + family.wireName()
            + " jobs: wall = job's own work (c + e x rows) + first epoch's warm-up and set-up (w +"
            + " s x rows) + epochs x steady epoch (a + b x rows x FLOPs per row), robust"
            + " (repeated-median) lines"
            + (model.alternative() != null
                ? ", the steady epoch at the rate of the three largest, warmest jobs (their median,"
                    + " for one-epoch jobs their fastest; a = 0: the smaller jobs' warm-up fading"
                    + " tilted the line)"
                : "")
            + "; interval: the lines' 95% prediction intervals"
            + (model.alternative() != null ? ", below down to the tilted line's forecast" : "")
            + ", and above, 20% of the per-row time beyond the largest job",
        perRow,
        Figure.estimated(flops),
        Figure.estimated(wall),
        Figure.estimated(low),
        Figure.estimated(wall + half + allowance),
        Figure.estimated(cpu),
        Figure.estimated(peak),
        Figure.estimated(prices.training(cpu, wall, peak)),
        prices.currency(),
        null,
        null,
        null,
        new Forecast.EpochFit(
            model.jobs(),
            e.intercept(),
            e.slope(),
            e.relativeRmse(),
            e.residualStd(),
            model.warmup() == null ? model.warmupSeconds() : model.warmup().intercept(),
            model.warmup() == null ? null : model.warmup().slope(),
            own == null ? 0 : own.intercept(),
            own == null ? 0 : own.slope(),
            memory == null || !(memory.slope() >= 0) ? null : memory.intercept(),
            memory == null || !(memory.slope() >= 0) ? null : memory.slope()));
  }
}

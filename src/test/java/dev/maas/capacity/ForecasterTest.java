package dev.maas.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.maas.compute.Family;
import dev.maas.errors.InvalidException;
import dev.maas.training.TrainingRun;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForecasterTest {
  private static final Prices PRICES = Prices.of(new CostProperties(null, 0.04, 0.005, 0.1));
  // The law the synthetic history follows: 1.5 s to start, 2 ns per FLOP.
  private static final double START = 1.5;
  private static final double SECONDS_PER_FLOP = 2e-9;

  /** Jobs of growing size whose wall time follows the law, with +-4% deterministic noise. */
  private static List<TrainingRun> history(String family, int jobs) {
    List<TrainingRun> runs = new ArrayList<>();
    long flopsPerRow = 12_000;
    for (int i = 0; i < jobs; i++) {
      long rows = 1_000L * (i + 1);
      int epochs = 10 + 5 * (i % 3);
      double wall = START + SECONDS_PER_FLOP * flopsPerRow * rows * epochs;
      wall *= 1 + 0.04 * (i % 2 == 0 ? 1 : -1);
      runs.add(
          new TrainingRun(
              "job-" + i,
              "m",
              i + 1,
              family,
              "succeeded",
              wall,
              0.9 * wall,
              64L << 20,
              rows,
              epochs,
              flopsPerRow));
    }
    return runs;
  }

  @Test
  void aHistoryFollowingALinearLawIsRecoveredWithinTenPercentForATenTimesLargerRun() {
    Forecaster forecaster = new Forecaster(() -> history("mlp", 8), FlopRate.fixed(1e9), PRICES);

    Forecast f = forecaster.forecast(Family.MLP, 80_000, 20, null);

    double truth = START + SECONDS_PER_FLOP * 12_000.0 * 80_000 * 20;
    assertThat(f.method()).isEqualTo("history_fit");
    assertThat(f.wallSeconds().value()).isCloseTo(truth, within(0.10 * truth));
    assertThat(f.fit().secondsPerFlop())
        .isCloseTo(SECONDS_PER_FLOP, within(0.1 * SECONDS_PER_FLOP));
    assertThat(f.fit().jobs()).isEqualTo(8);
    assertThat(f.fit().relativeRmse()).isBetween(0.0, 0.1);
    assertThat(f.wallSecondsLow().value()).isLessThan(f.wallSeconds().value());
    assertThat(f.wallSecondsHigh().value()).isGreaterThan(f.wallSeconds().value());
    assertThat(f.cpuSeconds().value()).isCloseTo(0.9 * f.wallSeconds().value(), within(1e-6));
    assertThat(f.wallSeconds().source()).isEqualTo("estimated");
    double cost =
        f.cpuSeconds().value() / 3600 * 0.04 + 64.0 / 1024 * f.wallSeconds().value() / 3600 * 0.005;
    assertThat(f.cost().value()).isCloseTo(cost, within(1e-12));
  }

  // The law of the per-epoch history: a job's own work 0.3 s + 20 us per row; its first epoch
  // 0.4 s (warm-up) + 5 us per row (the trainer's set-up of the rows) slower than a steady one;
  // a steady epoch 1.5 ns per FLOP, all per row (an epoch is steps and a loss pass over its rows).
  private static final double OWN = 0.3;
  private static final double OWN_PER_ROW = 20e-6;
  private static final double EPOCH_PER_FLOP = 1.5e-9;
  private static final double WARMUP = 0.4;
  private static final double SETUP_PER_ROW = 5e-6;

  private static double lawWall(long rows, long flopsPerRow, int epochs) {
    return OWN
        + OWN_PER_ROW * rows
        + WARMUP
        + SETUP_PER_ROW * rows
        + epochs * EPOCH_PER_FLOP * flopsPerRow * rows;
  }

  /**
   * Jobs that record per-epoch times following the law plus {@code epochFixed} seconds per epoch,
   * with {@code noise} (relative, deterministic) on each epoch; the first ran on a cold JVM: 3 s
   * more of its own work, a 2 s first epoch and steady epochs 40% slower; the second and third were
   * still warming up (steady epochs 20% and 10% slower: warm-up fading from job to job, as in a
   * freshly started server).
   */
  private static List<TrainingRun> epochHistory(
      String family, long flopsPerRow, double epochFixed, double noise, long... sizes) {
    List<TrainingRun> runs = new ArrayList<>();
    double[] slower = {1.4, 1.2, 1.1};
    for (int i = 0; i < sizes.length; i++) {
      long rows = sizes[i];
      int epochs = 5 + (i % 2) * 3;
      boolean cold = i == 0;
      double steady =
          (epochFixed + EPOCH_PER_FLOP * flopsPerRow * rows) * (i < slower.length ? slower[i] : 1);
      List<Double> ends = new ArrayList<>();
      double t = 0;
      for (int e = 1; e <= epochs; e++) {
        t += steady * (1 + noise * Math.sin(7.0 * i + 3.0 * e));
        if (e == 1) {
          t += cold ? 2.0 : WARMUP + SETUP_PER_ROW * rows;
        }
        ends.add(t);
      }
      double wall = t + OWN + OWN_PER_ROW * rows + (cold ? 3 : 0);
      runs.add(
          new TrainingRun(
              "job-" + i,
              "m",
              i + 1,
              family,
              "succeeded",
              wall,
              0.95 * wall,
              (100L << 20) + 800L * rows,
              rows,
              epochs,
              flopsPerRow,
              ends));
    }
    return runs;
  }

  @Test
  void perEpochTimesSeparateFixedSetUpAndPerRowCostsAndForecastATenTimesLargerRunWithin10pc() {
    for (long flopsPerRow : new long[] {500, 20_000, 400_000}) {
      List<TrainingRun> runs =
          epochHistory("mlp", flopsPerRow, 0, 0.05, 2_000, 4_000, 8_000, 12_000, 16_000);
      Forecaster forecaster = new Forecaster(() -> runs, FlopRate.fixed(1e9), PRICES);

      Forecast f = forecaster.forecast(Family.MLP, 160_000, 5, null);

      double truth = lawWall(160_000, flopsPerRow, 5);
      assertThat(f.method()).isEqualTo("epoch_fit");
      assertThat(f.note()).contains("per-epoch model over 5 finished mlp jobs");
      assertThat(f.wallSeconds().value())
          .as("flops per row %d", flopsPerRow)
          .isCloseTo(truth, within(0.10 * truth));
      assertThat(f.wallSecondsLow().value()).isLessThanOrEqualTo(truth);
      assertThat(f.wallSecondsHigh().value()).isGreaterThanOrEqualTo(truth);
      // The interval says something: within -50% and +75% of the forecast.
      assertThat(f.wallSeconds().value() - f.wallSecondsLow().value())
          .isLessThan(0.5 * f.wallSeconds().value());
      assertThat(f.wallSecondsHigh().value()).isLessThan(1.75 * f.wallSeconds().value());
      Forecast.EpochFit fit = f.epochFit();
      assertThat(fit.jobs()).isEqualTo(5);
      if (flopsPerRow >= 20_000) { // else the set-up hides the per-FLOP cost in the noise
        assertThat(fit.epochSecondsPerFlop())
            .as("flops per row %d", flopsPerRow)
            .isCloseTo(EPOCH_PER_FLOP, within(0.1 * EPOCH_PER_FLOP));
      }
      if (flopsPerRow <= 20_000) { // else the epochs' noise hides the warm-up
        assertThat(fit.warmupSeconds()).isCloseTo(WARMUP, within(0.1));
      }
      if (flopsPerRow <= 500) { // else the epochs' noise hides the set-up per row
        assertThat(fit.warmupSecondsPerRow()).isCloseTo(SETUP_PER_ROW, within(0.3 * SETUP_PER_ROW));
      }
      assertThat(fit.ownSecondsPerRow()).isCloseTo(OWN_PER_ROW, within(1e-9));
      assertThat(fit.ownSecondsFixed()).isCloseTo(OWN, within(1e-6));
      // Memory grows with the rows held: 100 MiB + 800 bytes per row.
      assertThat(f.peakMemoryBytes().value())
          .isCloseTo((100L << 20) + 800.0 * 160_000, within(1.0));
      assertThat(f.cpuSeconds().value()).isCloseTo(0.95 * f.wallSeconds().value(), within(1e-6));
      assertThat(f.cost().value())
          .isEqualTo(
              PRICES.training(
                  f.cpuSeconds().value(), f.wallSeconds().value(), f.peakMemoryBytes().value()));
    }
  }

  @Test
  void withoutNoiseTheKnownCostsAreRecoveredExactlyDespiteAColdJvmAndWarmUpFadingOverJobs() {
    long flopsPerRow = 20_000;
    List<TrainingRun> runs =
        epochHistory("cnn", flopsPerRow, 0, 0, 4_000, 8_000, 12_000, 16_000, 20_000);

    Forecast f =
        new Forecaster(() -> runs, FlopRate.fixed(1e9), PRICES)
            .forecast(Family.CNN, 200_000, 3, null);

    // The robust line through the warming jobs would forecast 10-20% too fast; the largest job's
    // rate, with the first epoch's set-up per row, is the law exactly.
    double truth = lawWall(200_000, flopsPerRow, 3);
    assertThat(f.wallSeconds().value()).isCloseTo(truth, within(1e-9 * truth));
    Forecast.EpochFit fit = f.epochFit();
    assertThat(fit.epochSecondsFixed()).isZero();
    assertThat(fit.epochSecondsPerFlop()).isCloseTo(EPOCH_PER_FLOP, within(1e-9 * EPOCH_PER_FLOP));
    assertThat(fit.warmupSeconds()).isCloseTo(WARMUP, within(1e-9));
    assertThat(fit.warmupSecondsPerRow()).isCloseTo(SETUP_PER_ROW, within(1e-12));
    assertThat(fit.ownSecondsFixed()).isCloseTo(OWN, within(1e-9));
    assertThat(fit.ownSecondsPerRow()).isCloseTo(OWN_PER_ROW, within(1e-12));
    assertThat(f.wallSecondsLow().value()).isLessThan(truth);
    assertThat(f.wallSecondsHigh().value()).isGreaterThan(truth);
    // Memory: 100 MiB + 800 bytes per row; cost from CPU (0.95 x wall), memory and wall.
    double peak = (100L << 20) + 800.0 * 200_000;
    assertThat(f.peakMemoryBytes().value()).isCloseTo(peak, within(1e-6));
    double cpu = 0.95 * truth;
    assertThat(f.cpuSeconds().value()).isCloseTo(cpu, within(1e-9));
    double cost = cpu / 3600 * 0.04 + peak / (1L << 30) * truth / 3600 * 0.005;
    assertThat(f.cost().value()).isCloseTo(cost, within(1e-9 * cost));
  }

  @Test
  void ownWorkThatAColdFirstJobTiltsDownIsForecastAtItsMedianNotAtZero() {
    // The jobs' own work is a fixed 0.3 s, a little noisy, except the cold first job's: the
    // robust line through them falls with rows, and would forecast no own work at 10x.
    double[] own = {3.3, 0.34, 0.31, 0.29, 0.27};
    List<TrainingRun> law = epochHistory("mlp", 20_000, 0, 0, 2_000, 4_000, 8_000, 12_000, 16_000);
    List<TrainingRun> runs = new ArrayList<>();
    for (int i = 0; i < law.size(); i++) {
      TrainingRun r = law.get(i);
      double wall =
          r.wallSeconds() - OWN - OWN_PER_ROW * r.trainingRows() - (i == 0 ? 3 : 0) + own[i];
      runs.add(
          new TrainingRun(
              r.jobId(),
              r.model(),
              r.version(),
              r.family(),
              r.state(),
              wall,
              0.95 * wall,
              r.peakNativeBytes(),
              r.trainingRows(),
              r.epochs(),
              r.flopsPerRow(),
              r.epochEnds()));
    }

    Forecast f =
        new Forecaster(() -> runs, FlopRate.fixed(1e9), PRICES)
            .forecast(Family.MLP, 160_000, 5, null);

    Forecast.EpochFit fit = f.epochFit();
    assertThat(fit.ownSecondsPerRow()).isZero();
    assertThat(fit.ownSecondsFixed()).isCloseTo(0.31, within(1e-12));
    double truth = lawWall(160_000, 20_000, 5) - OWN - OWN_PER_ROW * 160_000 + 0.3;
    assertThat(f.wallSeconds().value()).isCloseTo(truth, within(0.05 * truth));
    assertThat(f.wallSecondsLow().value()).isLessThan(truth);
    assertThat(f.wallSecondsHigh().value()).isGreaterThan(truth);
  }

  @Test
  void aRunWhoseDataOutgrowsTheMemoryTouchedIsSlowerPerRowAndStillInsideTheInterval() {
    // The 10x run pays a known working-set slowdown the history cannot show: its steady epochs
    // and set-up 15% slower per row (memory touched the first time costs more per byte). The
    // forecast is the law's; the interval's upper end allows 20% of the per-row time beyond the
    // largest job.
    long flopsPerRow = 20_000;
    List<TrainingRun> runs =
        epochHistory("mlp", flopsPerRow, 0, 0, 2_000, 4_000, 8_000, 12_000, 16_000);

    Forecast f =
        new Forecaster(() -> runs, FlopRate.fixed(1e9), PRICES)
            .forecast(Family.MLP, 160_000, 5, null);

    double law = lawWall(160_000, flopsPerRow, 5);
    double slower = law + 0.15 * (SETUP_PER_ROW * 160_000 + 5 * EPOCH_PER_FLOP * 20_000 * 160_000);
    assertThat(f.wallSeconds().value()).isCloseTo(law, within(1e-9 * law));
    assertThat(Math.abs(f.wallSeconds().value() - slower)).isLessThan(0.2 * slower);
    assertThat(f.wallSecondsHigh().value()).isGreaterThan(slower);
    // The allowance: 20% of (epochs x b x (rows - largest job's rows) x FLOPs per row + (e + s) x
    // (rows - largest job's rows)) above the lines' own half-interval, which is 0 without noise.
    double beyond =
        5 * EPOCH_PER_FLOP * 20_000 * (160_000 - 16_000)
            + (OWN_PER_ROW + SETUP_PER_ROW) * (160_000 - 16_000);
    double half = f.wallSeconds().value() - f.wallSecondsLow().value();
    assertThat(f.wallSecondsHigh().value() - f.wallSeconds().value())
        .isCloseTo(half + 0.2 * beyond, within(1e-6 * law));
  }

  @Test
  void aRealFixedTimePerEpochIsWithinTheIntervalWhoseLowEndIsTheRobustLine() {
    // 50 ms per epoch that does not grow with rows (say a checkpoint each epoch): taken for the
    // warm-up fading of the smaller jobs, the forecast is high, and the interval says so.
    long flopsPerRow = 5_000;
    List<TrainingRun> runs =
        epochHistory("mlp", flopsPerRow, 0.05, 0, 2_000, 4_000, 8_000, 12_000, 16_000);

    Forecast f =
        new Forecaster(() -> runs, FlopRate.fixed(1e9), PRICES)
            .forecast(Family.MLP, 160_000, 5, null);

    double truth = lawWall(160_000, flopsPerRow, 5) + 5 * 0.05;
    assertThat(f.wallSeconds().value()).isBetween(truth, 1.3 * truth);
    assertThat(f.wallSecondsLow().value()).isLessThanOrEqualTo(truth);
    assertThat(f.wallSecondsLow().value()).isGreaterThan(0.5 * truth);
    assertThat(f.wallSecondsHigh().value()).isGreaterThan(truth);
    assertThat(f.note()).contains("largest, warmest job").contains("down to the tilted line");
  }

  @Test
  void theWholeJobFitOfTheSameColdHistoryMissesByMoreThanThePerEpochModel() {
    List<TrainingRun> withEpochs =
        epochHistory("mlp", 20_000, 0, 0.05, 2_000, 4_000, 8_000, 16_000);
    List<TrainingRun> wholeJobs =
        withEpochs.stream()
            .map(
                r ->
                    new TrainingRun(
                        r.jobId(),
                        r.model(),
                        r.version(),
                        r.family(),
                        r.state(),
                        r.wallSeconds(),
                        r.cpuSeconds(),
                        r.peakNativeBytes(),
                        r.trainingRows(),
                        r.epochs(),
                        r.flopsPerRow()))
            .toList();
    double truth = lawWall(160_000, 20_000, 5);

    Forecast epoch =
        new Forecaster(() -> withEpochs, FlopRate.fixed(1e9), PRICES)
            .forecast(Family.MLP, 160_000, 5, null);
    Forecast whole =
        new Forecaster(() -> wholeJobs, FlopRate.fixed(1e9), PRICES)
            .forecast(Family.MLP, 160_000, 5, null);

    assertThat(whole.method()).isEqualTo("history_fit");
    assertThat(whole.note()).contains("per-epoch times");
    assertThat(Math.abs(epoch.wallSeconds().value() - truth))
        .isLessThan(Math.abs(whole.wallSeconds().value() - truth));
    assertThat(epoch.wallSeconds().value()).isCloseTo(truth, within(0.10 * truth));
  }

  @Test
  void theWholeJobFitOfAHistoryWhoseFirstJobRanColdStillForecastsTheLaw() {
    // Whole-job times only (jobs stored before per-epoch times were recorded): 0.5 s fixed, 2 ns
    // per FLOP, and the first job of the JVM 1 s slower than the law, slower than the second job,
    // which made a least-squares slope negative and the 10x forecast 0 s.
    List<TrainingRun> runs = new ArrayList<>();
    long flopsPerRow = 10_000;
    long[] sizes = {2_000, 4_000, 6_000, 8_000, 10_000};
    for (int i = 0; i < sizes.length; i++) {
      double wall = 0.5 + 2e-9 * flopsPerRow * sizes[i] * 5 + (i == 0 ? 1.0 : 0);
      wall *= 1 + 0.02 * (i % 2 == 0 ? 1 : -1);
      runs.add(
          new TrainingRun(
              "job-" + i,
              "m",
              i + 1,
              "mlp",
              "succeeded",
              wall,
              wall,
              1L << 20,
              sizes[i],
              5,
              flopsPerRow));
    }
    double truth = 0.5 + 2e-9 * flopsPerRow * 100_000 * 5;

    Forecast f =
        new Forecaster(() -> runs, FlopRate.fixed(1e9), PRICES)
            .forecast(Family.MLP, 100_000, 5, null);

    assertThat(f.method()).isEqualTo("history_fit");
    assertThat(f.wallSeconds().value()).isCloseTo(truth, within(0.10 * truth));
    assertThat(f.wallSecondsLow().value()).isLessThanOrEqualTo(truth);
    assertThat(f.wallSecondsHigh().value()).isGreaterThanOrEqualTo(truth);
    assertThat(f.note()).contains("robust");
  }

  @Test
  void anExactSolversSingleEpochJobsFollowTheLineWithoutWarmUp() {
    List<TrainingRun> runs = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      long rows = 10_000L * i;
      double epoch = 0.01 + 1e-9 * 3_000 * rows;
      runs.add(
          new TrainingRun(
              "job-" + i,
              "m",
              i,
              "linear_regression",
              "succeeded",
              epoch + 0.1,
              epoch,
              1L << 20,
              rows,
              1,
              3_000L,
              List.of(epoch)));
    }
    Forecast f =
        new Forecaster(() -> runs, FlopRate.fixed(1e9), PRICES)
            .forecast(Family.LINEAR_REGRESSION, 400_000, 1, null);

    // Its 10 ms per epoch, taken for warm-up fading, puts the forecast high (the fastest rate of
    // the three largest one-epoch jobs, the 40,000-row one's: 0.13 s / 40,000 rows): within 10%,
    // and the interval, down to the robust line, holds the truth.
    double truth = 0.1 + 0.01 + 1e-9 * 3_000 * 400_000;
    assertThat(f.method()).isEqualTo("epoch_fit");
    assertThat(f.wallSeconds().value()).isCloseTo(0.1 + 0.13 / 40_000 * 400_000, within(1e-9));
    assertThat(f.wallSeconds().value()).isCloseTo(truth, within(0.1 * truth));
    assertThat(f.wallSecondsLow().value()).isLessThanOrEqualTo(truth + 1e-9);
    assertThat(f.wallSecondsHigh().value()).isGreaterThan(truth);
    assertThat(f.epochFit().warmupSeconds()).isZero();
    assertThat(f.epochFit().warmupSecondsPerRow()).isNull();
  }

  @Test
  void oneEpochJobsStillWarmingUpFromJobToJobAreForecastAtTheFastestLargeJobsRate() {
    // An exact solver on a fresh server: 1.5 ns per FLOP once compiled, each job slower than that
    // by what the JIT was still compiling, less from job to job (the first one cold).
    double[] slower = {30, 2.6, 1.8, 1.6, 1.0};
    List<TrainingRun> runs = new ArrayList<>();
    for (int i = 0; i < slower.length; i++) {
      long rows = 100_000L * (i + 1);
      double epoch = EPOCH_PER_FLOP * 300 * rows * slower[i];
      runs.add(
          new TrainingRun(
              "job-" + i,
              "m",
              i + 1,
              "linear_regression",
              "succeeded",
              epoch + OWN,
              epoch + OWN,
              1L << 20,
              rows,
              1,
              300L,
              List.of(epoch)));
    }

    Forecast f =
        new Forecaster(() -> runs, FlopRate.fixed(1e9), PRICES)
            .forecast(Family.LINEAR_REGRESSION, 5_000_000, 1, null);

    // The median rate of the three largest (1.6x) would forecast 58% high.
    double truth = OWN + EPOCH_PER_FLOP * 300 * 5_000_000;
    assertThat(f.wallSeconds().value()).isCloseTo(truth, within(1e-9 * truth));
    assertThat(f.wallSecondsHigh().value()).isGreaterThan(truth);
  }

  @Test
  void warmUpFadingOverSeveralJobsNeverMakesMoreWorkForecastLessTime() {
    // Each job faster per row than the one before, down to the law: a slope at or below 0.
    List<TrainingRun> runs = new ArrayList<>();
    double[] slowdown = {8, 4, 2.5, 1.1, 1.0};
    for (int i = 0; i < slowdown.length; i++) {
      long rows = 10_000L * (i + 1);
      double epoch = 1e-9 * 3_000 * rows * slowdown[i];
      runs.add(
          new TrainingRun(
              "job-" + i,
              "m",
              i + 1,
              "linear_regression",
              "succeeded",
              epoch,
              epoch,
              0,
              rows,
              1,
              3_000L,
              List.of(epoch)));
    }
    Forecast f =
        new Forecaster(() -> runs, FlopRate.fixed(1e9), PRICES)
            .forecast(Family.LINEAR_REGRESSION, 500_000, 1, null);

    // The fastest rate of the three largest one-epoch jobs, the 50,000-row one's (the law): so
    // 500,000 rows in 1.5 s.
    assertThat(f.epochFit().epochSecondsPerFlop()).isPositive();
    assertThat(f.wallSeconds().value()).isCloseTo(1.5, within(0.01));
  }

  @Test
  void aGivenSpecsFlopsPerRowReplaceThoseOfTheLatestJob() {
    Forecaster forecaster = new Forecaster(() -> history("cnn", 5), FlopRate.fixed(1e9), PRICES);

    Forecast f = forecaster.forecast(Family.CNN, 10_000, 10, 24_000L);

    assertThat(f.flops().value()).isEqualTo(24_000.0 * 10_000 * 10);
    double truth = START + SECONDS_PER_FLOP * f.flops().value();
    assertThat(f.wallSeconds().value()).isCloseTo(truth, within(0.10 * truth));
  }

  @Test
  void withoutAnyHistoryTheForecastIsTheFlopCountOverTheBenchmarkAndSaysSo() {
    Forecaster forecaster = new Forecaster(List::of, FlopRate.fixed(4e9), PRICES);

    Forecast f = forecaster.forecast(Family.RNN, 1_000, 10, 50_000L);

    assertThat(f.method()).isEqualTo("flop_benchmark");
    assertThat(f.note()).contains("fallback").contains("fewer than 3").contains("matrix-product");
    assertThat(f.fit()).isNull();
    assertThat(f.benchmarkFlopsPerSecond().value()).isEqualTo(4e9);
    assertThat(f.achievedFlopsPerSecond()).isNull();
    assertThat(f.wallSeconds().value()).isCloseTo(50_000.0 * 1_000 * 10 / 4e9, within(1e-12));
  }

  @Test
  void twoJobsAreNotEnoughForAFitButTheRateTheyAchievedReplacesTheBenchmarks() {
    List<TrainingRun> two = history("mlp", 2);
    Forecaster forecaster = new Forecaster(() -> two, FlopRate.fixed(4e9), PRICES);

    Forecast f = forecaster.forecast(Family.MLP, 1_000, 10, null);

    assertThat(f.method()).isEqualTo("flop_benchmark");
    assertThat(f.flopsPerRow().value()).isEqualTo(12_000);
    double[] rates = two.stream().mapToDouble(r -> r.flops() / r.wallSeconds()).sorted().toArray();
    assertThat(f.achievedFlopsPerSecond().value()).isEqualTo(rates[1]);
    assertThat(f.achievedFlopsPerSecond().source()).isEqualTo("measured");
    assertThat(f.wallSeconds().value()).isCloseTo(12_000.0 * 1_000 * 10 / rates[1], within(1e-9));
    assertThat(f.note()).contains("median FLOP rate").contains("of 2 past mlp jobs");
  }

  @Test
  void otherFamiliesJobsCalibrateTheFallbackOfAFamilyWithoutHistory() {
    Forecaster forecaster = new Forecaster(() -> history("mlp", 2), FlopRate.fixed(4e9), PRICES);

    Forecast f = forecaster.forecast(Family.RNN, 1_000, 10, 50_000L);

    assertThat(f.method()).isEqualTo("flop_benchmark");
    assertThat(f.achievedFlopsPerSecond()).isNotNull();
    assertThat(f.note()).contains("jobs of other families");
  }

  @Test
  void withNeitherHistoryNorASpecThereIsNothingToCountFlopsFrom() {
    Forecaster forecaster = new Forecaster(List::of, FlopRate.fixed(4e9), PRICES);

    assertThatThrownBy(() -> forecaster.forecast(Family.MLP, 1_000, 10, null))
        .isInstanceOf(InvalidException.class)
        .hasMessageContaining("inputShape");
  }
}

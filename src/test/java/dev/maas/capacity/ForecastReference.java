package dev.maas.capacity;

import dev.maas.compute.Activation;
import dev.maas.compute.CnnSpec;
import dev.maas.compute.DenseLayerSpec;
import dev.maas.compute.Examples;
import dev.maas.compute.Family;
import dev.maas.compute.LinearRegressionSpec;
import dev.maas.compute.LogisticRegressionSpec;
import dev.maas.compute.MlpSpec;
import dev.maas.compute.ModelSpec;
import dev.maas.compute.RnnSpec;
import dev.maas.compute.TrainedModel;
import dev.maas.compute.Trainer;
import dev.maas.compute.TrainingParams;
import dev.maas.compute.TrainingResult;
import dev.maas.training.TrainingRun;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * How well the forecast predicts a real run (bench/forecast-reference): for one family, trains a
 * history of five jobs of growing size on synthetic data in a fresh JVM (so the first job runs
 * cold, as on a freshly started server), forecasts a run ten times larger than the largest, then
 * trains it and prints forecast and truth, for the per-epoch model and for the whole-job fit of the
 * same history.
 *
 * <pre>forecast family method rows epochs forecast_s low_s high_s actual_s error inside</pre>
 */
public final class ForecastReference {
  private ForecastReference() {}

  /** A family's bench setup: spec, one example's shape, epochs, smallest history size. */
  record Setup(ModelSpec spec, int[] shape, boolean classes, int epochs, int base) {}

  static Setup setup(String family) {
    return switch (family) {
      case "linear_regression" ->
          new Setup(new LinearRegressionSpec(null), new int[] {32}, false, 1, 100_000);
      case "logistic_regression" ->
          new Setup(new LogisticRegressionSpec(), new int[] {128}, true, 1, 10_000);
      case "mlp" ->
          new Setup(
              new MlpSpec(List.of(new DenseLayerSpec(64, Activation.RELU, 0))),
              new int[] {50},
              false,
              5,
              12_000);
      case "cnn" ->
          new Setup(
              new CnnSpec(
                  List.of(
                      new CnnSpec.ConvLayerSpec(
                          8,
                          3,
                          1,
                          CnnSpec.Padding.SAME,
                          Activation.RELU,
                          new CnnSpec.PoolSpec(CnnSpec.PoolType.MAX, 2))),
                  List.of(new DenseLayerSpec(32, Activation.RELU, 0))),
              new int[] {1, 8, 8},
              true,
              3,
              6_000);
      case "rnn" ->
          new Setup(new RnnSpec(RnnSpec.Cell.LSTM, 16, 1), new int[] {8, 8}, true, 3, 4_000);
      default -> throw new IllegalArgumentException("unknown family " + family);
    };
  }

  public static void main(String[] args) {
    String family = args.length > 0 ? args[0] : "mlp";
    double scale = args.length > 1 ? Double.parseDouble(args[1]) : 1;
    Setup s = setup(family);
    Trainer trainer = new Trainer();
    TrainingParams params = TrainingParams.defaults().withEpochs(s.epochs()).withBatchSize(32);
    int base = (int) Math.max(50, s.base() * scale);
    int[] history = {base, 2 * base, 3 * base, 4 * base, 5 * base};
    List<Run> measured = new ArrayList<>();
    for (int rows : history) {
      Run r = train(trainer, s, params, rows);
      measured.add(r);
      describe("history", family, rows, r);
    }
    int target = 10 * history[history.length - 1];
    int epochs = measured.get(0).ends().size();
    Run actual = train(trainer, s, params, target);
    describe("target", family, target, actual);
    System.out.println(
        "# forecast family basis method rows epochs forecast_s low_s high_s actual_s error inside");
    for (String basis : List.of("wall", "cpu")) {
      List<TrainingRun> runs = new ArrayList<>();
      for (int i = 0; i < history.length; i++) {
        Run r = measured.get(i);
        boolean wall = basis.equals("wall");
        runs.add(
            new TrainingRun(
                "job-" + history[i],
                "bench",
                null,
                family,
                "succeeded",
                wall ? r.wall() : r.cpu(),
                r.cpu(),
                0,
                (long) history[i],
                r.ends().size(),
                r.flopsPerRow(),
                wall ? r.ends() : r.cpuEnds()));
      }
      List<TrainingRun> whole =
          runs.stream()
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
      Prices prices = Prices.of(new CostProperties("USD", 0.04, 0.005, 0.1));
      FlopRate rate = FlopRate.fixed(1e9);
      Family f = Family.fromWireName(family);
      Forecast byEpoch = new Forecaster(() -> runs, rate, prices).forecast(f, target, epochs, null);
      Forecast byJob = new Forecaster(() -> whole, rate, prices).forecast(f, target, epochs, null);
      double truth = basis.equals("wall") ? actual.wall() : actual.cpu();
      for (Forecast fc : List.of(byEpoch, byJob)) {
        double low = fc.wallSecondsLow() == null ? Double.NaN : fc.wallSecondsLow().value();
        double high = fc.wallSecondsHigh() == null ? Double.NaN : fc.wallSecondsHigh().value();
        System.out.printf(
            "forecast %s %s %s %d %d %.3f %.3f %.3f %.3f %+.1f%% %s%n",
            family,
            basis,
            fc.method(),
            target,
            epochs,
            fc.wallSeconds().value(),
            low,
            high,
            truth,
            100 * (fc.wallSeconds().value() - truth) / truth,
            low <= truth && truth <= high ? "yes" : "no");
      }
    }
  }

  /**
   * One run's figures: wall and CPU seconds, the first epoch above a steady one (warm-up and
   * set-up) and a steady epoch (the median after the first) per row, on wall and CPU time.
   */
  private static void describe(String what, String family, int rows, Run r) {
    double steady = steady(r.ends());
    double cpuSteady = steady(r.cpuEnds());
    System.out.printf(
        "# %s %s %d rows x %d epochs: %.3f s wall, %.3f s cpu; steady epoch %.0f ns/row wall,"
            + " %.0f ns/row cpu; first epoch above it %.3f s wall%n",
        what,
        family,
        rows,
        r.ends().size(),
        r.wall(),
        r.cpu(),
        steady / rows * 1e9,
        cpuSteady / rows * 1e9,
        r.ends().get(0) - steady);
  }

  /** The median epoch after the first (the first alone for a one-epoch run). */
  static double steady(List<Double> ends) {
    if (ends.size() < 2) {
      return ends.get(0);
    }
    double[] d = new double[ends.size() - 1];
    for (int i = 1; i < ends.size(); i++) {
      d[i - 1] = ends.get(i) - ends.get(i - 1);
    }
    return LinearFit.median(d);
  }

  /** Wall and thread CPU seconds of the whole call and at each epoch's end. */
  record Run(double wall, List<Double> ends, double cpu, List<Double> cpuEnds, long flopsPerRow) {}

  /** Trains on {@code rows} synthetic rows, timing the whole call and each epoch's end. */
  static Run train(Trainer trainer, Setup s, TrainingParams params, int rows) {
    int features = 1;
    for (int d : s.shape()) {
      features *= d;
    }
    Random random = new Random(rows);
    double[] x = new double[rows * features];
    double[] y = new double[rows];
    String[] labels = new String[rows];
    for (int i = 0; i < rows; i++) {
      double sum = 0;
      for (int j = 0; j < features; j++) {
        x[i * features + j] = random.nextGaussian();
        sum += Math.sin(x[i * features + j]) * ((j % 7) + 1);
      }
      y[i] = sum + 0.1 * random.nextGaussian();
      labels[i] = y[i] > 0 ? "up" : "down";
    }
    Examples data =
        s.classes()
            ? Examples.classification(s.shape(), x, labels)
            : Examples.regression(s.shape(), x, y, 1);
    List<Double> ends = new ArrayList<>();
    List<Double> cpuEnds = new ArrayList<>();
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    long cpuStart = threads.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    TrainingResult result =
        trainer.train(
            s.spec(),
            params,
            data,
            null,
            p -> {
              ends.add(p.elapsed().toNanos() / 1e9);
              cpuEnds.add((threads.getCurrentThreadCpuTime() - cpuStart) / 1e9);
            },
            dev.maas.compute.Cancellation.NEVER);
    try (TrainedModel model = result.model()) {
      double wall = (System.nanoTime() - start) / 1e9;
      double cpu = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
      return new Run(
          wall, List.copyOf(ends), cpu, List.copyOf(cpuEnds), model.flopsPerTrainingRow());
    }
  }
}

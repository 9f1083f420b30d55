package dev.maas.capacity;

import dev.maas.compute.Activation;
import dev.maas.compute.DenseLayerSpec;
import dev.maas.compute.Examples;
import dev.maas.compute.Family;
import dev.maas.compute.MlpSpec;
import dev.maas.compute.TrainedModel;
import dev.maas.compute.Trainer;
import dev.maas.compute.TrainingParams;
import dev.maas.training.TrainingRun;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * How well the forecast predicts a real run (bench/forecast-reference): trains an MLP on synthetic
 * regression data of growing size, fits the history and forecasts a run four times larger than the
 * largest, then trains it and prints forecast and truth.
 *
 * <pre>forecast method rows epochs forecast_s low_s high_s actual_s error</pre>
 */
public final class ForecastReference {
  private ForecastReference() {}

  public static void main(String[] args) {
    int epochs = 10;
    int[] history = {1_000, 2_000, 4_000, 8_000};
    int target = 32_000;
    MlpSpec spec = new MlpSpec(List.of(new DenseLayerSpec(64, Activation.RELU, 0)));
    TrainingParams params = TrainingParams.defaults().withEpochs(epochs).withBatchSize(32);
    Trainer trainer = new Trainer();
    // Warm-up (JIT and ND4J): a server that trains many jobs runs warm.
    long warm = System.nanoTime();
    while (System.nanoTime() - warm < 8_000_000_000L) {
      train(trainer, spec, params, 4_000);
    }
    List<TrainingRun> runs = new ArrayList<>();
    for (int rows : history) {
      double[] r = train(trainer, spec, params, rows);
      System.out.printf("# history mlp %d rows x %d epochs: %.3f s%n", rows, epochs, r[0]);
      runs.add(
          new TrainingRun(
              "job-" + rows,
              "bench",
              null,
              "mlp",
              "succeeded",
              r[0],
              r[0],
              0,
              (long) rows,
              epochs,
              (long) r[1]));
    }
    Prices prices = Prices.of(new CostProperties("USD", 0.04, 0.005, 0.1));
    FlopRate rate = FlopRate.fixed(FlopRate.benchmark(0.5));
    Forecast fit =
        new Forecaster(() -> runs, rate, prices).forecast(Family.MLP, target, epochs, null);
    Forecast fallback =
        new Forecaster(List::of, rate, prices)
            .forecast(Family.MLP, target, epochs, (long) runs.get(0).flopsPerRow());
    Forecast oneJob =
        new Forecaster(() -> runs.subList(3, 4), rate, prices)
            .forecast(Family.MLP, target, epochs, null);
    double actual = train(trainer, spec, params, target)[0];
    System.out.println("# forecast method rows epochs forecast_s low_s high_s actual_s error");
    for (Forecast f : List.of(fit, oneJob, fallback)) {
      System.out.printf(
          "forecast %s %d %d %.3f %s %s %.3f %+.1f%%%n",
          f.method(),
          target,
          epochs,
          f.wallSeconds().value(),
          f.wallSecondsLow() == null ? "-" : String.format("%.3f", f.wallSecondsLow().value()),
          f.wallSecondsHigh() == null ? "-" : String.format("%.3f", f.wallSecondsHigh().value()),
          actual,
          100 * (f.wallSeconds().value() - actual) / actual);
    }
    System.out.printf(
        "# fit: %d jobs, relative RMSE %.3f, benchmark %.2f GFLOP/s%n",
        fit.fit().jobs(), fit.fit().relativeRmse(), rate.flopsPerSecond() / 1e9);
  }

  /** Trains on {@code rows} synthetic rows; returns {wall seconds, FLOPs per training row}. */
  private static double[] train(Trainer trainer, MlpSpec spec, TrainingParams params, int rows) {
    int features = 16;
    Random random = new Random(rows);
    double[] x = new double[rows * features];
    double[] y = new double[rows];
    for (int i = 0; i < rows; i++) {
      double sum = 0;
      for (int j = 0; j < features; j++) {
        x[i * features + j] = random.nextGaussian();
        sum += Math.sin(x[i * features + j]) * (j + 1);
      }
      y[i] = sum + 0.1 * random.nextGaussian();
    }
    Examples data = Examples.regression(new int[] {features}, x, y, 1);
    long start = System.nanoTime();
    try (TrainedModel model = trainer.train(spec, params, data).model()) {
      double wall = (System.nanoTime() - start) / 1e9;
      return new double[] {wall, model.flopsPerTrainingRow()};
    }
  }
}

package dev.maas.compute;

import dev.maas.compute.CnnSpec.ConvLayerSpec;
import dev.maas.compute.CnnSpec.Padding;
import dev.maas.compute.CnnSpec.PoolSpec;
import dev.maas.compute.CnnSpec.PoolType;
import dev.maas.compute.ReferenceData.Split;
import java.util.List;
import java.util.function.Supplier;

/**
 * The rows of the peer table in shared/datasets/README.md, each as maas trains it: the same data,
 * split and architecture as shared/peers/reference.py. The quality test and the benchmark both run
 * these.
 */
public final class ReferenceTasks {
  private ReferenceTasks() {}

  /** How a row is scored, and which way is better. */
  public enum Metric {
    R2,
    ACCURACY,
    RMSE;

    double of(Metrics m) {
      return switch (this) {
        case R2 -> ((RegressionMetrics) m).r2();
        case ACCURACY -> ((ClassificationMetrics) m).accuracy();
        case RMSE -> ((RegressionMetrics) m).rmse();
      };
    }

    /** Whether {@code value} is no worse than {@code peer} by more than the allowed margin. */
    boolean acceptable(double value, double peer) {
      return switch (this) {
        case R2 -> value >= peer - 0.02;
        case ACCURACY -> value >= peer - 0.015;
        case RMSE -> value <= peer * 1.10;
      };
    }

    String wireName() {
      return switch (this) {
        case R2 -> "r2";
        case ACCURACY -> "accuracy";
        case RMSE -> "rmse";
      };
    }
  }

  /** A row's test metric and its training time in seconds. */
  public record Outcome(double value, double seconds) {}

  /** One row: what to train, on what, and the peer's figure. */
  public record Row(
      String family,
      String dataset,
      Metric metric,
      double peer,
      ModelSpec spec,
      TrainingParams params,
      Supplier<Split> data) {

    /** Trains this row and returns its metric on the test rows. */
    public double run(Trainer trainer) {
      return measure(trainer).value();
    }

    /** Trains this row, timing the training alone, then scores the test rows. */
    public Outcome measure(Trainer trainer) {
      Split split = data.get();
      long start = System.nanoTime();
      TrainingResult result = trainer.train(spec, params, split.train());
      double seconds = (System.nanoTime() - start) / 1e9;
      try (TrainedModel model = result.model()) {
        return new Outcome(metric.of(model.evaluate(split.test())), seconds);
      }
    }

    /** Trains this row and hands over the model; the caller closes it. */
    public TrainedModel train(Trainer trainer) {
      return trainer.train(spec, params, data.get().train()).model();
    }

    public boolean acceptable(double value) {
      return metric.acceptable(value, peer);
    }

    public String metricName() {
      return metric.wireName();
    }

    @Override
    public String toString() {
      return family + " " + dataset;
    }
  }

  private static final int[] DIGIT_IMAGE = {1, 8, 8};
  private static final int[] DIGIT_ROWS = {8, 8};

  /** Every row of the peer table, in its order. */
  public static List<Row> all() {
    return List.of(
        new Row(
            "linear",
            "diabetes",
            Metric.R2,
            0.4475,
            new LinearRegressionSpec(LinearRegressionSpec.Solver.LEAST_SQUARES),
            TrainingParams.defaults(),
            () -> ReferenceData.split("diabetes", false)),
        new Row(
            "logistic",
            "breast_cancer",
            Metric.ACCURACY,
            1.0,
            new LogisticRegressionSpec(),
            logistic(),
            () -> ReferenceData.split("breast_cancer", true)),
        new Row(
            "logistic",
            "iris",
            Metric.ACCURACY,
            0.9333,
            new LogisticRegressionSpec(),
            logistic(),
            () -> ReferenceData.split("iris", true)),
        new Row(
            "mlp",
            "wine",
            Metric.ACCURACY,
            0.9714,
            mlp(),
            adam(200, 1e-3),
            () -> ReferenceData.split("wine", true)),
        new Row(
            "mlp",
            "digits",
            Metric.ACCURACY,
            0.9721,
            mlp(),
            adam(50, 1e-3),
            () -> ReferenceData.split("digits", true)),
        new Row(
            "cnn",
            "digits",
            Metric.ACCURACY,
            0.9805,
            new CnnSpec(
                List.of(
                    new ConvLayerSpec(
                        16, 3, 1, Padding.SAME, Activation.RELU, new PoolSpec(PoolType.MAX, 2)),
                    new ConvLayerSpec(
                        32, 3, 1, Padding.SAME, Activation.RELU, new PoolSpec(PoolType.MAX, 2))),
                List.of()),
            adam(30, 1e-3),
            () -> ReferenceData.split("digits", true, DIGIT_IMAGE)),
        rnnRow("rnn-lstm", RnnSpec.Cell.LSTM, 0.9582),
        rnnRow("rnn-gru", RnnSpec.Cell.GRU, 0.9499),
        rnnRow("rnn-simple", RnnSpec.Cell.SIMPLE, 0.9582),
        new Row(
            "rnn-lstm",
            "sunspots",
            Metric.RMSE,
            19.27,
            new RnnSpec(RnnSpec.Cell.LSTM, 32, 1),
            adam(200, 3e-3),
            ReferenceData::sunspots));
  }

  private static Row rnnRow(String family, RnnSpec.Cell cell, double peer) {
    return new Row(
        family,
        "digits-rows",
        Metric.ACCURACY,
        peer,
        new RnnSpec(cell, 64, 1),
        adam(30, 1e-3),
        () -> ReferenceData.split("digits", true, DIGIT_ROWS));
  }

  private static MlpSpec mlp() {
    return new MlpSpec(List.of(new DenseLayerSpec(64, Activation.RELU, 0)));
  }

  private static TrainingParams adam(int epochs, double learningRate) {
    return TrainingParams.defaults()
        .withEpochs(epochs)
        .withBatchSize(32)
        .withOptimizer(Optimizer.adam(learningRate));
  }

  /** Newton's method ignores epochs and the optimizer; the penalty defaults to 1 / rows. */
  private static TrainingParams logistic() {
    return TrainingParams.defaults();
  }
}

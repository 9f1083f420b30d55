package dev.maas.compute;

import dev.maas.compute.ReferenceData.Split;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Small trained models of every family the codec stores, one line each; a family built later is one
 * more line in {@link #ALL}. Tiny data and few epochs: the codec's tests need real parameters, not
 * good models.
 */
final class CodecCases {
  private CodecCases() {}

  /** A model to train: its spec, training and data (whose test rows may be null). */
  record Case(String name, ModelSpec spec, TrainingParams params, Supplier<Split> data) {
    TrainedModel train() {
      Split split = data.get();
      return new Trainer()
          .train(
              spec, params, split.train(), split.test(), TrainingListener.NONE, Cancellation.NEVER)
          .model();
    }

    /** Rows to compare predictions on: the test rows, or else the training rows. */
    Examples rows() {
      Split split = data.get();
      return split.test() != null ? split.test() : split.train();
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static final List<Case> ALL =
      List.of(
          new Case(
              "linear least squares (float64) on diabetes",
              new LinearRegressionSpec(LinearRegressionSpec.Solver.LEAST_SQUARES),
              TrainingParams.defaults(),
              () -> ReferenceData.split("diabetes", false)),
          new Case(
              "linear gradient descent with two outputs",
              new LinearRegressionSpec(LinearRegressionSpec.Solver.GRADIENT_DESCENT),
              epochs(3),
              () -> regression(new int[] {3}, 2, true)),
          new Case(
              "logistic regression on breast cancer (binary)",
              new LogisticRegressionSpec(),
              epochs(2),
              () -> ReferenceData.split("breast_cancer", true)),
          new Case(
              "logistic regression on three synthetic classes",
              new LogisticRegressionSpec(),
              epochs(3),
              () -> classification(new int[] {5})),
          new Case(
              "mlp classification on iris, string labels",
              new MlpSpec(
                  List.of(
                      new DenseLayerSpec(8, Activation.TANH, 0),
                      new DenseLayerSpec(6, Activation.LEAKY_RELU, 0.1))),
              epochs(4),
              () -> ReferenceData.split("iris", true)),
          new Case(
              "mlp regression with two outputs, no test rows",
              new MlpSpec(List.of(new DenseLayerSpec(5, Activation.SIGMOID, 0))),
              epochs(3),
              () -> regression(new int[] {4}, 2, false)),
          new Case(
              "cnn classification on 2x6x6 images",
              new CnnSpec(
                  List.of(
                      new CnnSpec.ConvLayerSpec(
                          3,
                          3,
                          1,
                          CnnSpec.Padding.SAME,
                          Activation.RELU,
                          new CnnSpec.PoolSpec(CnnSpec.PoolType.MAX, 2))),
                  List.of(new DenseLayerSpec(4))),
              epochs(3),
              () -> classification(new int[] {2, 6, 6})),
          new Case(
              "rnn gru regression on sequences, two layers",
              new RnnSpec(RnnSpec.Cell.GRU, 6, 2),
              epochs(3),
              () -> regression(new int[] {5, 2}, 1, true)),
          new Case(
              "rnn lstm classification on sequences",
              new RnnSpec(RnnSpec.Cell.LSTM, 5, 1),
              epochs(3),
              () -> classification(new int[] {4, 3})),
          new Case(
              "rnn simple classification on sequences",
              new RnnSpec(RnnSpec.Cell.SIMPLE, 5, 1),
              epochs(3),
              () -> classification(new int[] {4, 3})));

  static Case named(String prefix) {
    return ALL.stream().filter(c -> c.name().startsWith(prefix)).findFirst().orElseThrow();
  }

  static TrainingParams epochs(int epochs) {
    return TrainingParams.defaults().withEpochs(epochs).withBatchSize(16);
  }

  /**
   * Seeded regression rows of any input shape: 48 training rows and, when asked, 16 test rows,
   * whose targets are fixed linear functions of the features plus noise.
   */
  static Split regression(int[] inputShape, int outputs, boolean withTest) {
    Random random = new Random(7);
    int length = (int) dev.maas.compute.nn.Shapes.size(inputShape);
    double[][] weights = new double[outputs][length];
    for (double[] w : weights) {
      for (int i = 0; i < length; i++) {
        w[i] = random.nextGaussian();
      }
    }
    List<Examples> parts = new ArrayList<>();
    for (int rows : new int[] {48, 16}) {
      double[] x = new double[rows * length];
      double[] y = new double[rows * outputs];
      for (int r = 0; r < rows; r++) {
        for (int i = 0; i < length; i++) {
          x[r * length + i] = 10 * random.nextGaussian() + 3;
        }
        for (int o = 0; o < outputs; o++) {
          double sum = 0.1 * random.nextGaussian();
          for (int i = 0; i < length; i++) {
            sum += weights[o][i] * x[r * length + i];
          }
          y[r * outputs + o] = sum;
        }
      }
      parts.add(Examples.regression(inputShape, x, y, outputs));
    }
    return new Split(parts.get(0), withTest ? parts.get(1) : null);
  }

  /** Seeded classification rows of any input shape, labelled by the sign of two projections. */
  static Split classification(int[] inputShape) {
    Random random = new Random(11);
    int length = (int) dev.maas.compute.nn.Shapes.size(inputShape);
    List<Examples> parts = new ArrayList<>();
    for (int rows : new int[] {48, 16}) {
      double[] x = new double[rows * length];
      String[] labels = new String[rows];
      for (int r = 0; r < rows; r++) {
        double a = 0;
        double b = 0;
        for (int i = 0; i < length; i++) {
          x[r * length + i] = random.nextGaussian();
          a += (i % 2 == 0 ? 1 : -1) * x[r * length + i];
          b += (i % 3 == 0 ? 1 : 0.5) * x[r * length + i];
        }
        labels[r] = a > 0 ? "up" : b > 0 ? "flat" : "down";
      }
      parts.add(Examples.classification(inputShape, x, labels));
    }
    return new Split(parts.get(0), parts.get(1));
  }
}

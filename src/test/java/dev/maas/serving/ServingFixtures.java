package dev.maas.serving;

import dev.maas.compute.Activation;
import dev.maas.compute.CnnSpec;
import dev.maas.compute.DenseLayerSpec;
import dev.maas.compute.Examples;
import dev.maas.compute.LinearRegressionSpec;
import dev.maas.compute.LogisticRegressionSpec;
import dev.maas.compute.MlpSpec;
import dev.maas.compute.ModelCodec;
import dev.maas.compute.ModelSpec;
import dev.maas.compute.RnnSpec;
import dev.maas.compute.TrainedModel;
import dev.maas.compute.Trainer;
import dev.maas.compute.TrainingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small trained models of every family, with the rows to ask them about. */
final class ServingFixtures {
  /** A model file, the model it holds (to compare answers with) and rows in its input shape. */
  record Fixture(String family, byte[] file, TrainedModel model, double[][] rows) {
    int[] shape() {
      return model.inputShape();
    }
  }

  private ServingFixtures() {}

  static List<Fixture> everyFamily() {
    List<Fixture> out = new ArrayList<>();
    out.add(
        regression(
            "linear_regression",
            new LinearRegressionSpec(LinearRegressionSpec.Solver.LEAST_SQUARES),
            new int[] {3},
            1));
    out.add(classification("logistic_regression", new LogisticRegressionSpec(), new int[] {4}, 3));
    out.add(
        classification(
            "mlp",
            new MlpSpec(List.of(new DenseLayerSpec(8, Activation.RELU, 0))),
            new int[] {5},
            2));
    out.add(
        classification(
            "cnn",
            new CnnSpec(
                List.of(
                    new CnnSpec.ConvLayerSpec(
                        2,
                        3,
                        1,
                        CnnSpec.Padding.SAME,
                        Activation.RELU,
                        new CnnSpec.PoolSpec(CnnSpec.PoolType.MAX, 2))),
                List.of(new DenseLayerSpec(4))),
            new int[] {1, 4, 4},
            3));
    out.add(regression("rnn", new RnnSpec(RnnSpec.Cell.LSTM, 4, 1), new int[] {3, 2}, 2));
    return out;
  }

  static Fixture regression(String family, ModelSpec spec, int[] shape, int outputs) {
    return regression(family, spec, shape, outputs, 1);
  }

  /** A regression model whose targets are scaled by {@code scale}, to tell versions apart. */
  static Fixture regression(String family, ModelSpec spec, int[] shape, int outputs, double scale) {
    Random random = new Random(7);
    int rows = 40;
    int length = length(shape);
    double[] features = values(random, rows * length);
    double[] targets = new double[rows * outputs];
    for (int r = 0; r < rows; r++) {
      for (int o = 0; o < outputs; o++) {
        targets[r * outputs + o] =
            scale * (3 * features[r * length] - features[r * length + length - 1] + o);
      }
    }
    TrainedModel model =
        new Trainer()
            .train(spec, params(), Examples.regression(shape, features, targets, outputs))
            .model()
            .withFeatures(names(length));
    return new Fixture(family, ModelCodec.toBytes(model), model, sample(random, length));
  }

  static Fixture classification(String family, ModelSpec spec, int[] shape, int classes) {
    Random random = new Random(11);
    int rows = 60;
    int length = length(shape);
    double[] features = values(random, rows * length);
    String[] labels = new String[rows];
    for (int r = 0; r < rows; r++) {
      labels[r] = "class-" + r % classes;
      features[r * length] += 2 * (r % classes);
    }
    TrainedModel model =
        new Trainer()
            .train(spec, params(), Examples.classification(shape, features, labels))
            .model()
            .withFeatures(names(length));
    return new Fixture(family, ModelCodec.toBytes(model), model, sample(random, length));
  }

  static List<String> names(int length) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < length; i++) {
      names.add("f" + i);
    }
    return names;
  }

  private static TrainingParams params() {
    return TrainingParams.defaults().withEpochs(3).withBatchSize(16);
  }

  private static double[][] sample(Random random, int length) {
    double[][] rows = new double[3][];
    for (int r = 0; r < rows.length; r++) {
      rows[r] = values(random, length);
    }
    return rows;
  }

  private static double[] values(Random random, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = Math.round(random.nextGaussian() * 1000) / 1000.0;
    }
    return v;
  }

  private static int length(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }
}

package dev.maas.compute;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.compute.nn.Dense;
import dev.maas.compute.nn.FusedDense;
import dev.maas.compute.nn.Head;
import dev.maas.compute.nn.HostArrays;
import dev.maas.compute.nn.Layer;
import dev.maas.compute.nn.Network;
import dev.maas.compute.nn.NetworkPass;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The heap step of a dense stack ({@link FusedDense}, {@link HeapStepRule}) against ND4J's path:
 * the same gradient and loss from the same parameters and rows, and the same model from the same
 * seed, to float rounding.
 */
class FusedDenseTest {
  private static final int INPUTS = 7;
  private static final int BATCH = 9;

  private static Network network(Head head, int outputs, Activation activation) {
    List<Layer> layers = new ArrayList<>();
    Dense hidden = new Dense(new long[] {INPUTS}, 12, activation, 0);
    layers.add(hidden);
    Dense second = new Dense(new long[] {12}, 6, Activation.TANH, 0);
    layers.add(second);
    layers.add(new Dense(new long[] {6}, head.units(outputs), null, 0));
    Network network = new Network(layers, DataType.FLOAT, true);
    network.initialize(11);
    return network;
  }

  /** Random rows and targets encoded for the head, row-major. */
  private static double[][] batch(Head head, int units, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] x = new double[BATCH * INPUTS];
    for (int i = 0; i < x.length; i++) {
      x[i] = random.nextGaussian();
    }
    double[] y = new double[BATCH * units];
    for (int b = 0; b < BATCH; b++) {
      switch (head) {
        case REGRESSION -> {
          for (int k = 0; k < units; k++) {
            y[b * units + k] = random.nextGaussian();
          }
        }
        case BINARY -> y[b] = random.nextInt(2);
        case MULTICLASS -> y[b * units + random.nextInt(units)] = 1;
      }
    }
    return new double[][] {x, y};
  }

  private static INDArray labels(double[] y, int units) {
    INDArray labels = Nd4j.create(DataType.FLOAT, new long[] {BATCH, units}, 'f');
    for (int b = 0; b < BATCH; b++) {
      for (int k = 0; k < units; k++) {
        labels.putScalar(b, k, y[b * units + k]);
      }
    }
    return labels;
  }

  private static void fill(FusedDense fused, double[][] batch) {
    int units = fused.targets()[0].length;
    for (int b = 0; b < BATCH; b++) {
      for (int i = 0; i < INPUTS; i++) {
        fused.input()[b][i] = (float) batch[0][b * INPUTS + i];
      }
      for (int k = 0; k < units; k++) {
        fused.targets()[b][k] = (float) batch[1][b * units + k];
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Activation.class)
  void theGradientIsNd4jsForEveryHeadAndActivation(Activation activation) {
    for (Head head : Head.values()) {
      int outputs = head == Head.BINARY ? 2 : 3;
      try (Network network = network(head, outputs, activation)) {
        int units = head.units(outputs);
        double[][] batch = batch(head, units, 5);
        // ND4J's path, as the trainer runs it.
        try (NetworkPass pass = network.newPass(BATCH, true, null)) {
          HostArrays.write(pass.input(), batch[0]);
          INDArray y = labels(batch[1], units);
          INDArray scores = pass.forward();
          INDArray g = head.loss().computeGradient(y, scores, head.activation(), null);
          g.muli(1.0 / BATCH);
          pass.backward(g);
        }
        double[] expected = HostArrays.readFlat(network.gradients());
        FusedDense fused = FusedDense.of(network, head, BATCH, BATCH);
        assertThat(fused).isNotNull();
        fused.readFrom(network);
        fill(fused, batch);
        fused.gradient(BATCH);
        assertClose(toDouble(fused.flatGradient()), expected, 1e-5, head + " " + activation);
      }
    }
  }

  @Test
  void theLossIsNd4jsScore() {
    for (Head head : Head.values()) {
      int outputs = head == Head.BINARY ? 2 : 4;
      try (Network network = network(head, outputs, Activation.RELU)) {
        int units = head.units(outputs);
        double[][] batch = batch(head, units, 9);
        double expected;
        try (NetworkPass pass = network.newPass(BATCH, false, null)) {
          HostArrays.write(pass.input(), batch[0]);
          expected =
              head.loss()
                  .computeScore(
                      labels(batch[1], units), pass.forward(), head.activation(), null, false);
        }
        FusedDense fused = FusedDense.of(network, head, BATCH, BATCH);
        fused.readFrom(network);
        fill(fused, batch);
        assertThat(fused.lossSum(BATCH))
            .as(head.toString())
            .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5 * Math.abs(expected)));
      }
    }
  }

  @Test
  void aDenseStackWithDropoutOrTooLargeStaysOnNd4j() {
    try (Network dropout =
        new Network(
            List.of(
                new Dense(new long[] {4}, 8, Activation.RELU, 0.2),
                new Dense(new long[] {8}, 3, null, 0)),
            DataType.FLOAT,
            true)) {
      assertThat(FusedDense.of(dropout, Head.MULTICLASS, 16, 256)).isNull();
    }
    try (Network large =
        new Network(
            List.of(
                new Dense(new long[] {2048}, 2048, Activation.RELU, 0),
                new Dense(new long[] {2048}, 3, null, 0)),
            DataType.FLOAT,
            true)) {
      assertThat(FusedDense.of(large, Head.MULTICLASS, 256, 256)).isNull();
    }
  }

  /** A small classification set: 3 classes by the sign pattern of two directions, plus noise. */
  private static Examples data(int rows, boolean regression) {
    return data(rows, regression, 6);
  }

  private static Examples data(int rows, boolean regression, int f) {
    SplittableRandom random = new SplittableRandom(3);
    double[] x = new double[rows * f];
    int[] classes = new int[rows];
    double[] targets = new double[rows * 2];
    for (int r = 0; r < rows; r++) {
      double a = 0;
      double b = 0;
      for (int j = 0; j < f; j++) {
        double v = random.nextGaussian() * (j + 1) + j;
        x[r * f + j] = v;
        a += (j % 2 == 0 ? 1 : -1) * (v - j) / (j + 1);
        b += (j < 3 ? 1 : -1) * (v - j) / (j + 1);
      }
      classes[r] = a + 0.3 * random.nextGaussian() > 0 ? 0 : b > 0 ? 1 : 2;
      targets[2 * r] = Math.tanh(a) + 0.1 * random.nextGaussian();
      targets[2 * r + 1] = a * b;
    }
    return regression
        ? Examples.regression(new int[] {f}, x, targets, 2)
        : Examples.classification(new int[] {f}, x, classes, List.of("a", "b", "c"));
  }

  private static TrainingResult train(
      boolean heap, ModelSpec spec, TrainingParams params, Examples data) {
    return new Trainer(heap).train(spec, params, data);
  }

  @ParameterizedTest
  @EnumSource(
      value = Optimizer.Type.class,
      names = {"SGD", "MOMENTUM", "ADAM"})
  void theSameSeedTrainsTheSameModelOnTheHeapAsThroughNd4j(Optimizer.Type type) {
    MlpSpec spec =
        new MlpSpec(
            List.of(
                new DenseLayerSpec(16, Activation.TANH, 0),
                new DenseLayerSpec(8, Activation.RELU, 0)));
    TrainingParams params =
        TrainingParams.defaults()
            .withEpochs(3)
            .withBatchSize(16)
            .withOptimizer(Optimizer.of(type, type == Optimizer.Type.ADAM ? 1e-3 : 0.02))
            .withRegularization(1e-4, 1e-3)
            .withValidation(0.2, null);
    for (boolean regression : new boolean[] {false, true}) {
      Examples data = data(300, regression);
      TrainingResult heap = train(true, spec, params, data);
      TrainingResult nd4j = train(false, spec, params, data);
      try (TrainedModel a = heap.model();
          TrainedModel b = nd4j.model()) {
        // Adam divides by the root of the second moment, so where a gradient is near zero its
        // float rounding shows more in the weights than plain descent's does.
        double tolerance = type == Optimizer.Type.ADAM ? 1e-4 : 1e-5;
        assertClose(a.parameters(), b.parameters(), tolerance, type + " " + regression);
      }
      for (int e = 0; e < 3; e++) {
        EpochProgress x = heap.learningCurve().get(e);
        EpochProgress y = nd4j.learningCurve().get(e);
        assertThat(x.trainLoss())
            .isCloseTo(y.trainLoss(), org.assertj.core.data.Offset.offset(1e-5 * y.trainLoss()));
        assertThat(x.validationLoss())
            .isCloseTo(
                y.validationLoss(), org.assertj.core.data.Offset.offset(1e-5 * y.validationLoss()));
      }
    }
  }

  @Test
  void layersWideEnoughForBlasTrainTheSameModelAsThroughNd4j() {
    // 40 inputs x 64 units and 64 x 48 run their forward products and weight gradients as
    // OpenBLAS sgemm calls (FusedDense.BLAS_MIN_WEIGHTS), the 48 x 3 output layer on the heap.
    MlpSpec spec =
        new MlpSpec(
            List.of(
                new DenseLayerSpec(64, Activation.RELU, 0),
                new DenseLayerSpec(48, Activation.TANH, 0)));
    TrainingParams params =
        TrainingParams.defaults()
            .withEpochs(3)
            .withBatchSize(32)
            .withOptimizer(Optimizer.adam(1e-3))
            .withRegularization(1e-4, 1e-3)
            .withValidation(0.2, null);
    for (boolean regression : new boolean[] {false, true}) {
      Examples data = data(300, regression, 40);
      TrainingResult heap = train(true, spec, params, data);
      TrainingResult nd4j = train(false, spec, params, data);
      try (TrainedModel a = heap.model();
          TrainedModel b = nd4j.model()) {
        assertClose(a.parameters(), b.parameters(), 1e-4, "blas " + regression);
      }
      for (int e = 0; e < 3; e++) {
        EpochProgress x = heap.learningCurve().get(e);
        EpochProgress y = nd4j.learningCurve().get(e);
        assertThat(x.trainLoss())
            .isCloseTo(y.trainLoss(), org.assertj.core.data.Offset.offset(1e-5 * y.trainLoss()));
        assertThat(x.validationLoss())
            .isCloseTo(
                y.validationLoss(), org.assertj.core.data.Offset.offset(1e-5 * y.validationLoss()));
      }
    }
  }

  @Test
  void aCheckpointOfOnePathResumesOnTheOther() {
    MlpSpec spec = new MlpSpec(List.of(new DenseLayerSpec(10, Activation.RELU, 0)));
    TrainingParams params = TrainingParams.defaults().withEpochs(4).withBatchSize(32);
    Examples data = data(200, false);
    List<TrainingCheckpoint> taken = new ArrayList<>();
    Checkpointing every = Checkpointing.to(taken::add, CheckpointPolicy.everyEpoch());
    try (TrainedModel whole =
        new Trainer(false)
            .train(spec, params, data, null, TrainingListener.NONE, Cancellation.NEVER, every)
            .model()) {
      TrainingCheckpoint second = taken.get(1);
      assertThat(second.epoch()).isEqualTo(2);
      try (TrainedModel resumed =
          new Trainer(true)
              .train(
                  spec,
                  params,
                  data,
                  null,
                  TrainingListener.NONE,
                  Cancellation.NEVER,
                  Checkpointing.NONE.resumingFrom(second))
              .model()) {
        assertClose(resumed.parameters(), whole.parameters(), 1e-4, "resumed");
      }
    }
  }

  private static double[] toDouble(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  /** Every value within {@code relative} of the largest expected magnitude. */
  private static void assertClose(double[] actual, double[] expected, double relative, String as) {
    assertThat(actual).as(as).hasSameSizeAs(expected);
    double scale = 0;
    for (double v : expected) {
      scale = Math.max(scale, Math.abs(v));
    }
    double worst = 0;
    for (int i = 0; i < actual.length; i++) {
      worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    }
    assertThat(worst)
        .as(as + ": largest difference against scale " + scale)
        .isLessThanOrEqualTo(relative * scale);
  }
}

package dev.maas.compute.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.maas.compute.RnnSpec;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

class RnnForwardTest {
  private static final int BATCH = 3;
  private static final int STEPS = 4;
  private static final int FEATURES = 3;
  private static final int UNITS = 5;

  @Test
  void simpleRnnMatchesAHandComputedTwoStepSequence() {
    // One feature, two units: Wx = [0.5 -0.4], b = [0.1 0.2], Wh = [[0.3 -0.2] [0.6 0.1]].
    double[][] p = {{0.5, -0.4}, {0.1, 0.2}, {0.3, -0.2}, {0.6, 0.1}};
    double[][][] x = {{{1.0}, {-2.0}}};
    double[][][] h = run(new SimpleRnn(new long[] {2, 1}, 2, false), p, x);
    // h0 = tanh([0.5 + 0.1, -0.4 + 0.2]) = tanh([0.6, -0.2])
    assertThat(h[0][0][0]).isCloseTo(0.5370495669980353, within(1e-12));
    assertThat(h[0][0][1]).isCloseTo(-0.197375320224904, within(1e-12));
    // h1 = tanh([-1 + 0.1 + 0.3 h00 + 0.6 h01, 0.8 + 0.2 - 0.2 h00 + 0.1 h01])
    assertThat(h[0][1][0]).isCloseTo(-0.6948692859802071, within(1e-12));
    assertThat(h[0][1][1]).isCloseTo(0.7028205429186639, within(1e-12));
  }

  @ParameterizedTest
  @EnumSource(RnnSpec.Cell.class)
  void everyStepMatchesTheReferenceLoops(RnnSpec.Cell cell) {
    Recurrent layer = Recurrent.of(cell, new long[] {STEPS, FEATURES}, UNITS, false);
    double[][] p = randomParams(layer, 21);
    double[][][] x = randomInputs(22);
    double[][][] expected =
        switch (cell) {
          case SIMPLE -> RecurrentReference.simple(x, p, UNITS);
          case LSTM -> RecurrentReference.lstm(x, p, UNITS);
          case GRU -> RecurrentReference.gru(x, p, UNITS);
        };
    assertClose(run(layer, p, x), expected);
  }

  @Test
  void lstmMatchesNd4jsLstmLayerOpOnTheSameWeights() {
    Lstm layer = new Lstm(new long[] {STEPS, FEATURES}, UNITS, false);
    double[][] p = randomParams(layer, 31);
    double[][][] x = randomInputs(32);
    INDArray h = Nd4j.create(DataType.DOUBLE, BATCH, STEPS, UNITS);
    Nd4j.exec(
        DynamicCustomOp.builder("lstmLayer")
            // [batch, time, features]; forward; sigmoid gates, tanh cell and output
            .addIntegerArguments(1, 0, 2, 0, 0)
            .addFloatingPointArguments(0.0)
            // bias; no lengths, initial states or peepholes; the whole sequence out
            .addBooleanArguments(true, false, false, false, false, true, false, false)
            .addInputs(
                Nd4j.createFromArray(x),
                Nd4j.createFromArray(rowRange(p, 0, FEATURES)),
                Nd4j.createFromArray(rowRange(p, FEATURES + 1, FEATURES + 1 + UNITS)),
                Nd4j.createFromArray(p[FEATURES]))
            .addOutputs(h)
            .build());
    assertClose(run(layer, p, x), toArray(h));
  }

  @Test
  void gruMatchesNd4jsGruOpWhenTheRecurrentCandidateBiasIsZero() {
    // ND4J's gru is PyTorch's cell without the bias inside r * (h Whn + bhn), and one bias vector.
    Gru layer = new Gru(new long[] {STEPS, FEATURES}, UNITS, false);
    double[][] p = randomParams(layer, 41);
    double[] inputBias = p[FEATURES];
    double[] recurrentBias = p[FEATURES + 1 + UNITS];
    double[] bias = new double[3 * UNITS];
    for (int j = 0; j < 3 * UNITS; j++) {
      if (j >= 2 * UNITS) {
        recurrentBias[j] = 0;
      }
      bias[j] = inputBias[j] + recurrentBias[j];
    }
    double[][][] x = randomInputs(42);
    INDArray h = Nd4j.create(DataType.DOUBLE, STEPS, BATCH, UNITS);
    Nd4j.exec(
        DynamicCustomOp.builder("gru")
            .addInputs(
                Nd4j.createFromArray(x).permute(1, 0, 2).dup('c'), // [time, batch, features]
                Nd4j.zeros(DataType.DOUBLE, BATCH, UNITS),
                Nd4j.createFromArray(rowRange(p, 0, FEATURES)),
                Nd4j.createFromArray(rowRange(p, FEATURES + 1, FEATURES + 1 + UNITS)),
                Nd4j.createFromArray(bias))
            .addOutputs(h)
            .build());
    assertClose(run(layer, p, x), toArray(h.permute(1, 0, 2)));
  }

  @ParameterizedTest
  @EnumSource(RnnSpec.Cell.class)
  void lastStepOnlyReturnsTheLastStepOfTheSequence(RnnSpec.Cell cell) {
    long[] shape = {STEPS, FEATURES};
    Recurrent sequence = Recurrent.of(cell, shape, UNITS, false);
    Recurrent last = Recurrent.of(cell, shape, UNITS, true);
    assertThat(last.outputShape()).containsExactly(UNITS);
    double[][] p = randomParams(sequence, 51);
    double[][][] x = randomInputs(52);
    double[][][] all = run(sequence, p, x);
    try (Network network = network(last, p)) {
      INDArray out = forward(network, x);
      for (int b = 0; b < BATCH; b++) {
        for (int j = 0; j < UNITS; j++) {
          assertThat(out.getDouble(b, j)).isCloseTo(all[b][STEPS - 1][j], within(1e-15));
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(RnnSpec.Cell.class)
  void onlyInputAndRecurrentWeightsAreRegularized(RnnSpec.Cell cell) {
    Recurrent layer = Recurrent.of(cell, new long[] {STEPS, FEATURES}, UNITS, true);
    try (Network network = new Network(List.of(layer), DataType.DOUBLE, true)) {
      int columns = (int) (layer.parameterCount() / layer.rows);
      double[] values = new double[(int) layer.parameterCount()];
      for (int i = 0; i < values.length; i++) {
        values[i] = i;
      }
      network.setParameters(values);
      List<Layer.ParamAndGradient> weights = network.regularized();
      assertThat(weights).hasSize(2);
      // Rows 0..features-1 are input weights; rows features+1.. the recurrent ones.
      assertThat(weights.get(0).param().shape()).containsExactly(FEATURES, columns);
      assertThat(weights.get(0).param().getDouble(0, 0)).isEqualTo(0);
      assertThat(weights.get(1).param().shape()).containsExactly(UNITS, columns);
      assertThat(weights.get(1).param().getDouble(0, 0)).isEqualTo((FEATURES + 1) * columns);
      assertThat(weights.get(1).gradient().shape()).containsExactly(UNITS, columns);
    }
  }

  private static double[][][] run(Recurrent layer, double[][] p, double[][][] x) {
    try (Network network = network(layer, p)) {
      return toArray(forward(network, x));
    }
  }

  private static Network network(Recurrent layer, double[][] p) {
    Network network = new Network(List.of(layer), DataType.DOUBLE, false);
    double[] flat = new double[(int) layer.parameterCount()];
    int columns = p[0].length;
    for (int r = 0; r < p.length; r++) {
      System.arraycopy(p[r], 0, flat, r * columns, columns);
    }
    network.setParameters(flat);
    return network;
  }

  private static INDArray forward(Network network, double[][][] x) {
    try (NetworkPass pass = network.newPass(x.length, false, null)) {
      pass.input().assign(Nd4j.createFromArray(x));
      return pass.forward().dup();
    }
  }

  private static double[][] randomParams(Recurrent layer, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int columns = (int) (layer.parameterCount() / layer.rows);
    double[][] p = new double[layer.rows][columns];
    for (double[] row : p) {
      for (int j = 0; j < columns; j++) {
        row[j] = random.nextDouble() - 0.5;
      }
    }
    return p;
  }

  private static double[][][] randomInputs(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[][][] x = new double[BATCH][STEPS][FEATURES];
    for (double[][] example : x) {
      for (double[] step : example) {
        for (int f = 0; f < FEATURES; f++) {
          step[f] = random.nextGaussian();
        }
      }
    }
    return x;
  }

  private static double[][] rowRange(double[][] p, int from, int to) {
    return java.util.Arrays.copyOfRange(p, from, to);
  }

  private static double[][][] toArray(INDArray sequence) {
    long[] s = sequence.shape();
    double[][][] out = new double[(int) s[0]][(int) s[1]][(int) s[2]];
    for (int b = 0; b < s[0]; b++) {
      for (int t = 0; t < s[1]; t++) {
        for (int j = 0; j < s[2]; j++) {
          out[b][t][j] = sequence.getDouble(b, t, j);
        }
      }
    }
    return out;
  }

  private static void assertClose(double[][][] actual, double[][][] expected) {
    assertThat(actual.length).isEqualTo(expected.length);
    for (int b = 0; b < expected.length; b++) {
      for (int t = 0; t < expected[b].length; t++) {
        for (int j = 0; j < expected[b][t].length; j++) {
          assertThat(actual[b][t][j])
              .as("example %d step %d unit %d", b, t, j)
              .isCloseTo(expected[b][t][j], within(1e-12));
        }
      }
    }
  }
}

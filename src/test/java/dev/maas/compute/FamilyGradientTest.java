package dev.maas.compute;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.compute.nn.GradientCheck;
import dev.maas.compute.nn.Head;
import dev.maas.compute.nn.Network;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Each family's whole network, as {@link Architectures} builds it for training, has a backward pass
 * that matches finite differences of its loss in double precision.
 */
class FamilyGradientTest {

  static Stream<Arguments> families() {
    return Stream.of(
        Arguments.of(
            "linear regression, two outputs",
            new LinearRegressionSpec(LinearRegressionSpec.Solver.GRADIENT_DESCENT),
            new int[] {4},
            Head.REGRESSION,
            2),
        Arguments.of(
            "logistic regression, binary",
            new LogisticRegressionSpec(),
            new int[] {4},
            Head.BINARY,
            2),
        Arguments.of(
            "logistic regression, softmax",
            new LogisticRegressionSpec(),
            new int[] {4},
            Head.MULTICLASS,
            3),
        Arguments.of(
            "mlp with every activation",
            new MlpSpec(
                List.of(
                    new DenseLayerSpec(5, Activation.RELU, 0),
                    new DenseLayerSpec(4, Activation.TANH, 0),
                    new DenseLayerSpec(4, Activation.SIGMOID, 0),
                    new DenseLayerSpec(3, Activation.LEAKY_RELU, 0))),
            new int[] {3},
            Head.MULTICLASS,
            3),
        Arguments.of(
            "cnn regression",
            new CnnSpec(
                List.of(
                    new CnnSpec.ConvLayerSpec(
                        3,
                        3,
                        1,
                        CnnSpec.Padding.SAME,
                        Activation.TANH,
                        new CnnSpec.PoolSpec(CnnSpec.PoolType.AVERAGE, 2))),
                List.of(new DenseLayerSpec(4, Activation.SIGMOID, 0))),
            new int[] {2, 4, 4},
            Head.REGRESSION,
            1),
        Arguments.of(
            "rnn lstm, binary",
            new RnnSpec(RnnSpec.Cell.LSTM, 4, 2),
            new int[] {3, 2},
            Head.BINARY,
            2));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("families")
  void theWholeBackwardPassMatchesFiniteDifferences(
      String name, ModelSpec spec, int[] inputShape, Head head, int outputs) {
    try (Network network =
        Architectures.build(spec, inputShape, head, outputs, DataType.DOUBLE, true)) {
      GradientCheck.Result result = GradientCheck.run(network, head, 3, 5);
      assertThat(result.worstRelativeError()).as(result.toString()).isLessThan(1e-6);
    }
  }
}

package dev.maas.compute.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.compute.Activation;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;

class DenseGradientTest {

  @ParameterizedTest
  @EnumSource(Activation.class)
  void denseLayerBackwardMatchesFiniteDifferences(Activation activation) {
    long[] in = {5};
    Dense hidden = new Dense(in, 7, activation, 0);
    Dense output = new Dense(hidden.outputShape(), 3, null, 0);
    try (Network network = new Network(List.of(hidden, output), DataType.DOUBLE, true)) {
      assertThat(GradientCheck.run(network, Head.REGRESSION, 4, 1).worstRelativeError())
          .isLessThan(1e-6);
    }
  }

  @ParameterizedTest
  @EnumSource(Head.class)
  void everyLossBackwardMatchesFiniteDifferences(Head head) {
    Dense output = new Dense(new long[] {6}, head.units(4), null, 0);
    try (Network network = new Network(List.of(output), DataType.DOUBLE, true)) {
      var result = GradientCheck.run(network, head, 5, 2);
      assertThat(result.worstRelativeError()).as(result.toString()).isLessThan(1e-6);
    }
  }

  @Test
  void denseLayerTakesImageShapedInput() {
    Dense hidden = new Dense(new long[] {2, 3, 3}, 4, Activation.TANH, 0);
    Dense output = new Dense(hidden.outputShape(), 2, null, 0);
    try (Network network = new Network(List.of(hidden, output), DataType.DOUBLE, true)) {
      var result = GradientCheck.run(network, Head.MULTICLASS, 3, 3);
      assertThat(result.worstRelativeError()).as(result.toString()).isLessThan(1e-6);
    }
  }
}

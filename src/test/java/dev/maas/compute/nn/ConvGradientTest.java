package dev.maas.compute.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.compute.Activation;
import dev.maas.compute.Architectures;
import dev.maas.compute.CnnSpec;
import dev.maas.compute.CnnSpec.ConvLayerSpec;
import dev.maas.compute.CnnSpec.Padding;
import dev.maas.compute.CnnSpec.PoolSpec;
import dev.maas.compute.CnnSpec.PoolType;
import dev.maas.compute.DenseLayerSpec;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

class ConvGradientTest {

  static Stream<Arguments> convolutions() {
    return Stream.of(Padding.values())
        .flatMap(
            padding ->
                Stream.of(1, 2)
                    .flatMap(
                        stride ->
                            Stream.of(Activation.values())
                                .map(a -> Arguments.of(padding, stride, a))));
  }

  @ParameterizedTest(name = "{0} stride {1} {2}")
  @MethodSource("convolutions")
  void convolutionBackwardMatchesFiniteDifferences(
      Padding padding, int stride, Activation activation) {
    Conv2d conv = new Conv2d(new long[] {2, 5, 6}, 3, 3, stride, padding, activation);
    Dense output = new Dense(conv.outputShape(), 2, null, 0);
    try (Network network = new Network(List.of(conv, output), DataType.DOUBLE, true)) {
      var result = GradientCheck.run(network, Head.MULTICLASS, 3, 7);
      assertThat(result.worstRelativeError()).as(result.toString()).isLessThan(1e-6);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Padding.class)
  void evenKernelsPadAsymmetricallyAndStillMatchFiniteDifferences(Padding padding) {
    Conv2d conv = new Conv2d(new long[] {1, 5, 5}, 2, 2, 1, padding, Activation.TANH);
    Dense output = new Dense(conv.outputShape(), 3, null, 0);
    try (Network network = new Network(List.of(conv, output), DataType.DOUBLE, true)) {
      var result = GradientCheck.run(network, Head.REGRESSION, 2, 3);
      assertThat(result.worstRelativeError()).as(result.toString()).isLessThan(1e-6);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(PoolType.class)
  void poolingPassesGradientsBackToTheConvolution(PoolType type) {
    // Two convolutions so that the pooling's input gradient is checked through parameters below
    // it; a 3-window with stride 2 overlaps windows.
    Conv2d first = new Conv2d(new long[] {1, 7, 7}, 2, 3, 1, Padding.SAME, Activation.TANH);
    Pool2d pool = new Pool2d(first.outputShape(), type, 3, 2);
    Conv2d second = new Conv2d(pool.outputShape(), 2, 2, 1, Padding.VALID, Activation.SIGMOID);
    Pool2d last = new Pool2d(second.outputShape(), type, 2, 1);
    Dense output = new Dense(last.outputShape(), 3, null, 0);
    List<Layer> layers = List.of(first, pool, second, last, output);
    try (Network network = new Network(layers, DataType.DOUBLE, true)) {
      var result = GradientCheck.run(network, Head.MULTICLASS, 3, 11);
      assertThat(result.worstRelativeError()).as(result.toString()).isLessThan(1e-6);
    }
  }

  @Test
  void theCnnFamilysNetworkMatchesFiniteDifferences() {
    CnnSpec spec =
        new CnnSpec(
            List.of(
                new ConvLayerSpec(
                    4, 3, 1, Padding.SAME, Activation.RELU, new PoolSpec(PoolType.MAX, 2)),
                new ConvLayerSpec(
                    6, 3, 1, Padding.SAME, Activation.RELU, new PoolSpec(PoolType.AVERAGE, 2))),
            List.of(new DenseLayerSpec(5, Activation.TANH, 0)));
    try (Network network =
        Architectures.build(spec, new int[] {1, 8, 8}, Head.MULTICLASS, 4, DataType.DOUBLE, true)) {
      assertThat(network.layers())
          .extracting(l -> l.getClass().getSimpleName())
          .containsExactly("Conv2d", "Pool2d", "Conv2d", "Pool2d", "Dense", "Dense");
      var result = GradientCheck.run(network, Head.MULTICLASS, 4, 5);
      assertThat(result.worstRelativeError()).as(result.toString()).isLessThan(1e-6);
    }
  }
}

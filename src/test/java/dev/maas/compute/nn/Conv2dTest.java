package dev.maas.compute.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.compute.Activation;
import dev.maas.compute.CnnSpec.ConvLayerSpec;
import dev.maas.compute.CnnSpec.Padding;
import dev.maas.compute.CnnSpec.PoolType;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class Conv2dTest {

  // Input 3x3 with one channel, two 2x2 filters.
  private static final double[] IMAGE = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  // Rows (channel, ky, kx) of [filter 0, filter 1], then the biases: filter 0 is [[1, 2], [3, 4]],
  // filter 1 picks the window's bottom right.
  private static final double[] PARAMETERS = {
    1,
    0, // (0, 0)
    2,
    0, // (0, 1)
    3,
    0, // (1, 0)
    4,
    1, // (1, 1)
    0.5,
    -1 // biases
  };

  private static double[] convolve(Padding padding) {
    Conv2d conv = new Conv2d(new long[] {1, 3, 3}, 2, 2, 1, padding, Activation.RELU);
    try (Network network = new Network(List.of(conv), DataType.DOUBLE, false);
        NetworkPass pass = network.newPass(1, false, null)) {
      network.setParameters(PARAMETERS);
      HostArrays.write(pass.input(), IMAGE);
      return HostArrays.readFlat(pass.forward());
    }
  }

  @Test
  void validConvolutionCrossCorrelatesWithKernelOffsetsAsParameterRows() {
    assertThat(convolve(Padding.VALID))
        .containsExactly(
            // filter 0: 1*a + 2*b + 3*c + 4*d over each window, plus 0.5
            37.5,
            47.5,
            67.5,
            77.5,
            // filter 1: the window's bottom right, minus 1
            4,
            5,
            7,
            8);
  }

  @Test
  void samePaddingWithAnEvenKernelPadsTheBottomAndRight() {
    assertThat(convolve(Padding.SAME))
        .containsExactly(
            37.5,
            47.5,
            3 + 3 * 6 + 0.5, // last column sees zeros on its right
            67.5,
            77.5,
            6 + 3 * 9 + 0.5,
            7 + 2 * 8 + 0.5,
            8 + 2 * 9 + 0.5,
            9 + 0.5,
            4,
            5,
            0, // relu clips 0 - 1
            7,
            8,
            0,
            0,
            0,
            0);
  }

  @ParameterizedTest
  @CsvSource({
    "SAME,3,1,8",
    "SAME,3,2,8",
    "SAME,2,2,7",
    "SAME,5,3,7",
    "VALID,3,1,8",
    "VALID,3,2,8",
    "VALID,2,3,7",
    "VALID,4,2,9"
  })
  void outputShapesAreTheSpecsAndWhatNd4jComputes(
      Padding padding, int kernel, int stride, int size) {
    Conv2d conv =
        new Conv2d(new long[] {2, size, size + 1}, 3, kernel, stride, padding, Activation.RELU);
    int[] expected =
        new ConvLayerSpec(3, kernel, stride, padding, Activation.RELU, null)
            .convolvedShape(new int[] {2, size, size + 1});
    assertThat(conv.outputShape()).containsExactly(Shapes.toLongs(expected));
    // The op writes into the layer's buffer; a shape disagreement would corrupt it silently.
    try (Network network = new Network(List.of(conv), DataType.FLOAT, true);
        NetworkPass pass = network.newPass(2, true, null)) {
      INDArray output = pass.forward();
      assertThat(output.shape()).containsExactly(Shapes.withBatch(2, conv.outputShape()));
    }
  }

  @Test
  void backwardOverwritesTheGradientInsteadOfAccumulating() {
    Conv2d conv = new Conv2d(new long[] {2, 4, 4}, 3, 3, 1, Padding.SAME, Activation.TANH);
    Pool2d pool = new Pool2d(conv.outputShape(), PoolType.MAX, 2, 2);
    try (Network network = new Network(List.of(conv, pool), DataType.DOUBLE, true);
        NetworkPass pass = network.newPass(2, true, null)) {
      network.initialize(1);
      pass.input()
          .assign(
              Nd4j.linspace(-1, 1, pass.input().length(), DataType.DOUBLE)
                  .reshape(pass.input().shape()));
      INDArray output = pass.forward();
      INDArray gradient = Nd4j.onesLike(output);
      pass.backward(gradient.dup());
      double[] first = HostArrays.readFlat(network.gradients());
      pass.forward();
      pass.backward(gradient.dup());
      assertThat(HostArrays.readFlat(network.gradients())).containsExactly(first);
      assertThat(Arrays.stream(first).filter(g -> g != 0).count()).isPositive();
    }
  }
}

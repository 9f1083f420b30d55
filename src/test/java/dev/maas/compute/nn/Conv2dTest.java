package dev.maas.compute.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.maas.compute.Activation;
import dev.maas.compute.CnnSpec.ConvLayerSpec;
import dev.maas.compute.CnnSpec.Padding;
import dev.maas.compute.CnnSpec.PoolType;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

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

  @ParameterizedTest(name = "{0} kernel {1} stride {2} on {3}x{3}+1")
  @CsvSource({
    "SAME,3,1,8",
    "SAME,3,2,8",
    "SAME,2,2,7",
    "SAME,5,3,7",
    "SAME,5,1,3",
    "VALID,3,1,8",
    "VALID,3,2,8",
    "VALID,2,3,7",
    "VALID,4,2,9"
  })
  void forwardMatchesNd4jsConv2dOpWithTheSpecsOutputShape(
      Padding padding, int kernel, int stride, int size) {
    long[] in = {2, size, size + 1};
    Conv2d conv = new Conv2d(in, 3, kernel, stride, padding, Activation.TANH);
    int[] expected =
        new ConvLayerSpec(3, kernel, stride, padding, Activation.TANH, null)
            .convolvedShape(new int[] {2, size, size + 1});
    assertThat(conv.outputShape()).containsExactly(Shapes.toLongs(expected));
    try (Network network = new Network(List.of(conv), DataType.DOUBLE, true);
        NetworkPass pass = network.newPass(2, true, null)) {
      network.initialize(5);
      INDArray params = network.parameters().reshape(2L * kernel * kernel + 1, 3);
      params.getRow(2L * kernel * kernel).assign(Nd4j.createFromArray(0.1, -0.2, 0.3));
      pass.input().assign(Nd4j.rand(DataType.DOUBLE, pass.input().shape()).subi(0.5));

      INDArray reference =
          nd4jConvolution(params, pass.input(), conv, 2, 3, kernel, stride, padding);

      double[] actual = HostArrays.readFlat(pass.forward());
      double[] wanted = HostArrays.readFlat(Transforms.tanh(reference, true));
      assertThat(actual).containsExactly(wanted, within(1e-12));
    }
  }

  /**
   * Float passes unfold their input on the host, double ones through ND4J's strided copies (which
   * the ND4J reference and the gradient checks cover): both agree on outputs and gradients, with
   * stride and padding, and with an output gradient the layers cannot read in bulk.
   */
  @ParameterizedTest(name = "{0} kernel {1} stride {2}, {3} gradient, second layer {4}")
  @CsvSource({
    "SAME,3,1,c,TANH",
    "SAME,5,2,c,RELU",
    "VALID,3,2,f,RELU",
    "SAME,2,1,c,RELU",
    "SAME,3,1,f,TANH"
  })
  void floatAndDoublePassesAgree(
      Padding padding, int kernel, int stride, char gradientOrder, Activation activation) {
    double[][] outputs = new double[2][];
    double[][] gradients = new double[2][];
    DataType[] types = {DataType.FLOAT, DataType.DOUBLE};
    for (int t = 0; t < 2; t++) {
      Conv2d first = new Conv2d(new long[] {1, 9, 8}, 4, kernel, 1, padding, Activation.RELU);
      Conv2d second = new Conv2d(first.outputShape(), 3, kernel, stride, padding, activation);
      try (Network network = new Network(List.of(first, second), types[t], true);
          NetworkPass pass = network.newPass(3, true, null)) {
        network.initialize(11);
        pass.input()
            .assign(
                Nd4j.linspace(-1, 1, pass.input().length(), DataType.DOUBLE)
                    .reshape(pass.input().shape())
                    .muli(3)
                    .castTo(types[t]));
        INDArray output = pass.forward();
        outputs[t] = HostArrays.readFlat(output);
        // An f-order gradient takes the layers' paths for gradients they cannot read in bulk.
        pass.backward(
            Transforms.sin(output.castTo(DataType.DOUBLE), true)
                .castTo(types[t])
                .dup(gradientOrder));
        gradients[t] = HostArrays.readFlat(network.gradients());
      }
    }
    assertThat(outputs[0]).containsExactly(outputs[1], within(1e-5));
    assertThat(gradients[0]).containsExactly(gradients[1], within(1e-4));
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

  /**
   * ND4J's own convolution of {@code input} (NCHW) with the layer's parameters {@code params}
   * ([channels * kernel * kernel + 1, filters]: the weights' rows, then the bias), weights as
   * [filters, channels, kernel, kernel]: the reference the layer's passes are checked against.
   */
  static INDArray nd4jConvolution(
      INDArray params,
      INDArray input,
      Conv2d conv,
      int channels,
      int filters,
      int kernel,
      int stride,
      Padding padding) {
    long rows = (long) channels * kernel * kernel;
    INDArray weights =
        params
            .get(NDArrayIndex.interval(0, rows), NDArrayIndex.all())
            .transpose()
            .dup('c')
            .reshape(filters, channels, kernel, kernel);
    INDArray bias = params.getRow(rows).dup();
    INDArray convolved =
        Nd4j.create(input.dataType(), Shapes.withBatch(input.size(0), conv.outputShape()), 'c');
    Conv2DConfig config =
        Conv2DConfig.builder()
            .kH(kernel)
            .kW(kernel)
            .sH(stride)
            .sW(stride)
            .paddingMode(padding == Padding.SAME ? PaddingMode.SAME : PaddingMode.VALID)
            .dataFormat(Conv2DConfig.NCHW)
            .weightsFormat(WeightsFormat.OIYX)
            .build();
    Nd4j.exec(
        new Conv2D(new INDArray[] {input, weights, bias}, new INDArray[] {convolved}, config));
    return convolved;
  }
}

package dev.maas.compute.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.maas.compute.Activation;
import dev.maas.compute.CnnSpec.Padding;
import dev.maas.compute.CnnSpec.PoolType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.MaxPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A ReLU convolution followed by a 2x2 max pool runs as one fused pass in float networks ({@link
 * Conv2d#newPooledPass}): its forward pass equals ND4J's conv2d, relu and maxpool2d ops, and its
 * outputs and gradients equal the separate layers' passes.
 */
class ConvPoolFusionTest {

  private static Conv2d conv(long[] in, int filters, int kernel, int stride, Padding padding) {
    return new Conv2d(in, filters, kernel, stride, padding, Activation.RELU);
  }

  @ParameterizedTest(name = "{0} kernel {1} stride {2}, {3} channels, {4}x{5}")
  @CsvSource({
    "SAME,3,1,1,28,28",
    "SAME,3,1,3,9,7",
    "VALID,3,1,2,8,9",
    "SAME,2,2,4,11,10",
    "VALID,5,1,1,9,9",
    "SAME,5,3,2,13,12"
  })
  void forwardEqualsNd4jsConvReluAndMaxPoolOps(
      Padding padding, int kernel, int stride, int channels, int height, int width) {
    int filters = 5;
    int batch = 3;
    Conv2d conv = conv(new long[] {channels, height, width}, filters, kernel, stride, padding);
    Pool2d pool = new Pool2d(conv.outputShape(), PoolType.MAX, 2, 2);
    assertThat(conv.fusesWith(pool, DataType.FLOAT)).isTrue();
    try (Network network = new Network(List.of(conv, pool), DataType.FLOAT, true);
        NetworkPass pass = network.newPass(batch, true, null)) {
      network.initialize(7);
      long rows = (long) channels * kernel * kernel;
      INDArray params = network.parameters().reshape(rows + 1, filters);
      pass.input().assign(Nd4j.rand(DataType.FLOAT, pass.input().shape()).subi(0.5).muli(4));

      INDArray convolved =
          Conv2dTest.nd4jConvolution(
              params, pass.input(), conv, channels, filters, kernel, stride, padding);
      INDArray activated = Transforms.relu(convolved, true);
      INDArray reference =
          Nd4j.create(DataType.FLOAT, Shapes.withBatch(batch, pool.outputShape()), 'c');
      Nd4j.exec(
          new MaxPooling2D(
              activated,
              reference,
              Pooling2DConfig.builder()
                  .kH(2)
                  .kW(2)
                  .sH(2)
                  .sW(2)
                  .dH(1)
                  .dW(1)
                  .paddingMode(PaddingMode.VALID)
                  .isNHWC(false)
                  .build()));

      INDArray output = pass.forward();
      assertThat(output.shape()).containsExactly(reference.shape());
      assertThat(HostArrays.readFlat(output))
          .containsExactly(HostArrays.readFlat(reference), within(1e-5));
    }
  }

  /**
   * Two fused blocks and a dense head, against the same network's separate passes (float) and its
   * double passes (which never fuse): outputs and every parameter gradient, with odd sizes,
   * padding, stride and an output gradient the pass cannot read in bulk.
   */
  @ParameterizedTest(name = "{0} kernel {1} stride {2}, {3} channels, {4}x{5}, gradient {6}")
  @CsvSource({
    "SAME,3,1,1,28,28,c",
    "SAME,3,1,3,15,13,c",
    "VALID,3,1,2,12,11,f",
    "SAME,2,2,2,21,18,c",
    "SAME,5,1,1,10,11,f"
  })
  void gradientsEqualTheSeparateLayers(
      Padding padding,
      int kernel,
      int stride,
      int channels,
      int height,
      int width,
      char gradientOrder) {
    int batch = 4;
    double[][] outputs = new double[3][];
    double[][] gradients = new double[3][];
    INDArray input = Nd4j.rand(DataType.DOUBLE, batch, channels, height, width).subi(0.5).muli(6);
    for (int t = 0; t < 3; t++) {
      DataType type = t == 2 ? DataType.DOUBLE : DataType.FLOAT;
      Conv2d first = conv(new long[] {channels, height, width}, 4, kernel, stride, padding);
      Pool2d firstPool = new Pool2d(first.outputShape(), PoolType.MAX, 2, 2);
      Conv2d second = conv(firstPool.outputShape(), 6, kernel, 1, padding);
      Pool2d secondPool = new Pool2d(second.outputShape(), PoolType.MAX, 2, 2);
      Dense head = new Dense(secondPool.outputShape(), 3, null, 0);
      List<Layer> layers = List.of(first, firstPool, second, secondPool, head);
      try (Network network = new Network(layers, type, true);
          NetworkPass pass = network.newPass(batch, true, null, t == 0)) {
        network.initialize(13);
        pass.input().assign(input.castTo(type));
        // Twice: the second step must not see what the first left in the pass' buffers.
        for (int step = 0; step < 2; step++) {
          INDArray output = pass.forward();
          outputs[t] = HostArrays.readFlat(output);
          pass.backward(
              Transforms.sin(output.castTo(DataType.DOUBLE).muli(step + 1), true)
                  .castTo(type)
                  .dup(gradientOrder));
          gradients[t] = HostArrays.readFlat(network.gradients());
        }
      }
    }
    assertThat(outputs[0]).containsExactly(outputs[1], within(1e-5));
    assertThat(gradients[0]).containsExactly(gradients[1], within(1e-4));
    assertThat(outputs[0]).containsExactly(outputs[2], within(1e-4));
    assertThat(gradients[0]).containsExactly(gradients[2], within(1e-3));
    assertThat(java.util.Arrays.stream(gradients[0]).filter(g -> g != 0).count()).isPositive();
  }

  @Test
  void fusesOnlyReluConvolutionsBeforeATwoByTwoMaxPoolInFloat() {
    Conv2d relu = conv(new long[] {1, 8, 8}, 2, 3, 1, Padding.SAME);
    Conv2d tanh = new Conv2d(new long[] {1, 8, 8}, 2, 3, 1, Padding.SAME, Activation.TANH);
    long[] shape = relu.outputShape();
    assertThat(relu.fusesWith(new Pool2d(shape, PoolType.MAX, 2, 2), DataType.FLOAT)).isTrue();
    assertThat(relu.fusesWith(new Pool2d(shape, PoolType.MAX, 2, 2), DataType.DOUBLE)).isFalse();
    assertThat(relu.fusesWith(new Pool2d(shape, PoolType.AVERAGE, 2, 2), DataType.FLOAT)).isFalse();
    assertThat(relu.fusesWith(new Pool2d(shape, PoolType.MAX, 3, 2), DataType.FLOAT)).isFalse();
    assertThat(relu.fusesWith(new Pool2d(shape, PoolType.MAX, 2, 1), DataType.FLOAT)).isFalse();
    assertThat(tanh.fusesWith(new Pool2d(shape, PoolType.MAX, 2, 2), DataType.FLOAT)).isFalse();
  }
}

package dev.maas.compute.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.compute.CnnSpec.PoolType;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

class Pool2dTest {

  // One channel 4x4 holding 0..15, row by row.
  private static double[] pool(PoolType type, int size, int stride) {
    double[] image = new double[16];
    for (int i = 0; i < image.length; i++) {
      image[i] = i;
    }
    Pool2d pool = new Pool2d(new long[] {1, 4, 4}, type, size, stride);
    try (Network network = new Network(List.of(pool), DataType.DOUBLE, false);
        NetworkPass pass = network.newPass(1, false, null)) {
      HostArrays.write(pass.input(), image);
      return HostArrays.readFlat(pass.forward());
    }
  }

  @ParameterizedTest
  @CsvSource({"MAX,2,2", "AVERAGE,2,2", "MAX,3,1", "AVERAGE,3,1", "MAX,3,2"})
  void poolsEachWindowWithoutPadding(PoolType type, int size, int stride) {
    int out = (4 - size) / stride + 1;
    double[] expected = new double[out * out];
    for (int r = 0; r < out; r++) {
      for (int c = 0; c < out; c++) {
        int top = r * stride;
        int left = c * stride;
        double max = 0;
        double sum = 0;
        for (int i = top; i < top + size; i++) {
          for (int j = left; j < left + size; j++) {
            max = Math.max(max, i * 4 + j);
            sum += i * 4 + j;
          }
        }
        expected[r * out + c] = type == PoolType.MAX ? max : sum / (size * size);
      }
    }
    assertThat(pool(type, size, stride)).containsExactly(expected);
  }

  /**
   * The host max pooling gives ND4J's {@code maxpool2d} outputs and {@code maxpool2d_bp} input
   * gradients, in both data types, for disjoint windows, windows that leave a border out and
   * overlapping windows (random inputs: no ties).
   */
  @ParameterizedTest
  @CsvSource({
    "FLOAT,6,2,2",
    "FLOAT,7,2,2",
    "FLOAT,7,3,2",
    "DOUBLE,6,2,2",
    "DOUBLE,7,3,2",
    "DOUBLE,5,2,1"
  })
  void maxPoolingMatchesNd4jsOpsForwardAndBackward(DataType type, int side, int size, int stride) {
    int batch = 2;
    int channels = 3;
    Pool2d pool = new Pool2d(new long[] {channels, side, side}, PoolType.MAX, size, stride);
    Nd4j.getRandom().setSeed(5);
    INDArray x = Nd4j.randn(type, batch, channels, side, side);
    INDArray g = Nd4j.randn(type, Shapes.withBatch(batch, pool.outputShape()));
    INDArray expectedOut = Nd4j.create(type, g.shape());
    INDArray expectedGradient = Nd4j.create(type, x.shape());
    int[] args = {size, size, stride, stride, 0, 0, 1, 1, 0, 0, 0};
    Nd4j.exec(
        DynamicCustomOp.builder("maxpool2d")
            .addInputs(x)
            .addOutputs(expectedOut)
            .addIntegerArguments(args)
            .build());
    Nd4j.exec(
        DynamicCustomOp.builder("maxpool2d_bp")
            .addInputs(x, g)
            .addOutputs(expectedGradient)
            .addIntegerArguments(args)
            .build());
    Layer.Pass pass = pool.newPass(new PassSetup(batch, true, type, null));
    try {
      INDArray out = pass.forward(x);
      assertThat(out.equalsWithEps(expectedOut, 0)).as(out + " vs " + expectedOut).isTrue();
      INDArray gradient = pass.backward(g, true);
      assertThat(gradient.equalsWithEps(expectedGradient, 1e-6))
          .as(gradient + " vs " + expectedGradient)
          .isTrue();
    } finally {
      pass.close();
    }
  }
}

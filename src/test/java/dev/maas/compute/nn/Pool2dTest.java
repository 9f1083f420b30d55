package dev.maas.compute.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.compute.CnnSpec.PoolType;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

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
}

package dev.maas.compute.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The legacy kernels the recurrent layers run on. */
class RnnElementwiseTest {

  /** The kernels are named by number; each must still compute what its name says. */
  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void legacyKernelsComputeTheirArithmetic(DataType type) {
    // Row blocks of one buffer, as the recurrent layers use them.
    INDArray buffer = Nd4j.linspace(type, -1.5, 0.05, 60).reshape('c', 6, 10);
    INDArray x = Recurrent.rowBlock(buffer, 0, 2);
    INDArray y = Recurrent.rowBlock(buffer, 2, 2);
    INDArray z = Recurrent.rowBlock(buffer, 4, 2);
    check(x, y, z, (a, b) -> a * b, () -> Elementwise.mul(x, y, z));
    check(x, y, z, (a, b) -> a + b, () -> Elementwise.add(x, y, z));
    check(x, y, z, (a, b) -> a - b, () -> Elementwise.sub(x, y, z));
    check(x, y, z, (a, b) -> 1 - a, () -> Elementwise.oneMinus(x, z));
    check(x, y, z, (a, b) -> a * (1 - a), () -> Elementwise.timesOneMinus(x, z));
    check(x, y, z, (a, b) -> 1 / (1 + Math.exp(-a)), () -> Elementwise.sigmoid(x, z));
    check(x, y, z, (a, b) -> Math.tanh(a), () -> Elementwise.tanh(x, z));
  }

  private static void check(
      INDArray x, INDArray y, INDArray z, DoubleBinaryOperator expected, Runnable op) {
    op.run();
    double tolerance = x.dataType() == DataType.FLOAT ? 1e-6 : 1e-15;
    for (int r = 0; r < x.rows(); r++) {
      for (int c = 0; c < x.columns(); c++) {
        double want = expected.applyAsDouble(x.getDouble(r, c), y.getDouble(r, c));
        assertThat(z.getDouble(r, c)).isCloseTo(want, within(tolerance));
      }
    }
  }
}

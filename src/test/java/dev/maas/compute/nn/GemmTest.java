package dev.maas.compute.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GemmTest {

  /**
   * Views at offsets inside larger buffers (a row block of a matrix, a step of a time-major buffer,
   * a column block), every transpose combination and an accumulating beta give what ND4J's own
   * product gives.
   */
  @ParameterizedTest(name = "{0} transA {1} transB {2} beta {3}")
  @CsvSource({
    "FLOAT, false, false, 0",
    "FLOAT, true, false, 0",
    "FLOAT, false, true, 1",
    "FLOAT, true, true, 0.5",
    "DOUBLE, false, false, 1",
    "DOUBLE, true, false, 0",
    "DOUBLE, false, true, 0",
    "DOUBLE, true, true, 1"
  })
  void matchesNd4jsProductOnViewsInsideLargerBuffers(
      DataType type, boolean transA, boolean transB, double beta) {
    int m = 5;
    int n = 7;
    int k = 3;
    Nd4j.getRandom().setSeed(7);
    // a: a column block of a wider matrix, at an offset; b: one step of a time-major buffer.
    INDArray wide = Nd4j.rand(type, 9, 12);
    INDArray a =
        transA
            ? wide.get(interval(2, 2 + k), interval(4, 4 + m))
            : wide.get(interval(1, 1 + m), interval(3, 3 + k));
    INDArray steps = Nd4j.rand(type, 4, transB ? n : k, transB ? k : n);
    INDArray b = steps.get(point(2), all(), all());
    INDArray outer = Nd4j.rand(type, 3, m + 2, n);
    INDArray c = outer.get(point(1), interval(1, 1 + m), all());
    INDArray expected = c.dup();
    Nd4j.gemm(a.dup(), b.dup(), expected, transA, transB, 0.75, beta);
    INDArray before = outer.dup();

    Gemm gemm = Gemm.of(a, b, c, transA, transB, 0.75, beta);
    assertThat(gemm.direct()).isTrue();
    gemm.run();

    assertThat(c.equalsWithEps(expected, 1e-5)).as(c + " vs " + expected).isTrue();
    // Nothing outside the view changed.
    INDArray untouched = outer.dup();
    untouched
        .get(point(1), interval(1, 1 + m), all())
        .assign(before.get(point(1), interval(1, 1 + m), all()));
    assertThat(untouched.equalsWithEps(before, 0)).isTrue();
  }
}

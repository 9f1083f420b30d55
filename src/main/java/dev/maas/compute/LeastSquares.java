package dev.maas.compute;

import dev.maas.compute.nn.HostArrays;
import dev.maas.compute.nn.Network;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.custom.Lstsq;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The exact least-squares fit of a single affine layer, in double precision, by ND4J's {@code
 * lstsq} on the normal equations (Cholesky). Its QR path fails on non-square systems in ND4J
 * 1.0.0-M2.1 ("NDArray::t(i,j): one of input indexes is out of array length"); with standardized
 * features the normal equations are well conditioned, and the result matches an independent
 * closed-form solution to 1e-6 relative (LinearRegressionTest).
 *
 * <p>They are singular when features are linearly dependent, as one-hot columns of a category are
 * with the intercept (they sum to one), and Cholesky then fails. A ridge of {@link #RIDGE} times
 * the rows (the diagonal of standardized normal equations is the row count) makes them positive
 * definite: on a full-rank system it moves the fit by about that relative amount, far below the
 * test's tolerance, and on a rank-deficient one it picks, of the fits that predict alike, the one
 * of nearly least norm, as an SVD solver would.
 */
final class LeastSquares {
  /** The ridge per row that keeps the normal equations positive definite. */
  static final double RIDGE = 1e-9;

  private LeastSquares() {}

  /** Sets the network's one dense layer, [features + 1, outputs] with bias last, to the fit. */
  static void fit(Network network, EncodedData data) {
    int n = data.rows;
    int f = data.rowLength;
    int k = data.units;
    double[] x = new double[n * (f + 1)];
    double[] row = new double[f];
    for (int r = 0; r < n; r++) {
      data.copyFeatures(r, row);
      System.arraycopy(row, 0, x, r * (f + 1), f);
      x[r * (f + 1) + f] = 1;
    }
    double[] y = new double[n * k];
    for (int r = 0; r < n; r++) {
      data.copyTargets(r, y, r * k);
    }
    try (INDArray a = Nd4j.create(x, new long[] {n, f + 1}, DataType.DOUBLE);
        INDArray b = Nd4j.create(y, new long[] {n, k}, DataType.DOUBLE)) {
      INDArray solution = Nd4j.exec(new Lstsq(a, b, RIDGE * n, true))[0];
      network.setParameters(HostArrays.readFlat(solution.dup('c')));
    }
  }
}

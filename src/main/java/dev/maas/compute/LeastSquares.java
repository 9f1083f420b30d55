package dev.maas.compute;

import dev.maas.compute.nn.HostArrays;
import dev.maas.compute.nn.Network;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The exact least-squares fit of a single affine layer, in double precision, by the normal
 * equations: {@code X'X} and {@code X'Y} (X with a column of ones for the bias) accumulated over
 * chunks of rows by ND4J matrix products into a buffer reused from chunk to chunk, then solved on
 * the heap by Cholesky. Memory is the chunk and the [features + 1]-square system, not a copy of the
 * data (a million rows of 50 features would be 400 MB per copy), and the time is one pass of
 * products over the rows. With standardized features the normal equations are well conditioned, and
 * the result matches an independent closed-form solution to 1e-6 relative (LinearRegressionTest).
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

  /** Rows per product: large enough that a call's overhead vanishes, small next to the data. */
  static final int CHUNK = 4096;

  private LeastSquares() {}

  /**
   * Sets the network's one dense layer, [features + 1, outputs] with bias last, to the fit.
   *
   * @return the off-heap bytes the fit held
   */
  static long fit(Network network, EncodedData data) {
    int n = data.rows;
    int f = data.rowLength;
    int p = f + 1;
    int k = data.units;
    int chunk = Math.min(CHUNK, n);
    double[] x = new double[chunk * p];
    double[] y = new double[chunk * k];
    double[] row = new double[f];
    double[] gram;
    double[] cross;
    try (INDArray a = Nd4j.create(DataType.DOUBLE, new long[] {chunk, p}, 'c');
        INDArray b = Nd4j.create(DataType.DOUBLE, new long[] {chunk, k}, 'c');
        INDArray ata = Nd4j.create(DataType.DOUBLE, new long[] {p, p}, 'c');
        INDArray atb = Nd4j.create(DataType.DOUBLE, new long[] {p, k}, 'c')) {
      for (int from = 0; from < n; from += chunk) {
        int count = Math.min(chunk, n - from);
        for (int i = 0; i < count; i++) {
          data.copyFeatures(from + i, row);
          System.arraycopy(row, 0, x, i * p, f);
          x[i * p + f] = 1;
          data.copyTargets(from + i, y, i * k);
        }
        if (count < chunk) {
          // Rows of zeros add nothing to either product.
          java.util.Arrays.fill(x, count * p, chunk * p, 0);
          java.util.Arrays.fill(y, count * k, chunk * k, 0);
        }
        HostArrays.writeFlat(a, x, 0, chunk * p);
        HostArrays.writeFlat(b, y, 0, chunk * k);
        double beta = from == 0 ? 0 : 1;
        Nd4j.gemm(a, a, ata, true, false, 1.0, beta);
        Nd4j.gemm(a, b, atb, true, false, 1.0, beta);
      }
      gram = HostArrays.readFlat(ata);
      cross = HostArrays.readFlat(atb);
    }
    double ridge = RIDGE * n;
    for (int i = 0; i < p; i++) {
      gram[i * p + i] += ridge;
    }
    double[] layer = new double[p * k];
    double[] rhs = new double[p];
    for (int c = 0; c < k; c++) {
      for (int i = 0; i < p; i++) {
        rhs[i] = cross[i * k + c];
      }
      double[] solution = Cholesky.solve(gram, rhs, p);
      for (int i = 0; i < p; i++) {
        layer[i * k + c] = solution[i];
      }
    }
    network.setParameters(layer);
    return 8L * ((long) chunk * (p + k) + (long) p * (p + k));
  }
}

package dev.maas.compute;

import dev.maas.compute.nn.HostArrays;
import dev.maas.compute.nn.Network;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fits logistic regression, binary (one sigmoid unit) or multinomial (softmax), by Newton's method
 * on the L2-penalized mean cross-entropy, in double precision. The objective is strictly convex
 * with the penalty, so a few Newton steps (about ten on the reference data) reach the optimum to
 * machine precision; a backtracking line search keeps every step a descent.
 *
 * <p>The one large product of an iteration, the Hessian (O(rows * (features * classes)^2)), runs in
 * ND4J as matrix products over chunks of rows (one product for the sigmoid, two for softmax).
 * Everything else is O(rows * features * classes) bookkeeping kept on the heap: as separate ND4J
 * calls it measured 15-130 µs per call, about 1 ms per iteration on breast_cancer, several times
 * the arithmetic.
 */
final class NewtonLogistic {
  static final int MAX_ITERATIONS = 100;
  private static final double GRADIENT_TOLERANCE = 1e-10;
  private static final double DAMPING = 1e-10;

  /** Rows per pass of the Hessian's products, reusing the same native buffers. */
  static final int CHUNK = 4096;

  private final int n;
  private final int f; // features
  private final int p; // features + 1 (the bias, a constant 1 after the features)
  private final int k; // output units
  private final int m; // p * k unknowns
  private final double l2;
  private final double[] x; // [n, f], the encoded data's own array (not copied)
  private final double[] y; // [n, k], likewise
  private final boolean softmax;
  private final int chunk;

  private NewtonLogistic(EncodedData data, double l2) {
    this.n = data.rows;
    this.f = data.rowLength;
    this.p = f + 1;
    this.k = data.units;
    this.m = p * k;
    this.l2 = l2;
    this.softmax = k > 1;
    this.x = data.featureArray();
    this.y = data.targetArray();
    this.chunk = Math.min(CHUNK, n);
  }

  /**
   * Sets the network's one dense layer ([features + 1, units], bias last) to the fit.
   *
   * @param l2 penalty on the weights (not the biases), greater than zero
   * @return the off-heap bytes the fit held
   */
  static long fit(Network network, EncodedData data, double l2) {
    NewtonLogistic solver = new NewtonLogistic(data, l2);
    int c = solver.chunk;
    try (INDArray xv = Nd4j.create(DataType.DOUBLE, new long[] {c, solver.p}, 'c');
        INDArray av = Nd4j.create(DataType.DOUBLE, new long[] {c, solver.m}, 'c');
        INDArray ata = Nd4j.create(DataType.DOUBLE, new long[] {solver.m, solver.m}, 'c');
        INDArray atx = Nd4j.create(DataType.DOUBLE, new long[] {solver.m, solver.p}, 'c')) {
      solver.products = new Products(xv, av, ata, atx);
      network.setParameters(solver.solve());
      return HostArrays.bytes(xv, av, ata, atx);
    }
  }

  /** The preallocated ND4J arrays of the Hessian's two products, one chunk of rows at a time. */
  private record Products(INDArray x, INDArray a, INDArray ata, INDArray atx) {}

  private Products products;

  /**
   * Returns the weights in the layer's layout, w[i k + a] for feature i (bias last) and unit a;
   * while solving they are kept in the Hessian's layout, a p + i.
   */
  private double[] solve() {
    double[] w = new double[m];
    double[] probabilities = probabilities(w);
    double loss = loss(w, probabilities);
    for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      double[] gradient = gradient(w, probabilities);
      if (norm(gradient) < GRADIENT_TOLERANCE) {
        break;
      }
      double[] step = Cholesky.solve(hessian(probabilities), gradient, m);
      double slope = dot(gradient, step);
      double t = 1;
      double[] candidate = new double[m];
      double[] candidateProbabilities;
      double candidateLoss;
      while (true) {
        for (int j = 0; j < m; j++) {
          candidate[j] = w[j] - t * step[j];
        }
        candidateProbabilities = probabilities(candidate);
        candidateLoss = loss(candidate, candidateProbabilities);
        if (candidateLoss <= loss - 1e-4 * t * slope || t < 1e-10) {
          break;
        }
        t /= 2;
      }
      boolean converged = loss - candidateLoss <= 1e-15 * Math.max(1, Math.abs(loss));
      w = candidate;
      probabilities = candidateProbabilities;
      loss = candidateLoss;
      if (converged) {
        break;
      }
    }
    double[] layer = new double[m];
    for (int a = 0; a < k; a++) {
      for (int i = 0; i < p; i++) {
        layer[i * k + a] = w[a * p + i];
      }
    }
    return layer;
  }

  private double[] probabilities(double[] w) {
    double[] out = new double[n * k];
    int f4 = f & ~3;
    for (int r = 0; r < n; r++) {
      int row = r * f;
      for (int a = 0; a < k; a++) {
        int wa = a * p;
        // Four partial sums: one chain of additions waits on each addition's latency.
        double z0 = 0;
        double z1 = 0;
        double z2 = 0;
        double z3 = 0;
        int i = 0;
        for (; i < f4; i += 4) {
          z0 += x[row + i] * w[wa + i];
          z1 += x[row + i + 1] * w[wa + i + 1];
          z2 += x[row + i + 2] * w[wa + i + 2];
          z3 += x[row + i + 3] * w[wa + i + 3];
        }
        double z = w[wa + f] + ((z0 + z1) + (z2 + z3));
        for (; i < f; i++) {
          z += x[row + i] * w[wa + i];
        }
        out[r * k + a] = z;
      }
      if (softmax) {
        double max = Double.NEGATIVE_INFINITY;
        for (int a = 0; a < k; a++) {
          max = Math.max(max, out[r * k + a]);
        }
        double sum = 0;
        for (int a = 0; a < k; a++) {
          out[r * k + a] = Math.exp(out[r * k + a] - max);
          sum += out[r * k + a];
        }
        for (int a = 0; a < k; a++) {
          out[r * k + a] /= sum;
        }
      } else {
        out[r] = 1 / (1 + Math.exp(-out[r]));
      }
    }
    return out;
  }

  /** Mean cross-entropy plus (l2 / 2) |weights|^2, biases not penalized. */
  private double loss(double[] w, double[] probabilities) {
    double sum = 0;
    for (int j = 0; j < n * k; j++) {
      // A term whose weight is zero (all but one class of a row) adds nothing: no logarithm.
      double q = Math.min(Math.max(probabilities[j], 1e-300), 1 - 1e-16);
      if (y[j] != 0) {
        sum -= y[j] * Math.log(q);
      }
      if (!softmax && y[j] != 1) {
        sum -= (1 - y[j]) * Math.log(Math.max(1 - q, 1e-300));
      }
    }
    double penalty = 0;
    for (int a = 0; a < k; a++) {
      for (int i = 0; i < p - 1; i++) {
        penalty += w[a * p + i] * w[a * p + i];
      }
    }
    return sum / n + 0.5 * l2 * penalty;
  }

  /** Gradient of the objective, in the Hessian's layout a p + i. */
  private double[] gradient(double[] w, double[] probabilities) {
    // Per class, a row of its own and the data's row copied out, so that the inner loop reads
    // both from index 0: the form the JIT vectorizes.
    double[][] perClass = new double[k][p];
    double[] xr = new double[f];
    for (int r = 0; r < n; r++) {
      System.arraycopy(x, r * f, xr, 0, f);
      for (int a = 0; a < k; a++) {
        double residual = (probabilities[r * k + a] - y[r * k + a]) / n;
        double[] ga = perClass[a];
        for (int i = 0; i < f; i++) {
          ga[i] += residual * xr[i];
        }
        ga[f] += residual;
      }
    }
    double[] g = new double[m];
    for (int a = 0; a < k; a++) {
      System.arraycopy(perClass[a], 0, g, a * p, p);
    }
    for (int a = 0; a < k; a++) {
      for (int i = 0; i < p - 1; i++) {
        g[a * p + i] += l2 * w[a * p + i];
      }
    }
    return g;
  }

  /**
   * With A[r, a p + i] = p_ra x_ri, the Hessian of the mean cross-entropy is (blockdiag_a(A_a' X) -
   * A'A) / n; for the sigmoid (k = 1) it is X' diag(p (1 - p)) X / n, one product of B = sqrt(p (1
   * - p)) X with itself. The products run over chunks of rows into the same native buffers, adding
   * up in place, so no array of the data's size is made. Every row counts: a Hessian from a sample
   * of the rows made large fits faster, but its time no longer grew with the rows, which the
   * training forecast (capacity.EpochModel) reads off smaller runs.
   */
  private double[] hessian(double[] probabilities) {
    double[] a = new double[chunk * m];
    double[] xs = softmax ? new double[chunk * p] : null;
    for (int from = 0; from < n; from += chunk) {
      int count = Math.min(chunk, n - from);
      for (int i = 0; i < count; i++) {
        int r = from + i;
        int row = r * f;
        for (int c = 0; c < k; c++) {
          double q = probabilities[r * k + c];
          if (!softmax) {
            q = Math.sqrt(q * (1 - q));
          }
          int at = i * m + c * p;
          for (int j = 0; j < f; j++) {
            a[at + j] = q * x[row + j];
          }
          a[at + f] = q;
        }
        if (softmax) {
          System.arraycopy(x, row, xs, i * p, f);
          xs[i * p + f] = 1;
        }
      }
      if (count < chunk) {
        // Rows of zeros add nothing to the products.
        java.util.Arrays.fill(a, count * m, chunk * m, 0);
        if (softmax) {
          java.util.Arrays.fill(xs, count * p, chunk * p, 0);
        }
      }
      double beta = from == 0 ? 0 : 1;
      HostArrays.write(products.a(), a);
      Nd4j.gemm(products.a(), products.a(), products.ata(), true, false, 1.0, beta);
      if (softmax) {
        HostArrays.write(products.x(), xs);
        Nd4j.gemm(products.a(), products.x(), products.atx(), true, false, 1.0, beta);
      }
    }
    double[] ata = HostArrays.readFlat(products.ata());
    double[] atx = softmax ? HostArrays.readFlat(products.atx()) : null;
    double[] h = new double[m * m];
    for (int row = 0; row < m; row++) {
      int block = row / p;
      for (int col = 0; col < m; col++) {
        double v;
        if (softmax) {
          v = -ata[row * m + col];
          if (col / p == block) {
            v += atx[row * p + col % p];
          }
        } else {
          v = ata[row * m + col];
        }
        h[row * m + col] = v / n;
      }
      int i = row % p;
      h[row * m + row] += (i < p - 1 ? l2 : 0) + DAMPING;
    }
    return h;
  }

  private static double dot(double[] gradient, double[] step) {
    double s = 0;
    for (int j = 0; j < gradient.length; j++) {
      s += gradient[j] * step[j];
    }
    return s;
  }

  private static double norm(double[] v) {
    return Math.sqrt(dot(v, v));
  }
}

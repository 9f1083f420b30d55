package dev.maas.compute;

import dev.maas.compute.nn.HostArrays;
import dev.maas.compute.nn.Network;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fits logistic regression, binary (one sigmoid unit) or multinomial (softmax), by Newton's method
 * on the L2-penalized mean cross-entropy, in double precision. The objective is strictly convex
 * with the penalty, so a few Newton steps (about ten on the reference data) reach the optimum to
 * machine precision; a backtracking line search keeps every step a descent.
 *
 * <p>The one large product of an iteration, the Hessian (O(rows * (features * classes)^2)), runs as
 * matrix products over chunks of rows: for softmax two ND4J products; for the sigmoid one OpenBLAS
 * {@code ssyrk} per chunk inside a single pass that also gives the loss and the gradient (see
 * {@link #solveBinary}). Everything else is O(rows * features * classes) bookkeeping kept on the
 * heap: as separate ND4J calls it measured 15-130 µs per call, about 1 ms per iteration on
 * breast_cancer, several times the arithmetic.
 */
final class NewtonLogistic {
  static final int MAX_ITERATIONS = 100;
  private static final double GRADIENT_TOLERANCE = 1e-10;
  private static final double DAMPING = 1e-10;

  /**
   * Below this Newton decrement (the gradient times the step) a binary fit's next pass does not
   * recompute the Hessian. Measured on 800,000 rows x 50: decrements 0.29, 0.019, 6e-4, 8e-7,
   * 2e-12; the last two passes' Hessians changed the steps by about a thousandth.
   */
  static final double HESSIAN_REUSE_SLOPE = 1e-6;

  /** Rows per pass of the Hessian's products, reusing the same native buffers. */
  static final int CHUNK = 4096;

  private final int n;
  private final int f; // features
  private final int p; // features + 1 (the bias, a constant 1 after the features)
  private final int k; // output units
  private final int m; // p * k unknowns
  private final double l2;
  private final EncodedData data;
  private final double[] x; // [n, f] standardized, the encoded data's own array (softmax only)
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
    this.data = data;
    // A binary fit standardizes each row as it reads it (see pass): a standardized copy of a
    // million rows of 50 is 400 MB of fresh memory, whose allocation set off a concurrent
    // collection of the heap in every fit.
    this.x = softmax ? data.featureArray() : null;
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
    if (!solver.softmax) {
      try (FloatPointer rows = new FloatPointer((long) c * solver.p);
          FloatPointer product = new FloatPointer((long) solver.p * solver.p)) {
        solver.scaledRows = rows;
        solver.chunkProduct = product;
        network.setParameters(solver.solveBinary());
        return (rows.capacity() + product.capacity()) * Float.BYTES;
      }
    }
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

  /** The native rows of one chunk's Hessian product, float [chunk, p] (binary fits). */
  private FloatPointer scaledRows;

  /** Its product with itself, float [p, p] (upper triangle). */
  private FloatPointer chunkProduct;

  /**
   * The binary fit: per Newton iteration one pass over the rows (in chunks) gives the loss, the
   * gradient and the Hessian at a point together, so a full step that the line search accepts (the
   * usual case) has everything the next iteration needs, and no row is read twice. The Hessian is
   * X' diag(p (1 - p)) X / n from every row: per chunk, the rows scaled by sqrt(p (1 - p)) in
   * single precision, their product with themselves as one OpenBLAS {@code ssyrk} (the upper
   * triangle only, half of a full product's work), added up in double on the heap. Single precision
   * in the Hessian changes the Newton step's direction by about 1e-7 relative, not the optimum: the
   * gradient, the loss and the stopping test stay in double from every row. The work per iteration
   * is proportional to the rows, as the training forecast (capacity.EpochModel) assumes.
   */
  private double[] solveBinary() {
    double[] w = new double[m];
    double[] g = new double[m];
    double[] h = new double[m * m];
    double loss = pass(w, g, h);
    double[] cg = new double[m];
    double[] ch = new double[m * m];
    for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      if (norm(g) < GRADIENT_TOLERANCE) {
        break;
      }
      double[] step = Cholesky.solve(h, g, m);
      double slope = dot(g, step);
      if (slope <= 1e-15 * Math.max(1, Math.abs(loss))) {
        // The step would lower the loss by about slope / 2: less than a step that counts as
        // converged below, and within the loss' own rounding, where a line search only halves.
        break;
      }
      double t = 1;
      double[] candidate = new double[m];
      double candidateLoss;
      // A step this small (its Newton decrement) barely moves the Hessian: the next iteration
      // keeps this one, with the exact gradient, so the optimum is the same.
      boolean fresh = slope > HESSIAN_REUSE_SLOPE;
      while (true) {
        for (int j = 0; j < m; j++) {
          candidate[j] = w[j] - t * step[j];
        }
        candidateLoss = pass(candidate, cg, fresh ? ch : null);
        if (candidateLoss <= loss - 1e-4 * t * slope || t < 1e-10) {
          break;
        }
        t /= 2;
      }
      boolean converged = loss - candidateLoss <= 1e-15 * Math.max(1, Math.abs(loss));
      w = candidate;
      loss = candidateLoss;
      double[] swap = g;
      g = cg;
      cg = swap;
      if (fresh) {
        swap = h;
        h = ch;
        ch = swap;
      }
      if (converged) {
        break;
      }
    }
    return w;
  }

  /**
   * The objective at {@code w} (mean cross-entropy plus (l2 / 2) |weights|^2), its gradient into
   * {@code g} and its Hessian into {@code h}, from one pass over the rows.
   */
  private double pass(double[] w, double[] g, double[] h) {
    boolean hessian = h != null;
    double[] upper = new double[p * p];
    double[] gradient = new double[p];
    float[] scaled = new float[chunk * p];
    float[] product = new float[p * p];
    double[] xr = new double[f];
    double sum = 0;
    int f4 = f & ~3;
    double bias = w[f];
    FloatPointer c = chunkProduct;
    for (int from = 0; from < n; from += chunk) {
      int count = Math.min(chunk, n - from);
      for (int i = 0; i < count; i++) {
        int r = from + i;
        data.copyFeatures(r, xr);
        double z0 = 0;
        double z1 = 0;
        double z2 = 0;
        double z3 = 0;
        int j = 0;
        for (; j < f4; j += 4) {
          z0 += xr[j] * w[j];
          z1 += xr[j + 1] * w[j + 1];
          z2 += xr[j + 2] * w[j + 2];
          z3 += xr[j + 3] * w[j + 3];
        }
        double z = bias + ((z0 + z1) + (z2 + z3));
        for (; j < f; j++) {
          z += xr[j] * w[j];
        }
        double q = 1 / (1 + Math.exp(-z));
        double target = y[r];
        double clipped = Math.min(Math.max(q, 1e-300), 1 - 1e-16);
        if (target != 0) {
          sum -= target * Math.log(clipped);
        }
        if (target != 1) {
          sum -= (1 - target) * Math.log(Math.max(1 - clipped, 1e-300));
        }
        double residual = (q - target) / n;
        for (int k2 = 0; k2 < f; k2++) {
          gradient[k2] += residual * xr[k2];
        }
        gradient[f] += residual;
        if (!hessian) {
          continue;
        }
        float s = (float) Math.sqrt(q * (1 - q));
        int at = i * p;
        for (int k2 = 0; k2 < f; k2++) {
          scaled[at + k2] = s * (float) xr[k2];
        }
        scaled[at + f] = s;
      }
      if (!hessian) {
        continue;
      }
      scaledRows.put(scaled, 0, count * p);
      openblas_nolapack.cblas_ssyrk(
          openblas_nolapack.CblasRowMajor,
          openblas_nolapack.CblasUpper,
          openblas_nolapack.CblasTrans,
          p,
          count,
          1f,
          scaledRows,
          p,
          0f,
          c,
          p);
      c.get(product, 0, p * p);
      for (int i = 0; i < p; i++) {
        for (int j = i; j < p; j++) {
          upper[i * p + j] += product[i * p + j];
        }
      }
    }
    double penalty = 0;
    for (int i = 0; i < f; i++) {
      penalty += w[i] * w[i];
      gradient[i] += l2 * w[i];
    }
    System.arraycopy(gradient, 0, g, 0, p);
    for (int i = 0; hessian && i < p; i++) {
      for (int j = i; j < p; j++) {
        double v = upper[i * p + j] / n;
        h[i * p + j] = v;
        h[j * p + i] = v;
      }
      h[i * p + i] += (i < p - 1 ? l2 : 0) + DAMPING;
    }
    return sum / n + 0.5 * l2 * penalty;
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

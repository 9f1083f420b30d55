package dev.maas.compute;

/** Solves symmetric positive definite systems by Cholesky factorization, on the heap. */
final class Cholesky {
  private Cholesky() {}

  /**
   * Solves {@code h d = g} for a symmetric positive (semi)definite {@code h} [m, m], row-major.
   * Pivots that rounding drives to zero or below (directions the objective does not depend on, such
   * as adding a constant to every class's bias) are floored to a tiny positive value, so the step
   * in those directions is harmless rather than infinite.
   */
  static double[] solve(double[] h, double[] g, int m) {
    double[] l = new double[m * m];
    double scale = 0;
    for (int i = 0; i < m; i++) {
      scale = Math.max(scale, Math.abs(h[i * m + i]));
    }
    double floor = 1e-14 * Math.max(scale, 1e-300);
    for (int j = 0; j < m; j++) {
      double d = h[j * m + j];
      for (int c = 0; c < j; c++) {
        d -= l[j * m + c] * l[j * m + c];
      }
      d = Math.sqrt(Math.max(d, floor));
      l[j * m + j] = d;
      for (int i = j + 1; i < m; i++) {
        double v = h[i * m + j];
        for (int c = 0; c < j; c++) {
          v -= l[i * m + c] * l[j * m + c];
        }
        l[i * m + j] = v / d;
      }
    }
    double[] z = new double[m];
    for (int i = 0; i < m; i++) {
      double v = g[i];
      for (int c = 0; c < i; c++) {
        v -= l[i * m + c] * z[c];
      }
      z[i] = v / l[i * m + i];
    }
    double[] d = new double[m];
    for (int i = m - 1; i >= 0; i--) {
      double v = z[i];
      for (int c = i + 1; c < m; c++) {
        v -= l[c * m + i] * d[c];
      }
      d[i] = v / l[i * m + i];
    }
    return d;
  }
}

package dev.maas.capacity;

/**
 * An ordinary least-squares line {@code y = intercept + slope x} with what is needed for a
 * prediction interval: {@code yhat +- t(0.975, n-2) s sqrt(1 + 1/n + (x - mean x)^2 / Sxx)}, where
 * {@code s} is the residual standard error.
 */
record LinearFit(
    int n,
    double intercept,
    double slope,
    double meanX,
    double sxx,
    double residualStd,
    double relativeRmse) {

  /** The fit of {@code y} against {@code x}, or null with fewer than 3 points or one distinct x. */
  static LinearFit of(double[] x, double[] y) {
    int n = x.length;
    if (n < 3) {
      return null;
    }
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += x[i];
      my += y[i];
    }
    mx /= n;
    my /= n;
    double sxx = 0;
    double sxy = 0;
    for (int i = 0; i < n; i++) {
      sxx += (x[i] - mx) * (x[i] - mx);
      sxy += (x[i] - mx) * (y[i] - my);
    }
    if (!(sxx > 0)) {
      return null;
    }
    double slope = sxy / sxx;
    double intercept = my - slope * mx;
    double sse = 0;
    for (int i = 0; i < n; i++) {
      double r = y[i] - (intercept + slope * x[i]);
      sse += r * r;
    }
    double relative = my == 0 ? Double.NaN : Math.sqrt(sse / n) / Math.abs(my);
    return new LinearFit(n, intercept, slope, mx, sxx, Math.sqrt(sse / (n - 2)), relative);
  }

  /**
   * A robust line of {@code y} against {@code x}: Siegel's repeated medians (slope: the median over
   * points of the median slope from that point to the others; intercept: the median of {@code y -
   * slope x}), which one point in four far off (a job that ran on a cold JVM) does not move; its
   * residual standard error leaves out the largest residual when there are 4 points or more, so
   * that such a point does not widen the interval. Null with fewer than 3 points or one distinct x.
   */
  static LinearFit robust(double[] x, double[] y) {
    int n = x.length;
    if (n < 3) {
      return null;
    }
    double[] pointSlopes = new double[n];
    int m = 0;
    for (int i = 0; i < n; i++) {
      double[] slopes = new double[n - 1];
      int k = 0;
      for (int j = 0; j < n; j++) {
        if (j != i && x[i] != x[j]) {
          slopes[k++] = (y[j] - y[i]) / (x[j] - x[i]);
        }
      }
      if (k > 0) {
        pointSlopes[m++] = median(java.util.Arrays.copyOf(slopes, k));
      }
    }
    if (m == 0) {
      return null;
    }
    double slope = median(java.util.Arrays.copyOf(pointSlopes, m));
    double[] offsets = new double[n];
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      offsets[i] = y[i] - slope * x[i];
      mx += x[i];
      my += y[i];
    }
    mx /= n;
    my /= n;
    double intercept = median(offsets);
    double sxx = 0;
    double sse = 0;
    double largest = 0;
    for (int i = 0; i < n; i++) {
      sxx += (x[i] - mx) * (x[i] - mx);
      double r = y[i] - (intercept + slope * x[i]);
      sse += r * r;
      largest = Math.max(largest, r * r);
    }
    if (!(sxx > 0)) {
      return null;
    }
    double relative = my == 0 ? Double.NaN : Math.sqrt(sse / n) / Math.abs(my);
    double std = n >= 4 ? Math.sqrt((sse - largest) / (n - 3)) : Math.sqrt(sse / (n - 2));
    return new LinearFit(n, intercept, slope, mx, sxx, std, relative);
  }

  /**
   * The line through the origin and the point of largest x (its rate: y / x), for work that must
   * grow with x when the jobs' times do not show it (warm-up still fading over the first jobs of a
   * JVM makes a robust slope come out at or below 0); its residual standard error is over all
   * points, with n - 1 degrees of freedom counted as n - 2 for the interval.
   */
  static LinearFit throughLargest(double[] x, double[] y) {
    return throughLargest(x, y, 1);
  }

  /**
   * The line through the origin at the median rate (y / x) of the {@code k} points of largest x:
   * the rate of the largest, warmest jobs, which one job slowed by other work does not move when
   * {@code k} is 3. Residual standard error as {@link #throughLargest(double[], double[])}.
   */
  static LinearFit throughLargest(double[] x, double[] y, int k) {
    return throughLargest(x, y, k, false);
  }

  /**
   * The line through the origin at the lowest rate (y / x) of the {@code k} points of largest x:
   * for points whose noise only ever adds (a JIT still compiling, other work on the machine), where
   * the fastest is the nearest to the rate without it. Residual standard error as {@link
   * #throughLargest(double[], double[])}.
   */
  static LinearFit throughFastestOfLargest(double[] x, double[] y, int k) {
    return throughLargest(x, y, k, true);
  }

  private static LinearFit throughLargest(double[] x, double[] y, int k, boolean fastest) {
    int n = x.length;
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += x[i];
      my += y[i];
    }
    mx /= n;
    my /= n;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (i, j) -> Double.compare(x[j], x[i]));
    int m = Math.max(1, Math.min(k, n));
    double[] rates = new double[m];
    for (int i = 0; i < m; i++) {
      int p = order[i];
      rates[i] = x[p] > 0 ? Math.max(0, y[p]) / x[p] : 0;
    }
    double slope = fastest ? java.util.Arrays.stream(rates).min().orElse(0) : median(rates);
    double sxx = 0;
    double sse = 0;
    for (int i = 0; i < n; i++) {
      sxx += (x[i] - mx) * (x[i] - mx);
      double r = y[i] - slope * x[i];
      sse += r * r;
    }
    double relative = my == 0 ? Double.NaN : Math.sqrt(sse / n) / Math.abs(my);
    return new LinearFit(n, 0, slope, mx, sxx, Math.sqrt(sse / Math.max(1, n - 2)), relative);
  }

  /**
   * The flat line at {@code level} in place of this one, with its residual standard error and
   * spread of x (for the prediction interval): for work that cannot take less time for more rows
   * when the fit says it does (a cold first job tilts a line down).
   */
  LinearFit flatAt(double level) {
    return new LinearFit(n, level, 0, meanX, sxx, residualStd, relativeRmse);
  }

  /** This line with another residual standard error (for its prediction interval). */
  LinearFit withResidualStd(double std) {
    return new LinearFit(n, intercept, slope, meanX, sxx, std, relativeRmse);
  }

  /** The median of {@code values} (not empty). */
  static double median(double[] values) {
    double[] v = values.clone();
    java.util.Arrays.sort(v);
    int m = v.length / 2;
    return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
  }

  double predict(double x) {
    return intercept + slope * x;
  }

  /** Half the width of the 95% prediction interval at {@code x}. */
  double halfInterval95(double x) {
    return t975(n - 2) * residualStd * Math.sqrt(1 + 1.0 / n + (x - meanX) * (x - meanX) / sxx);
  }

  /** Student's t 97.5% quantile for {@code df} degrees of freedom. */
  static double t975(int df) {
    double[] table = {
      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
      2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
      2.052, 2.048, 2.045, 2.042
    };
    if (df < 1) {
      return Double.NaN;
    }
    return df <= table.length ? table[df - 1] : df <= 60 ? 2.0 : df <= 120 ? 1.98 : 1.96;
  }
}

package dev.maas.capacity;

import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.util.List;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/** Quantiles read from fixed-bucket histograms, as Prometheus' histogram_quantile does. */
final class Quantiles {
  private Quantiles() {}

  /**
   * Merges the buckets of several histograms with the same bounds into one (cumulative counts).
   *
   * @param histograms each a list of bucket counts, ascending bounds
   * @param boundsOf the bound of each bucket in the unit wanted
   */
  static double[][] merge(
      List<CountAtBucket[]> histograms, ToDoubleFunction<CountAtBucket> boundsOf) {
    TreeMap<Double, Double> cumulative = new TreeMap<>();
    for (CountAtBucket[] h : histograms) {
      double[] counts = cumulativeCounts(h);
      for (int i = 0; i < h.length; i++) {
        cumulative.merge(boundsOf.applyAsDouble(h[i]), counts[i], Double::sum);
      }
    }
    double[][] out = new double[2][cumulative.size()];
    int i = 0;
    for (var e : cumulative.entrySet()) {
      out[0][i] = e.getKey();
      out[1][i] = e.getValue();
      i++;
    }
    return out;
  }

  /**
   * Bucket counts made cumulative: Micrometer gives cumulative counts for Prometheus, per-bucket
   * counts for some other registries; a decreasing count shows the latter.
   */
  static double[] cumulativeCounts(CountAtBucket[] buckets) {
    double[] counts = new double[buckets.length];
    boolean cumulative = true;
    for (int i = 0; i < buckets.length; i++) {
      counts[i] = buckets[i].count();
      if (i > 0 && counts[i] < counts[i - 1]) {
        cumulative = false;
      }
    }
    if (!cumulative) {
      for (int i = 1; i < counts.length; i++) {
        counts[i] += counts[i - 1];
      }
    }
    return counts;
  }

  /**
   * The {@code q} quantile of values counted in buckets: the bucket holding the rank {@code q x
   * total}, interpolated linearly between its bounds (0 below the first); values past the last
   * bound read as the last bound. NaN when nothing was counted.
   *
   * @param bounds ascending upper bounds
   * @param cumulative the number of values at or below each bound
   * @param total all values counted (those above the last bound included)
   */
  static double quantile(double q, double[] bounds, double[] cumulative, double total) {
    if (total <= 0 || bounds.length == 0) {
      return Double.NaN;
    }
    double rank = q * total;
    double lowerBound = 0;
    double lowerCount = 0;
    for (int i = 0; i < bounds.length; i++) {
      if (cumulative[i] >= rank && cumulative[i] > lowerCount) {
        double fraction = (rank - lowerCount) / (cumulative[i] - lowerCount);
        return lowerBound + (bounds[i] - lowerBound) * fraction;
      }
      lowerBound = bounds[i];
      lowerCount = cumulative[i];
    }
    return bounds[bounds.length - 1];
  }
}

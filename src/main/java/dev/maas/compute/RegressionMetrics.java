package dev.maas.compute;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Regression scores, as computed by {@link Evaluation#regression}.
 *
 * @param r2 coefficient of determination, averaged uniformly over the outputs; 1 is perfect and it
 *     can be negative
 * @param rmse root of the mean squared error over all values
 * @param mae mean absolute error over all values
 */
public record RegressionMetrics(double r2, double rmse, double mae) implements Metrics {

  /** Returns {@code r2}, {@code rmse} and {@code mae}, in that order. */
  @Override
  public Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("r2", r2);
    map.put("rmse", rmse);
    map.put("mae", mae);
    return Collections.unmodifiableMap(map);
  }
}

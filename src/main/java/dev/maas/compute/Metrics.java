package dev.maas.compute;

import java.util.Map;

/**
 * Scores of a trained model on a labelled dataset: {@link RegressionMetrics} for regression, {@link
 * ClassificationMetrics} for classification. Built by {@link Evaluation}.
 */
public sealed interface Metrics permits RegressionMetrics, ClassificationMetrics {

  /**
   * The metrics as an unmodifiable, insertion-ordered map with camelCase keys, ready to be
   * serialised. Values are {@link Double}s, except a classification's {@code confusionMatrix}
   * ({@code List<List<Integer>>}) and {@code labels} ({@code List<String>}).
   */
  Map<String, Object> asMap();
}

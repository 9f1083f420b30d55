package dev.maas.compute;

import static dev.maas.compute.JsonFields.anyDouble;

import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@link Metrics} in a manifest: {@link Metrics#asMap()} as a JSON object, with non-finite values
 * (a NaN ROC AUC when the test rows hold one class) as the strings {@code "NaN"}, {@code
 * "Infinity"} and {@code "-Infinity"}, which plain JSON numbers cannot express. Read back by the
 * model's task into the record it came from.
 */
final class MetricsJson {
  private static final Set<String> REGRESSION = Set.of("r2", "rmse", "mae");
  private static final Set<String> CLASSIFICATION =
      Set.of(
          "accuracy",
          "precision",
          "recall",
          "f1",
          "logLoss",
          "rocAuc",
          "confusionMatrix",
          "labels");
  private static final Set<String> CLASSIFICATION_REQUIRED =
      Set.of("accuracy", "precision", "recall", "f1", "logLoss", "confusionMatrix", "labels");

  private MetricsJson() {}

  static JsonNode write(Metrics metrics) {
    ObjectNode node = SpecJson.MAPPER.createObjectNode();
    for (Map.Entry<String, Object> e : metrics.asMap().entrySet()) {
      if (e.getValue() instanceof Double d) {
        if (Double.isFinite(d)) {
          node.put(e.getKey(), d);
        } else {
          node.put(e.getKey(), d.toString());
        }
      } else {
        // The confusion matrix (lists of Integer) and the labels (strings).
        node.set(e.getKey(), SpecJson.MAPPER.valueToTree(e.getValue()));
      }
    }
    return node;
  }

  /** The metrics of a model with {@code labels} (null for regression). */
  static Metrics read(JsonNode node, List<String> labels) throws ModelFormatException {
    String path = "metrics";
    if (labels == null) {
      JsonFields.object(node, path, REGRESSION, REGRESSION);
      return new RegressionMetrics(
          anyDouble(node.get("r2"), "metrics.r2"),
          anyDouble(node.get("rmse"), "metrics.rmse"),
          anyDouble(node.get("mae"), "metrics.mae"));
    }
    JsonFields.object(node, path, CLASSIFICATION, CLASSIFICATION_REQUIRED);
    List<String> metricLabels = JsonFields.strings(node.get("labels"), "metrics.labels");
    if (!metricLabels.equals(labels)) {
      throw JsonFields.invalid("metrics.labels", "must be the model's labels " + labels);
    }
    Double rocAuc = node.has("rocAuc") ? anyDouble(node.get("rocAuc"), "metrics.rocAuc") : null;
    return new ClassificationMetrics(
        anyDouble(node.get("accuracy"), "metrics.accuracy"),
        anyDouble(node.get("precision"), "metrics.precision"),
        anyDouble(node.get("recall"), "metrics.recall"),
        anyDouble(node.get("f1"), "metrics.f1"),
        anyDouble(node.get("logLoss"), "metrics.logLoss"),
        rocAuc,
        confusionMatrix(node.get("confusionMatrix"), labels.size()),
        labels);
  }

  private static int[][] confusionMatrix(JsonNode node, int k) throws ModelFormatException {
    String path = "metrics.confusionMatrix";
    JsonFields.array(node, path);
    if (node.size() != k) {
      throw JsonFields.invalid(path, "must have " + k + " rows, has " + node.size());
    }
    int[][] matrix = new int[k][];
    for (int i = 0; i < k; i++) {
      String row = path + "[" + i + "]";
      matrix[i] = JsonFields.integers(node.get(i), row);
      if (matrix[i].length != k) {
        throw JsonFields.invalid(row, "must have " + k + " counts, has " + matrix[i].length);
      }
      for (int count : matrix[i]) {
        if (count < 0) {
          throw JsonFields.invalid(row, "must hold counts, not " + count);
        }
      }
    }
    return matrix;
  }
}

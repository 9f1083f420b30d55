package dev.maas.compute;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Classification scores, as computed by {@link Evaluation#classification}.
 *
 * <p>The confusion matrix is copied on the way in and on the way out, so an instance is immutable;
 * {@link #equals}, {@link #hashCode} and {@link #toString} look at the matrix's contents.
 *
 * @param accuracy share of rows whose predicted class is the actual one
 * @param precision macro average over all classes of the per-class precision (0 for a class that is
 *     never predicted)
 * @param recall macro average over all classes of the per-class recall (0 for a class that never
 *     occurs)
 * @param f1 macro average over all classes of the per-class F1 score (not the harmonic mean of
 *     {@code precision} and {@code recall})
 * @param logLoss mean negative natural log of the probability given to the actual class
 * @param rocAuc area under the ROC curve of the probability of class 1, for exactly two classes
 *     (NaN if only one of them occurs); {@code null} otherwise
 * @param confusionMatrix counts indexed {@code [actual][predicted]}, k by k
 * @param labels the k class names; class index {@code i} is {@code labels.get(i)}
 */
public record ClassificationMetrics(
    double accuracy,
    double precision,
    double recall,
    double f1,
    double logLoss,
    Double rocAuc,
    int[][] confusionMatrix,
    List<String> labels)
    implements Metrics {

  /**
   * Copies the matrix and the labels.
   *
   * @throws IllegalArgumentException if the matrix is not k by k, k being the number of labels
   */
  public ClassificationMetrics {
    Objects.requireNonNull(confusionMatrix, "confusionMatrix");
    labels = List.copyOf(Objects.requireNonNull(labels, "labels"));
    int k = labels.size();
    if (confusionMatrix.length != k) {
      throw new IllegalArgumentException(
          "confusionMatrix has " + confusionMatrix.length + " rows but there are " + k + " labels");
    }
    confusionMatrix = deepCopy(confusionMatrix);
    for (int[] row : confusionMatrix) {
      if (row.length != k) {
        throw new IllegalArgumentException(
            "confusionMatrix has a row of length "
                + row.length
                + " but there are "
                + k
                + " labels");
      }
    }
  }

  /** Returns a copy of the confusion matrix, indexed {@code [actual][predicted]}. */
  @Override
  public int[][] confusionMatrix() {
    return deepCopy(confusionMatrix);
  }

  /**
   * Returns {@code accuracy}, {@code precision}, {@code recall}, {@code f1}, {@code logLoss}, then
   * {@code rocAuc} only when it is not null, then {@code confusionMatrix} as a list of rows and
   * {@code labels}.
   */
  @Override
  public Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("accuracy", accuracy);
    map.put("precision", precision);
    map.put("recall", recall);
    map.put("f1", f1);
    map.put("logLoss", logLoss);
    if (rocAuc != null) {
      map.put("rocAuc", rocAuc);
    }
    List<List<Integer>> rows = new ArrayList<>(confusionMatrix.length);
    for (int[] row : confusionMatrix) {
      rows.add(Arrays.stream(row).boxed().toList());
    }
    map.put("confusionMatrix", Collections.unmodifiableList(rows));
    map.put("labels", labels);
    return Collections.unmodifiableMap(map);
  }

  /** Compares every component, the matrix by its contents and doubles as {@link Double} does. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ClassificationMetrics that
        && Double.compare(accuracy, that.accuracy) == 0
        && Double.compare(precision, that.precision) == 0
        && Double.compare(recall, that.recall) == 0
        && Double.compare(f1, that.f1) == 0
        && Double.compare(logLoss, that.logLoss) == 0
        && Objects.equals(rocAuc, that.rocAuc)
        && Arrays.deepEquals(confusionMatrix, that.confusionMatrix)
        && labels.equals(that.labels);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        accuracy,
        precision,
        recall,
        f1,
        logLoss,
        rocAuc,
        Arrays.deepHashCode(confusionMatrix),
        labels);
  }

  @Override
  public String toString() {
    return "ClassificationMetrics[accuracy="
        + accuracy
        + ", precision="
        + precision
        + ", recall="
        + recall
        + ", f1="
        + f1
        + ", logLoss="
        + logLoss
        + ", rocAuc="
        + rocAuc
        + ", confusionMatrix="
        + Arrays.deepToString(confusionMatrix)
        + ", labels="
        + labels
        + "]";
  }

  private static int[][] deepCopy(int[][] matrix) {
    int[][] copy = new int[matrix.length][];
    for (int i = 0; i < matrix.length; i++) {
      copy[i] = Objects.requireNonNull(matrix[i], "confusionMatrix row").clone();
    }
    return copy;
  }
}

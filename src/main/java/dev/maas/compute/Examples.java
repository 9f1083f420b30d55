package dev.maas.compute;

import dev.maas.errors.InvalidException;
import java.util.Arrays;
import java.util.List;

/**
 * Rows of training or test data: features as one row-major array of {@code rows} examples of {@code
 * inputShape}, with either real targets (regression) or class indices into {@code labels}
 * (classification). Immutable; arrays are not copied, so callers hand over ownership.
 */
public final class Examples {
  private final int[] inputShape;
  private final int rowLength;
  private final int rows;
  private final double[] features;
  private final double[] targets; // regression: [rows, outputs]
  private final int outputs;
  private final int[] classes; // classification
  private final List<String> labels;

  private Examples(
      int[] inputShape,
      double[] features,
      double[] targets,
      int outputs,
      int[] classes,
      List<String> labels) {
    this.inputShape = inputShape.clone();
    long length = 1;
    for (int d : inputShape) {
      if (d < 1) {
        throw InvalidException.listing(
            "inputShape must have positive sizes, was " + Arrays.toString(inputShape));
      }
      length *= d;
    }
    if (length > Integer.MAX_VALUE || features.length % length != 0) {
      throw InvalidException.listing(
          "features: "
              + features.length
              + " values do not form whole rows of shape "
              + Arrays.toString(inputShape));
    }
    this.rowLength = (int) length;
    this.rows = features.length / rowLength;
    this.features = features;
    this.targets = targets;
    this.outputs = outputs;
    this.classes = classes;
    this.labels = labels;
    int n = targets != null ? targets.length / Math.max(outputs, 1) : classes.length;
    if (n != rows || (targets != null && targets.length != rows * outputs)) {
      throw InvalidException.listing(
          "targets: " + n + " target rows for " + rows + " feature rows");
    }
    for (int i = 0; i < features.length; i++) {
      if (!Double.isFinite(features[i])) {
        throw InvalidException.listing(
            "features row "
                + i / rowLength
                + " value "
                + i % rowLength
                + " is not a finite number");
      }
    }
    if (targets != null) {
      for (int i = 0; i < targets.length; i++) {
        if (!Double.isFinite(targets[i])) {
          throw InvalidException.listing("target row " + i / outputs + " is not a finite number");
        }
      }
    }
  }

  /** Regression rows: {@code targets} is row-major [rows, outputs]. */
  public static Examples regression(
      int[] inputShape, double[] features, double[] targets, int outputs) {
    if (outputs < 1) {
      throw InvalidException.listing("outputs must be at least 1, was " + outputs);
    }
    return new Examples(inputShape, features, targets, outputs, null, null);
  }

  /** Classification rows with string labels; the label order is {@link Labels#distinct}. */
  public static Examples classification(int[] inputShape, double[] features, String[] labels) {
    List<String> distinct = Labels.distinct(labels);
    return classification(inputShape, features, Labels.indices(labels, distinct), distinct);
  }

  /** Classification rows as indices into {@code labels}. */
  public static Examples classification(
      int[] inputShape, double[] features, int[] classes, List<String> labels) {
    for (int r = 0; r < classes.length; r++) {
      if (classes[r] < 0 || classes[r] >= labels.size()) {
        throw InvalidException.listing("target row " + r + " has no class " + classes[r]);
      }
    }
    return new Examples(inputShape, features, null, 0, classes, List.copyOf(labels));
  }

  public Task task() {
    return classes != null ? Task.CLASSIFICATION : Task.REGRESSION;
  }

  public int rows() {
    return rows;
  }

  public int[] inputShape() {
    return inputShape.clone();
  }

  /** Values per row: the product of the input shape. */
  public int rowLength() {
    return rowLength;
  }

  /** The features, row-major. Do not modify. */
  double[] features() {
    return features;
  }

  /** A copy of the features, row-major. */
  public double[] featuresCopy() {
    return features.clone();
  }

  /** Regression targets, row-major [rows, outputs]; null for classification. Do not modify. */
  double[] targets() {
    return targets;
  }

  /** Regression outputs per row, or the number of classes. */
  public int outputs() {
    return classes != null ? labels.size() : outputs;
  }

  /** Class index per row; null for regression. Do not modify. */
  int[] classes() {
    return classes;
  }

  /** Class labels in class-index order; null for regression. */
  public List<String> labels() {
    return labels;
  }

  /** The rows at {@code indices}, in that order. */
  public Examples select(int[] indices) {
    double[] f = new double[indices.length * rowLength];
    for (int i = 0; i < indices.length; i++) {
      System.arraycopy(features, indices[i] * rowLength, f, i * rowLength, rowLength);
    }
    if (classes != null) {
      int[] c = new int[indices.length];
      for (int i = 0; i < indices.length; i++) {
        c[i] = classes[indices[i]];
      }
      return new Examples(inputShape, f, null, 0, c, labels);
    }
    double[] t = new double[indices.length * outputs];
    for (int i = 0; i < indices.length; i++) {
      System.arraycopy(targets, indices[i] * outputs, t, i * outputs, outputs);
    }
    return new Examples(inputShape, f, t, outputs, null, null);
  }
}

package dev.maas.compute;

import java.util.List;

/**
 * The answer of {@link TrainedModel#predict}: per row, the regression values, or the probability of
 * every class (in label order) and the most likely label.
 */
public final class Predictions {
  private final int rows;
  private final int width;
  private final double[] values;
  private final List<String> labels;

  Predictions(int rows, int width, double[] values, List<String> labels) {
    this.rows = rows;
    this.width = width;
    this.values = values;
    this.labels = labels;
  }

  public int rows() {
    return rows;
  }

  public boolean isClassification() {
    return labels != null;
  }

  /** Regression values of a row, or its class probabilities in label order. */
  public double[] values(int row) {
    double[] out = new double[width];
    System.arraycopy(values, row * width, out, 0, width);
    return out;
  }

  /** Class labels in the order of {@link #values}; null for regression. */
  public List<String> labels() {
    return labels;
  }

  /** Index of the most probable class of a row (the first on ties). */
  public int classIndex(int row) {
    requireClassification();
    int best = 0;
    for (int k = 1; k < width; k++) {
      if (values[row * width + k] > values[row * width + best]) {
        best = k;
      }
    }
    return best;
  }

  /** The most probable label of a row. */
  public String label(int row) {
    return labels.get(classIndex(row));
  }

  /** Values per row: the number of regression outputs or of classes. */
  public int width() {
    return width;
  }

  /** The value at {@code column} of {@code row}, without copying the row. */
  public double value(int row, int column) {
    return values[row * width + column];
  }

  /** Rows {@code from} to {@code from + count - 1} as predictions of their own. */
  public Predictions rows(int from, int count) {
    if (from < 0 || count < 0 || from + count > rows) {
      throw new IndexOutOfBoundsException("rows " + from + ".." + (from + count) + " of " + rows);
    }
    if (from == 0 && count == rows) {
      return this;
    }
    double[] part = new double[count * width];
    System.arraycopy(values, from * width, part, 0, part.length);
    return new Predictions(count, width, part, labels);
  }

  /** All values, row-major [rows, width]; the caller must not modify them. */
  double[] flat() {
    return values;
  }

  private void requireClassification() {
    if (labels == null) {
      throw new IllegalStateException("a regression prediction has no classes");
    }
  }
}

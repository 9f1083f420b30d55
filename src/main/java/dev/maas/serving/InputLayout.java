package dev.maas.serving;

import dev.maas.compute.Preprocessor;
import dev.maas.compute.TrainedModel;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one instance of a model looks like: its shape, its number of values and, when the model file
 * names them, the feature name of each value in row-major order.
 */
final class InputLayout {
  private final int[] shape;
  private final int rowLength;
  private final List<String> features;
  private final Map<String, Integer> index;
  private final Preprocessor preprocessing;
  private final Map<String, Integer> columnIndex;

  InputLayout(TrainedModel model) {
    this(model.inputShape(), model.features(), model.preprocessing());
  }

  InputLayout(int[] shape, List<String> features) {
    this(shape, features, null);
  }

  /**
   * A model's input; with {@code preprocessing}, what callers send are raw table rows, by the
   * preprocessing's input columns, rather than the network's input values.
   */
  InputLayout(int[] shape, List<String> features, Preprocessor preprocessing) {
    this.preprocessing = preprocessing;
    Map<String, Integer> columns = new HashMap<>();
    if (preprocessing != null) {
      for (int i = 0; i < preprocessing.columns().size(); i++) {
        columns.put(preprocessing.columns().get(i), i);
      }
    }
    this.columnIndex = Map.copyOf(columns);
    this.shape = shape.clone();
    int length = 1;
    for (int d : shape) {
      length *= d;
    }
    this.rowLength = length;
    this.features = features;
    if (features == null) {
      this.index = Map.of();
    } else {
      Map<String, Integer> byName = new HashMap<>();
      for (int i = 0; i < features.size(); i++) {
        byName.put(features.get(i), i);
      }
      this.index = Map.copyOf(byName);
    }
  }

  /** The preprocessing of raw rows, or null when instances are the network's input values. */
  Preprocessor preprocessing() {
    return preprocessing;
  }

  /**
   * Whether instances are raw rows that must be transformed (text, gaps, dropped or indicator
   * columns); false when they are the input values themselves, possibly with a gap to fill.
   */
  boolean raw() {
    return preprocessing != null && !preprocessing.identityForCompleteRows();
  }

  /**
   * The value a missing input value {@code i} takes, for a model whose preprocessing passes
   * complete rows unchanged; NaN when a gap cannot be filled (no preprocessing).
   */
  double fill(int i) {
    if (preprocessing == null || raw()) {
      return Double.NaN;
    }
    return ((Preprocessor.Numeric) preprocessing.steps().get(i)).fill();
  }

  /** The raw input columns' names, for {@link #raw()} layouts. */
  List<String> columns() {
    return preprocessing.columns();
  }

  /** The position of a raw input column, or -1. */
  int columnIndex(String name) {
    Integer i = columnIndex.get(name);
    return i == null ? -1 : i;
  }

  int dim(int axis) {
    return shape[axis];
  }

  int rank() {
    return shape.length;
  }

  int rowLength() {
    return rowLength;
  }

  /** Feature names in row-major order, or null when the model file has none. */
  List<String> features() {
    return features;
  }

  /** The position of a named feature in a row, or -1. */
  int indexOf(String feature) {
    Integer i = index.get(feature);
    return i == null ? -1 : i;
  }

  /** The shape with -1 for the batch in front, as the v2 protocol's metadata gives it. */
  long[] batchShape() {
    long[] out = new long[shape.length + 1];
    out[0] = -1;
    for (int i = 0; i < shape.length; i++) {
      out[i + 1] = shape[i];
    }
    return out;
  }

  @Override
  public String toString() {
    return Arrays.toString(shape);
  }
}

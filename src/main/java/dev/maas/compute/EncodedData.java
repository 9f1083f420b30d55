package dev.maas.compute;

import dev.maas.compute.nn.Head;
import dev.maas.compute.nn.HostArrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Rows ready for a network: standardized features and targets encoded for the head (scaled values,
 * one-hot classes or a 0/1 column), copied batch by batch into a pass' buffers. The features are
 * standardized as they are copied, from the caller's own array, so that training holds no second
 * copy of the data (a million rows of 50 features are 400 MB a copy); a solver that reads every
 * value many times asks for the standardized array once ({@link #featureArray()}).
 */
final class EncodedData {
  final int rows;
  final int rowLength;
  final int units;
  private final double[] raw; // the caller's features, row-major [rows, rowLength]; not modified
  private final double[] mean; // per position of a row: its feature group's mean
  private final double[] scale; // and deviation
  private final double[] targets; // [rows, units], row-major
  private double[] features; // standardized, made on first use of featureArray()
  private int[] inOrder; // 0 .. rows - 1, made on first use
  private float[] floatFeatures; // standardized, as floats, for heap training steps; made on use
  private float[] floatTargets; // likewise

  private EncodedData(
      int rows, int rowLength, int units, double[] raw, Standardizer inputs, double[] targets) {
    this.rows = rows;
    this.rowLength = rowLength;
    this.units = units;
    this.raw = raw;
    this.targets = targets;
    double[] groupMean = inputs.mean();
    double[] groupScale = inputs.scale();
    mean = new double[rowLength];
    scale = new double[rowLength];
    int[] groupOf = inputs.groupOfPosition();
    for (int i = 0; i < rowLength; i++) {
      mean[i] = groupMean[groupOf[i]];
      scale[i] = groupScale[groupOf[i]];
    }
  }

  static EncodedData of(Examples data, Standardizer inputs, Standardizer outputs, Head head) {
    int units = head.units(data.outputs());
    double[] targets;
    if (data.task() == Task.REGRESSION) {
      targets = outputs.apply(data.targets());
    } else {
      int[] classes = data.classes();
      targets = new double[data.rows() * units];
      for (int r = 0; r < classes.length; r++) {
        if (head == Head.BINARY) {
          targets[r] = classes[r];
        } else {
          targets[r * units + classes[r]] = 1;
        }
      }
    }
    return new EncodedData(data.rows(), data.rowLength(), units, data.features(), inputs, targets);
  }

  /** The row indices in order, for passes over the whole split (made once, shared). */
  int[] inOrder() {
    if (inOrder == null) {
      inOrder = new int[rows];
      for (int i = 0; i < rows; i++) {
        inOrder[i] = i;
      }
    }
    return inOrder;
  }

  /** Writes rows {@code order[from .. from + count)} into a pass' input buffer. */
  void writeFeatures(INDArray input, int[] order, int from, int count, double[] scratch) {
    for (int i = 0; i < count; i++) {
      standardize(order[from + i], scratch, i * rowLength);
    }
    HostArrays.writeFlat(input, scratch, 0, count * rowLength);
  }

  /**
   * Writes rows {@code order[from .. from + count)} into heap rows, as floats: copies from a
   * standardized float copy of the data made on the first call (half the data's size), so that a
   * heap training step's gather of shuffled rows, every epoch, is a copy of 4-byte values rather
   * than a standardizing of 8-byte ones (a division each), measured a quarter of a 100-64-10 MLP's
   * time on 160,000 rows.
   */
  void writeFeatures(float[][] out, int[] order, int from, int count) {
    float[] all = floatFeatures();
    int n = rowLength;
    for (int i = 0; i < count; i++) {
      System.arraycopy(all, order[from + i] * n, out[i], 0, n);
    }
  }

  private float[] floatFeatures() {
    if (floatFeatures == null) {
      int n = rowLength;
      float[] all = new float[rows * n];
      double[] row = new double[n];
      for (int r = 0; r < rows; r++) {
        System.arraycopy(raw, r * n, row, 0, n);
        int at = r * n;
        for (int j = 0; j < n; j++) {
          all[at + j] = (float) ((row[j] - mean[j]) / scale[j]);
        }
      }
      floatFeatures = all;
    }
    return floatFeatures;
  }

  /** Writes the targets of the same rows into a [count, units] f-ordered label buffer. */
  void writeTargets(INDArray labels, int[] order, int from, int count, double[] scratch) {
    for (int i = 0; i < count; i++) {
      int row = order[from + i];
      for (int k = 0; k < units; k++) {
        scratch[k * count + i] = targets[row * units + k];
      }
    }
    HostArrays.writeFlat(labels, scratch, 0, count * units);
  }

  /** Writes the targets of the same rows into heap rows [count][units], from a float copy. */
  void writeTargets(float[][] out, int[] order, int from, int count) {
    if (floatTargets == null) {
      float[] all = new float[targets.length];
      for (int j = 0; j < all.length; j++) {
        all[j] = (float) targets[j];
      }
      floatTargets = all;
    }
    for (int i = 0; i < count; i++) {
      System.arraycopy(floatTargets, order[from + i] * units, out[i], 0, units);
    }
  }

  /**
   * The standardized features, row-major [rows, rowLength], made on the first call (a copy of the
   * data's size) and kept. Do not modify.
   */
  double[] featureArray() {
    if (features == null) {
      double[] all = new double[rows * rowLength];
      for (int r = 0; r < rows; r++) {
        standardize(r, all, r * rowLength);
      }
      features = all;
    }
    return features;
  }

  /** The standardized features if {@link #featureArray()} made them, else null. Do not modify. */
  double[] standardizedIfMade() {
    return features;
  }

  /** The encoded targets, row-major [rows, units]. Do not modify. */
  double[] targetArray() {
    return targets;
  }

  /** Copies one row's standardized features into {@code out} (from index 0). */
  void copyFeatures(int row, double[] out) {
    // The row copied first, so that the loop reads every array from index 0: the form the JIT
    // vectorizes (the same values as standardize's).
    System.arraycopy(raw, row * rowLength, out, 0, rowLength);
    for (int j = 0; j < rowLength; j++) {
      out[j] = (out[j] - mean[j]) / scale[j];
    }
  }

  /** Copies one row's encoded targets into {@code out} at {@code at}. */
  void copyTargets(int row, double[] out, int at) {
    System.arraycopy(targets, row * units, out, at, units);
  }

  /** Standardizes row {@code row} into {@code out[at ..]}, as {@link Standardizer#apply} does. */
  private void standardize(int row, double[] out, int at) {
    int from = row * rowLength;
    for (int j = 0; j < rowLength; j++) {
      out[at + j] = (raw[from + j] - mean[j]) / scale[j];
    }
  }
}

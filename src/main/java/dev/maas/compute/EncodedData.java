package dev.maas.compute;

import dev.maas.compute.nn.Head;
import dev.maas.compute.nn.HostArrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Rows ready for a network: standardized features and targets encoded for the head (scaled values,
 * one-hot classes or a 0/1 column), kept on the heap and copied batch by batch into a pass'
 * buffers.
 */
final class EncodedData {
  final int rows;
  final int rowLength;
  final int units;
  private final double[] features;
  private final double[] targets; // [rows, units], row-major
  private int[] inOrder; // 0 .. rows - 1, made on first use

  private EncodedData(int rows, int rowLength, int units, double[] features, double[] targets) {
    this.rows = rows;
    this.rowLength = rowLength;
    this.units = units;
    this.features = features;
    this.targets = targets;
  }

  static EncodedData of(Examples data, Standardizer inputs, Standardizer outputs, Head head) {
    double[] features = inputs.apply(data.features());
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
    return new EncodedData(data.rows(), data.rowLength(), units, features, targets);
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
      System.arraycopy(features, order[from + i] * rowLength, scratch, i * rowLength, rowLength);
    }
    HostArrays.writeFlat(input, scratch, 0, count * rowLength);
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

  /** The standardized features, row-major [rows, rowLength]. Do not modify. */
  double[] featureArray() {
    return features;
  }

  /** The encoded targets, row-major [rows, units]. Do not modify. */
  double[] targetArray() {
    return targets;
  }

  /** Copies one row's standardized features into {@code out}. */
  void copyFeatures(int row, double[] out) {
    System.arraycopy(features, row * rowLength, out, 0, rowLength);
  }

  /** Copies one row's encoded targets into {@code out} at {@code at}. */
  void copyTargets(int row, double[] out, int at) {
    System.arraycopy(targets, row * units, out, at, units);
  }
}

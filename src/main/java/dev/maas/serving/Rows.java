package dev.maas.serving;

import java.util.Arrays;

/**
 * Instances read from a request: {@code rows} rows of {@code rowLength} values, row-major, grown as
 * they are read.
 */
final class Rows {
  private final int rowLength;
  private double[] values;
  private int rows;

  Rows(int rowLength, int expectedRows) {
    this.rowLength = rowLength;
    this.values = new double[Math.max(1, expectedRows) * rowLength];
  }

  /** Rows given whole: {@code values.length} must be {@code rows * rowLength}. */
  Rows(double[] values, int rows, int rowLength) {
    this.rowLength = rowLength;
    this.values = values;
    this.rows = rows;
  }

  /** Starts a new row of zeros and returns the offset of its first value. */
  int addRow() {
    int at = rows * rowLength;
    if (at + rowLength > values.length) {
      values = Arrays.copyOf(values, Math.max(values.length * 2, at + rowLength));
    }
    rows++;
    return at;
  }

  void set(int at, double value) {
    values[at] = value;
  }

  int rows() {
    return rows;
  }

  /** The values, exactly {@code rows * rowLength} of them. */
  double[] values() {
    int n = rows * rowLength;
    return values.length == n ? values : Arrays.copyOf(values, n);
  }
}

package dev.maas.compute;

import java.util.Arrays;

/**
 * Per-feature standardization, {@code (x - mean) / scale}, fitted on training rows and stored with
 * the model so callers send raw values.
 *
 * <p>What counts as one feature follows the input's rank: each column of a vector [features]; each
 * feature of a sequence [time, features], shared by all steps; each channel of an image [channels,
 * height, width], shared by all pixels. Sharing keeps the shape of a sequence or an image intact,
 * which per-position scaling would distort.
 *
 * @param inputShape the shape of one example
 * @param mean mean per feature group
 * @param scale standard deviation per group, 1 where a group is constant
 */
public record Standardizer(int[] inputShape, double[] mean, double[] scale) {

  public Standardizer {
    inputShape = inputShape.clone();
    mean = mean.clone();
    scale = scale.clone();
    for (int g = 0; g < scale.length; g++) {
      if (!(scale[g] > 0) || !Double.isFinite(scale[g]) || !Double.isFinite(mean[g])) {
        throw new IllegalArgumentException(
            "standardizer group " + g + " is not finite and positive");
      }
    }
    if (mean.length != groups(inputShape) || scale.length != mean.length) {
      throw new IllegalArgumentException(
          "standardizer for shape "
              + Arrays.toString(inputShape)
              + " needs "
              + groups(inputShape)
              + " means and scales");
    }
  }

  @Override
  public int[] inputShape() {
    return inputShape.clone();
  }

  @Override
  public double[] mean() {
    return mean.clone();
  }

  @Override
  public double[] scale() {
    return scale.clone();
  }

  /** Fits the statistics of {@code rows} rows of {@code values} (row-major). */
  public static Standardizer fit(int[] inputShape, double[] values, int rows) {
    int groups = groups(inputShape);
    int rowLength = values.length / Math.max(rows, 1);
    int[] groupOf = new int[rowLength];
    for (int i = 0; i < rowLength; i++) {
      groupOf[i] = group(inputShape, i);
    }
    // Per position first (a loop the JIT vectorizes), then per group: for vectors, whose groups
    // are the positions, that is the plain order of additions; for images and sequences it
    // avoids a loop-carried sum through the group's slot per value (4% of a 20,000-image CNN
    // training call).
    double[] sum = new double[groups];
    double[] count = new double[groups];
    double[] perPosition = new double[rowLength];
    for (int r = 0; r < rows; r++) {
      int at = r * rowLength;
      for (int i = 0; i < rowLength; i++) {
        perPosition[i] += values[at + i];
      }
    }
    for (int i = 0; i < rowLength; i++) {
      sum[groupOf[i]] += perPosition[i];
      count[groupOf[i]] += rows;
    }
    double[] mean = new double[groups];
    for (int g = 0; g < groups; g++) {
      mean[g] = count[g] == 0 ? 0 : sum[g] / count[g];
    }
    double[] meanAt = new double[rowLength];
    for (int i = 0; i < rowLength; i++) {
      meanAt[i] = mean[groupOf[i]];
    }
    java.util.Arrays.fill(perPosition, 0);
    for (int r = 0; r < rows; r++) {
      int at = r * rowLength;
      for (int i = 0; i < rowLength; i++) {
        double d = values[at + i] - meanAt[i];
        perPosition[i] += d * d;
      }
    }
    double[] squares = new double[groups];
    for (int i = 0; i < rowLength; i++) {
      squares[groupOf[i]] += perPosition[i];
    }
    double[] scale = new double[groups];
    for (int g = 0; g < groups; g++) {
      double sd = count[g] == 0 ? 0 : Math.sqrt(squares[g] / count[g]);
      scale[g] = sd > 1e-12 * Math.max(1, Math.abs(mean[g])) ? sd : 1;
    }
    return new Standardizer(inputShape, mean, scale);
  }

  /** Writes the standardized {@code values} into {@code out}; both row-major and same length. */
  public void apply(double[] values, int from, double[] out, int to, int length) {
    int rowLength = rowLength();
    for (int i = 0; i < length; i++) {
      int g = group(inputShape, (from + i) % rowLength);
      out[to + i] = (values[from + i] - mean[g]) / scale[g];
    }
  }

  /** A standardized copy of {@code values}. */
  public double[] apply(double[] values) {
    double[] out = new double[values.length];
    apply(values, 0, out, 0, values.length);
    return out;
  }

  /** The feature group of each position of a row. */
  int[] groupOfPosition() {
    int[] out = new int[rowLength()];
    for (int i = 0; i < out.length; i++) {
      out[i] = group(inputShape, i);
    }
    return out;
  }

  /** Maps standardized values back to raw values, in place. */
  public void invert(double[] values) {
    int rowLength = rowLength();
    for (int i = 0; i < values.length; i++) {
      int g = group(inputShape, i % rowLength);
      values[i] = values[i] * scale[g] + mean[g];
    }
  }

  private int rowLength() {
    int n = 1;
    for (int d : inputShape) {
      n *= d;
    }
    return n;
  }

  private static int groups(int[] shape) {
    return switch (shape.length) {
      case 1 -> shape[0];
      case 2 -> shape[1];
      case 3 -> shape[0];
      default -> throw new IllegalArgumentException("unsupported rank " + shape.length);
    };
  }

  private static int group(int[] shape, int index) {
    return switch (shape.length) {
      case 1 -> index;
      case 2 -> index % shape[1];
      default -> index / (shape[1] * shape[2]);
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Standardizer s
        && Arrays.equals(inputShape, s.inputShape)
        && Arrays.equals(mean, s.mean)
        && Arrays.equals(scale, s.scale);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(mean) + Arrays.hashCode(scale);
  }

  @Override
  public String toString() {
    return "Standardizer" + Arrays.toString(inputShape);
  }
}

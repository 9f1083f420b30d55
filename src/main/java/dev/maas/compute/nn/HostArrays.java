package dev.maas.compute.nn;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Moves numbers between Java arrays and ND4J arrays through the native buffer directly: one ND4J
 * call per element would cost more than the model's arithmetic.
 */
public final class HostArrays {
  private HostArrays() {}

  /** Writes {@code values} into a contiguous c-ordered array (or vector), in its order. */
  public static void write(INDArray target, double[] values) {
    if (values.length != target.length()) {
      throw new IllegalArgumentException(
          "expected " + target.length() + " values, got " + values.length);
    }
    if (target.ordering() != 'c' && target.rank() > 1 && !target.isVector()) {
      throw new IllegalArgumentException("expected a c-ordered array");
    }
    writeFlat(target, values, 0, values.length);
  }

  /**
   * Writes {@code length} values from {@code source[from..]} into the flat native buffer of a
   * contiguous array, starting at its first element.
   */
  public static void writeFlat(INDArray target, double[] source, int from, int length) {
    checkContiguous(target);
    if (length > target.length()) {
      // The NIO view spans the whole buffer, so a longer write would run into a neighbour.
      throw new IllegalArgumentException(
          "writing " + length + " values into an array of " + target.length());
    }
    int offset = Math.toIntExact(target.offset());
    if (target.dataType() == DataType.DOUBLE) {
      DoubleBuffer buffer = target.data().asNioDouble();
      buffer.position(offset);
      buffer.put(source, from, length);
    } else if (target.dataType() == DataType.FLOAT) {
      FloatBuffer buffer = target.data().asNioFloat();
      for (int i = 0; i < length; i++) {
        buffer.put(offset + i, (float) source[from + i]);
      }
    } else {
      throw new IllegalArgumentException("unsupported data type " + target.dataType());
    }
  }

  /** Reads a contiguous array's values in its buffer order. */
  public static double[] readFlat(INDArray source) {
    checkContiguous(source);
    int n = Math.toIntExact(source.length());
    int offset = Math.toIntExact(source.offset());
    double[] out = new double[n];
    if (source.dataType() == DataType.DOUBLE) {
      DoubleBuffer buffer = source.data().asNioDouble();
      buffer.position(offset);
      buffer.get(out);
    } else if (source.dataType() == DataType.FLOAT) {
      FloatBuffer buffer = source.data().asNioFloat();
      for (int i = 0; i < n; i++) {
        out[i] = buffer.get(offset + i);
      }
    } else {
      throw new IllegalArgumentException("unsupported data type " + source.dataType());
    }
    return out;
  }

  /**
   * Reads the first {@code rows} rows of a matrix [batch, columns] in row-major order, whatever the
   * matrix's ordering.
   */
  public static double[] readRows(INDArray matrix, int rows) {
    int batch = Math.toIntExact(matrix.size(0));
    int columns = Math.toIntExact(matrix.size(1));
    double[] flat = readFlat(matrix);
    double[] out = new double[rows * columns];
    if (matrix.ordering() == 'c') {
      System.arraycopy(flat, 0, out, 0, out.length);
    } else {
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < columns; c++) {
          out[r * columns + c] = flat[c * batch + r];
        }
      }
    }
    return out;
  }

  private static void checkContiguous(INDArray array) {
    if (array.isView() && array.length() != array.data().length() - array.offset()) {
      // A view at the start or tail of a buffer is still contiguous when its strides are dense.
      long expected = 1;
      long[] stride = array.stride();
      long[] shape = array.shape();
      boolean c = array.ordering() == 'c';
      for (int k = 0; k < shape.length; k++) {
        int i = c ? shape.length - 1 - k : k;
        if (shape[i] != 1 && stride[i] != expected) {
          throw new IllegalArgumentException(
              "array is not contiguous: " + array.shapeInfoToString());
        }
        expected *= shape[i];
      }
    }
  }

  /** Releases the native memory of the given arrays now; skips nulls and views. */
  public static void close(INDArray... arrays) {
    for (INDArray a : arrays) {
      if (a != null && !a.isView() && a.closeable()) {
        a.close();
      }
    }
  }

  /** Bytes held by the given arrays; skips nulls. */
  public static long bytes(INDArray... arrays) {
    long bytes = 0;
    for (INDArray a : arrays) {
      bytes += a == null ? 0 : a.length() * a.dataType().width();
    }
    return bytes;
  }
}

package dev.maas.compute.nn;

/** Small helpers for per-example shapes. */
public final class Shapes {
  private Shapes() {}

  /** Number of elements of a shape. */
  public static long size(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Number of elements of a shape. */
  public static long size(int[] shape) {
    long n = 1;
    for (int d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** {@code [batch, shape...]}. */
  public static long[] withBatch(long batch, long[] shape) {
    long[] out = new long[shape.length + 1];
    out[0] = batch;
    System.arraycopy(shape, 0, out, 1, shape.length);
    return out;
  }

  /** The shape as longs. */
  public static long[] toLongs(int[] shape) {
    long[] out = new long[shape.length];
    for (int i = 0; i < shape.length; i++) {
      out[i] = shape[i];
    }
    return out;
  }
}

package dev.maas.compute.nn;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A contiguous block of a native float or double array, read into and written from heap {@code
 * double[]}s in one bulk copy each way. Made once for a pass' fixed buffers: host loops that fuse
 * many element-wise steps then cost two copies instead of one native call per step. Per-element
 * access to a direct buffer costs several times a heap array's.
 */
final class HostBlock {
  private final int length;
  private final FloatBuffer floats;
  private final DoubleBuffer doubles;

  /**
   * @param array a c-order array whose elements are contiguous (a whole buffer, or a row block or
   *     step of one), float or double
   */
  HostBlock(INDArray array) {
    if (!MaxPool.supports(array)) {
      throw new IllegalArgumentException("not a contiguous float or double array");
    }
    length = Math.toIntExact(array.length());
    if (array.dataType() == DataType.FLOAT) {
      FloatPointer p = new FloatPointer(array.data().addressPointer());
      floats = p.capacity(p.position() + length).asBuffer();
      doubles = null;
    } else {
      DoublePointer p = new DoublePointer(array.data().addressPointer());
      doubles = p.capacity(p.position() + length).asBuffer();
      floats = null;
    }
  }

  int length() {
    return length;
  }

  /**
   * Copies the block into {@code to[0 .. length)}; {@code scratch} holds at least {@code length}
   * values (float blocks pass through it).
   */
  void read(double[] to, float[] scratch) {
    if (floats != null) {
      floats.get(0, scratch, 0, length);
      for (int i = 0; i < length; i++) {
        to[i] = scratch[i];
      }
    } else {
      doubles.get(0, to, 0, length);
    }
  }

  /** Copies {@code from[0 .. length)} into the block, through {@code scratch} as {@link #read}. */
  void write(double[] from, float[] scratch) {
    if (floats != null) {
      for (int i = 0; i < length; i++) {
        scratch[i] = (float) from[i];
      }
      floats.put(0, scratch, 0, length);
    } else {
      doubles.put(0, from, 0, length);
    }
  }
}

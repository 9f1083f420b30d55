package dev.maas.compute.nn;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Max pooling without padding on the host: the input is copied from its native buffer to a heap
 * array in one block (element-wise access to a direct buffer costs several times more), the forward
 * pass records each window's arg-max (the first of equal maxima), so the backward pass is one
 * scatter of the output gradient, where ND4J's {@code maxpool2d_bp} searches every window again.
 * Planes are {@code [batch * channels]} images of {@code height x width}, c order.
 */
final class MaxPool {
  private final int planes;
  private final int height;
  private final int width;
  private final int size;
  private final int stride;
  private final int outHeight;
  private final int outWidth;
  private final INDArray output;
  private final INDArray inputGradient;
  private final int[] argmax; // per output element, the flat index of its input's maximum
  // Heap copies of the input and output (the input gradient and output gradient in backward),
  // made on first use in the pass' data type.
  private float[] floatIn;
  private float[] floatOut;
  private double[] doubleIn;
  private double[] doubleOut;

  MaxPool(
      int planes,
      int height,
      int width,
      int size,
      int stride,
      INDArray output,
      INDArray inputGradient) {
    this.planes = planes;
    this.height = height;
    this.width = width;
    this.size = size;
    this.stride = stride;
    this.outHeight = (height - size) / stride + 1;
    this.outWidth = (width - size) / stride + 1;
    this.output = output;
    this.inputGradient = inputGradient;
    this.argmax = new int[Math.toIntExact((long) planes * outHeight * outWidth)];
  }

  /**
   * Whether the host path can read or write {@code array}: c-order, contiguous, float or double.
   */
  static boolean supports(INDArray array) {
    DataType type = array.dataType();
    if (type != DataType.FLOAT && type != DataType.DOUBLE) {
      return false;
    }
    if (array.ordering() != 'c') {
      return false;
    }
    long expected = 1;
    long[] shape = array.shape();
    long[] stride = array.stride();
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] != 1 && stride[i] != expected) {
        return false;
      }
      expected *= shape[i];
    }
    return true;
  }

  void forward(INDArray input) {
    int n = planes * height * width;
    if (input.dataType() == DataType.FLOAT) {
      if (floatIn == null) {
        floatIn = new float[n];
        floatOut = new float[argmax.length];
      }
      floats(input).get(floatIn, 0, n);
      forward(floatIn, floatOut);
      floats(output).put(floatOut);
    } else {
      if (doubleIn == null) {
        doubleIn = new double[n];
        doubleOut = new double[argmax.length];
      }
      doubles(input).get(doubleIn, 0, n);
      forward(doubleIn, doubleOut);
      doubles(output).put(doubleOut);
    }
  }

  void backward(INDArray outputGradient) {
    // The forward pass' heap copies of the input take the gradients: forward runs again before
    // the next backward.
    if (inputGradient.dataType() == DataType.FLOAT) {
      floats(outputGradient).get(floatOut, 0, argmax.length);
      Arrays.fill(floatIn, 0f);
      for (int o = 0; o < argmax.length; o++) {
        floatIn[argmax[o]] += floatOut[o];
      }
      floats(inputGradient).put(floatIn);
    } else {
      doubles(outputGradient).get(doubleOut, 0, argmax.length);
      Arrays.fill(doubleIn, 0.0);
      for (int o = 0; o < argmax.length; o++) {
        doubleIn[argmax[o]] += doubleOut[o];
      }
      doubles(inputGradient).put(doubleIn);
    }
  }

  private void forward(float[] in, float[] out) {
    if (size == 2 && stride == 2) {
      forward2x2(in, out);
      return;
    }
    int o = 0;
    for (int p = 0; p < planes; p++) {
      int plane = p * height * width;
      for (int oy = 0; oy < outHeight; oy++) {
        for (int ox = 0; ox < outWidth; ox++, o++) {
          int first = plane + oy * stride * width + ox * stride;
          int best = first;
          float max = in[first];
          for (int ky = 0; ky < size; ky++) {
            int row = first + ky * width;
            for (int kx = 0; kx < size; kx++) {
              // Without branches (which the data make unpredictable): all ones when v > max.
              float v = in[row + kx];
              int greater = Float.floatToRawIntBits(max - v) >> 31;
              best = (row + kx) & greater | best & ~greater;
              max = Math.max(max, v);
            }
          }
          out[o] = max;
          argmax[o] = best;
        }
      }
    }
  }

  /**
   * The common 2x2 window, stride 2, as straight-line code: the maximum of each pair, then of the
   * two pairs, each a branch-free selection on the sign of a difference (first of equal maxima).
   */
  private void forward2x2(float[] in, float[] out) {
    int o = 0;
    for (int p = 0; p < planes; p++) {
      int plane = p * height * width;
      for (int oy = 0; oy < outHeight; oy++) {
        int top = plane + 2 * oy * width;
        for (int ox = 0; ox < outWidth; ox++, o++) {
          int i = top + 2 * ox;
          int j = i + width;
          float a = in[i];
          float b = in[i + 1];
          float c = in[j];
          float d = in[j + 1];
          int bGreater = Float.floatToRawIntBits(a - b) >> 31; // all ones when b > a
          int dGreater = Float.floatToRawIntBits(c - d) >> 31;
          int top1 = i - bGreater; // i + 1 when b > a
          int bottom1 = j - dGreater;
          float upper =
              Float.intBitsToFloat(
                  Float.floatToRawIntBits(b) & bGreater | Float.floatToRawIntBits(a) & ~bGreater);
          float lower =
              Float.intBitsToFloat(
                  Float.floatToRawIntBits(d) & dGreater | Float.floatToRawIntBits(c) & ~dGreater);
          int lowerGreater = Float.floatToRawIntBits(upper - lower) >> 31;
          out[o] =
              Float.intBitsToFloat(
                  Float.floatToRawIntBits(lower) & lowerGreater
                      | Float.floatToRawIntBits(upper) & ~lowerGreater);
          argmax[o] = bottom1 & lowerGreater | top1 & ~lowerGreater;
        }
      }
    }
  }

  private void forward(double[] in, double[] out) {
    int o = 0;
    for (int p = 0; p < planes; p++) {
      int plane = p * height * width;
      for (int oy = 0; oy < outHeight; oy++) {
        for (int ox = 0; ox < outWidth; ox++, o++) {
          int first = plane + oy * stride * width + ox * stride;
          int best = first;
          double max = in[first];
          for (int ky = 0; ky < size; ky++) {
            int row = first + ky * width;
            for (int kx = 0; kx < size; kx++) {
              double v = in[row + kx];
              int greater = (int) (Double.doubleToRawLongBits(max - v) >> 63);
              best = (row + kx) & greater | best & ~greater;
              max = Math.max(max, v);
            }
          }
          out[o] = max;
          argmax[o] = best;
        }
      }
    }
  }

  /** A view of a contiguous array's elements, from its first. */
  static FloatBuffer floats(INDArray array) {
    FloatPointer p = new FloatPointer(array.data().addressPointer());
    return p.capacity(p.position() + array.length()).asBuffer();
  }

  static DoubleBuffer doubles(INDArray array) {
    DoublePointer p = new DoublePointer(array.data().addressPointer());
    return p.capacity(p.position() + array.length()).asBuffer();
  }
}

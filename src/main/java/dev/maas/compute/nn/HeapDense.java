package dev.maas.compute.nn;

import dev.maas.compute.Activation;
import java.util.ArrayList;
import java.util.List;

/**
 * The inference of a stack of {@link Dense} layers on the Java heap, for small calls. ND4J charges
 * 5-15 µs per native call whatever the size of the arrays, which for a small perceptron (wine's
 * 13-64-3: about 1,000 multiply-adds per row) is nearly all of a prediction, and far more in a
 * server, where the JVM's HTTP work between calls evicts the native library's code from the CPU
 * caches. A loop over a heap copy of the weights does such a row in about a microsecond. It
 * computes in double precision from the same (float) weights, so it agrees with the native pass to
 * float rounding; callers use it only while {@link #flopsPerRow} times the rows stays small, and
 * the native pass beyond.
 */
public final class HeapDense {
  private final List<double[]> weights = new ArrayList<>();
  private final int[] inputs;
  private final int[] units;
  private final Activation[] activations;
  private final int widest;
  private final long flopsPerRow;

  private HeapDense(List<Dense> layers) {
    int n = layers.size();
    inputs = new int[n];
    units = new int[n];
    activations = new Activation[n];
    int wide = 0;
    long flops = 0;
    for (int l = 0; l < n; l++) {
      Dense d = layers.get(l);
      inputs[l] = Math.toIntExact(d.inputs());
      units[l] = Math.toIntExact(d.units());
      activations[l] = d.activation();
      weights.add(d.hostWeights());
      wide = Math.max(wide, Math.max(inputs[l], units[l]));
      flops += 2L * (inputs[l] + 1) * units[l];
    }
    widest = wide;
    flopsPerRow = flops;
  }

  /** The heap copy of {@code network}, or null when it has a layer other than {@link Dense}. */
  public static HeapDense of(Network network) {
    List<Dense> dense = new ArrayList<>();
    for (Layer layer : network.layers()) {
      if (!(layer instanceof Dense)) {
        return null;
      }
      dense.add((Dense) layer);
    }
    return new HeapDense(dense);
  }

  /** Floating-point operations per row, which callers weigh against a native call's overhead. */
  public long flopsPerRow() {
    return flopsPerRow;
  }

  /**
   * The last layer's outputs for {@code rows} rows of scaled inputs, row-major, written to {@code
   * scores} from index 0.
   */
  public void forward(double[] input, int inputOffset, int rows, double[] scores) {
    double[] a = new double[widest];
    double[] b = new double[widest];
    int first = inputs[0];
    int last = units[units.length - 1];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(input, inputOffset + r * first, a, 0, first);
      double[] in = a;
      double[] out = b;
      for (int l = 0; l < units.length; l++) {
        layer(l, in, out);
        double[] t = in;
        in = out;
        out = t;
      }
      System.arraycopy(in, 0, scores, r * last, last);
    }
  }

  /**
   * {@code out = activation(in . W + b)} with W's rows contiguous, so the inner loop vectorizes.
   */
  private void layer(int l, double[] in, double[] out) {
    double[] w = weights.get(l);
    int n = inputs[l];
    int m = units[l];
    if (m == 1) {
      // One unit (a binary head, a regression): a dot product with four partial sums. The loop
      // below would run one-element inner loops, four times slower on a million rows of 50.
      out[0] = dot(in, w, n);
      if (activations[l] != null) {
        out[0] = apply(activations[l], out[0]);
      }
      return;
    }
    System.arraycopy(w, n * m, out, 0, m); // the bias row
    for (int i = 0; i < n; i++) {
      double x = in[i];
      if (x == 0) {
        continue;
      }
      int row = i * m;
      for (int j = 0; j < m; j++) {
        out[j] += x * w[row + j];
      }
    }
    Activation f = activations[l];
    if (f != null) {
      for (int j = 0; j < m; j++) {
        out[j] = apply(f, out[j]);
      }
    }
  }

  /** in[0 .. n) . w[0 .. n) plus the bias w[n]. */
  private static double dot(double[] in, double[] w, int n) {
    double z0 = 0;
    double z1 = 0;
    double z2 = 0;
    double z3 = 0;
    int n4 = n & ~3;
    int i = 0;
    for (; i < n4; i += 4) {
      z0 += in[i] * w[i];
      z1 += in[i + 1] * w[i + 1];
      z2 += in[i + 2] * w[i + 2];
      z3 += in[i + 3] * w[i + 3];
    }
    double z = w[n] + ((z0 + z1) + (z2 + z3));
    for (; i < n; i++) {
      z += in[i] * w[i];
    }
    return z;
  }

  private static double apply(Activation f, double x) {
    switch (f) {
      case RELU:
        return x > 0 ? x : 0;
      case LEAKY_RELU:
        return x > 0 ? x : Activation.LEAKY_RELU_SLOPE * x;
      case TANH:
        return Math.tanh(x);
      case SIGMOID:
        return 1 / (1 + Math.exp(-x));
      default:
        throw new IllegalStateException("no heap form of " + f);
    }
  }
}

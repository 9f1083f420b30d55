package dev.maas.compute.nn;

import dev.maas.compute.Activation;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training step of a stack of {@link Dense} layers (and its loss) on the Java heap, in single
 * precision, for networks small enough that ND4J's per-call cost, not the arithmetic, sets the
 * speed: a dense step through ND4J is about 15 native calls (products, the loss' gradient, the
 * activation's derivative, the updater), each 5-30 µs, where the loops here do a 100-64-10 step of
 * 128 rows in about 115 µs of CPU.
 *
 * <p>It keeps a heap copy of the network's flat parameters and gradients, in the same layout (each
 * layer's [inputs + 1, units] matrix, bias last), so that an optimizer step over them is the same
 * loop whatever the layers, and writes the parameters back to the network when asked ({@link
 * #writeTo}): before the epoch's losses, a checkpoint or the end. Forward, the loss' gradient and
 * backward follow ND4J's formulas (cross-entropy on softmax or sigmoid with ND4J's clipping, mean
 * squared error over the outputs) so that both paths train the same model to float rounding; {@code
 * FusedDenseTest} checks it against the ND4J path.
 *
 * <p>Every matrix is an array of row arrays and every product a loop {@code out[j] += x * w[j]}
 * over two rows from index 0, four rows of the batch at a time: the form the JIT compiles to vector
 * multiply-adds (Java 17's C2 does not vectorize a loop whose two arrays are read at different
 * offsets, {@code out[o + j] += x * w[p + j]}, which measured 7 against 30 GFLOP/s). Not
 * thread-safe: one per training run.
 */
public final class FusedDense {
  /**
   * The most floating-point operations of one training step (rows times {@link
   * Network#trainingFlops()} per row) that run on the heap; larger steps keep ND4J's products
   * (BLAS). An estimate, not measured at the boundary: the heap loops ran at about 30 GFLOP/s on
   * one core, ND4J's path of a 100-64-10 step (3.5 MFLOP) cost about 0.3 ms more than its
   * arithmetic, and BLAS' advantage on large products makes up for that cost at some tens of MFLOP.
   */
  public static final long MAX_STEP_FLOPS = 16L << 20;

  private final Head head;
  private final int layers;
  private final int[] inputs;
  private final int[] units;
  private final int[] firstRow; // of each layer's [inputs + 1] rows in w and g
  private final Activation[] activations;
  private final int maxBatch;
  private final int parameterCount;
  private final float[][] w; // every layer's weight rows, then its bias row
  private final float[][] g; // the gradient, in the same rows
  private final float[][][] acts; // acts[l]: layer l's input rows; acts[layers]: the scores
  private final float[][][] deltas; // deltas[l]: gradient at layer l's output, per row
  private final float[][] targets; // per row, encoded for the head
  private final float[][][] transposed; // per layer above the first: its weights [units][inputs]
  private final float[][][] inputsT; // per layer: its input transposed [inputs][maxBatch]
  private final float[][][] outputsT; // its output transposed [units][maxBatch]
  private final float[][][] gradientsT; // its weight gradient transposed [units][inputs]
  private final boolean[] blas; // per layer: products as OpenBLAS sgemm calls
  private final Native[] natives; // per such layer: its native operands and heap staging

  /**
   * The fewest weights (inputs times units) of a layer whose products (forward, weight gradient,
   * input gradient) run as OpenBLAS {@code sgemm} calls (one each per step, about a microsecond of
   * call cost, with copies of the batch in and out) rather than the heap loops. On a 100-64-10 MLP
   * with batches of 128 the 100-64 layer's products ran about three times faster so, the 64-10
   * layer's a few percent (fit CPU 0.59 against 0.61 s with it on the heap).
   */
  static final int BLAS_MIN_WEIGHTS = 512;

  /** And the fewest inputs: narrower layers (wine's 13-64-3) stay on the heap. */
  static final int BLAS_MIN_INPUTS = 32;

  /**
   * A layer's operands for {@code sgemm}, row-major: its input [maxBatch, inputs], weights [inputs,
   * units], output or delta [maxBatch, units], weight gradient [inputs, units]; and the heap arrays
   * that gather rows for one bulk copy each way. Freed with the garbage (JavaCPP's deallocator).
   */
  private record Native(
      FloatPointer input,
      FloatPointer weights,
      FloatPointer output,
      FloatPointer gradient,
      float[] inputRows,
      float[] weightRows,
      float[] outputRows) {}

  /**
   * Floats in a vector register. A product's inner loop runs along its longest dimension: along the
   * batch (on transposed rows) for the forward pass of 16 rows or more, along the inputs for a
   * weight gradient with more inputs than units. A loop over 10 outputs runs mostly in the JIT's
   * scalar pre- and post-loops, and even 64 a row measured 10-20% slower than 128 a batch.
   */
  static final int NARROW = 16;

  private FusedDense(List<Dense> dense, Head head, int maxBatch) {
    this.head = head;
    this.layers = dense.size();
    this.maxBatch = maxBatch;
    inputs = new int[layers];
    units = new int[layers];
    firstRow = new int[layers];
    activations = new Activation[layers];
    int rows = 0;
    int count = 0;
    for (int l = 0; l < layers; l++) {
      Dense d = dense.get(l);
      inputs[l] = Math.toIntExact(d.inputs());
      units[l] = Math.toIntExact(d.units());
      activations[l] = d.activation();
      firstRow[l] = rows;
      rows += inputs[l] + 1;
      count += (inputs[l] + 1) * units[l];
    }
    parameterCount = count;
    w = new float[rows][];
    g = new float[rows][];
    acts = new float[layers + 1][][];
    deltas = new float[layers][][];
    transposed = new float[layers][][];
    inputsT = new float[layers][][];
    outputsT = new float[layers][][];
    gradientsT = new float[layers][][];
    blas = new boolean[layers];
    natives = new Native[layers];
    for (int l = 0; l < layers; l++) {
      blas[l] = inputs[l] >= BLAS_MIN_INPUTS && (long) inputs[l] * units[l] >= BLAS_MIN_WEIGHTS;
      if (blas[l]) {
        int n = inputs[l];
        int m = units[l];
        natives[l] =
            new Native(
                new FloatPointer((long) maxBatch * n),
                new FloatPointer((long) n * m),
                new FloatPointer((long) maxBatch * m),
                new FloatPointer((long) n * m),
                new float[maxBatch * n],
                new float[n * m],
                new float[maxBatch * m]);
      }
      for (int r = 0; r <= inputs[l]; r++) {
        w[firstRow[l] + r] = new float[units[l]];
        g[firstRow[l] + r] = new float[units[l]];
      }
      acts[l] = new float[maxBatch][inputs[l]];
      deltas[l] = new float[maxBatch][units[l]];
      if (l > 0) {
        transposed[l] = new float[units[l]][inputs[l]];
      }
      inputsT[l] = new float[inputs[l]][maxBatch];
      outputsT[l] = new float[units[l]][maxBatch];
      gradientsT[l] = new float[units[l]][inputs[l]];
    }
    int k = units[layers - 1];
    acts[layers] = new float[maxBatch][k];
    targets = new float[maxBatch][k];
  }

  /**
   * The heap step for {@code network} with steps of {@code stepRows} rows and buffers for passes of
   * up to {@code bufferRows} (at least {@code stepRows}), or null when the network does not
   * qualify: a layer other than {@link Dense}, dropout (whose masks come from ND4J's generator),
   * double precision, or steps too large ({@link #MAX_STEP_FLOPS}).
   */
  public static FusedDense of(Network network, Head head, int stepRows, int bufferRows) {
    if (network.dataType() != DataType.FLOAT || network.gradients() == null) {
      return null;
    }
    List<Dense> dense = new ArrayList<>();
    for (Layer layer : network.layers()) {
      if (!(layer instanceof Dense d) || d.dropout() > 0) {
        return null;
      }
      dense.add(d);
    }
    if ((double) network.trainingFlops() * stepRows > MAX_STEP_FLOPS) {
      return null;
    }
    return new FusedDense(dense, head, Math.max(stepRows, bufferRows));
  }

  /**
   * The parameters as rows: each layer's [inputs + 1, units] matrix, bias row last, layer after
   * layer; read row after row they are the network's flat vector. The optimizer changes them in
   * place.
   */
  public float[][] parameterRows() {
    return w;
  }

  /** The gradient of the last {@link #gradient} call, in the same rows. */
  public float[][] gradientRows() {
    return g;
  }

  /** Whether parameter row {@code r} holds weights (which L1 and L2 penalize), not biases. */
  public boolean weightRow(int r) {
    for (int l = layers - 1; l >= 0; l--) {
      if (r >= firstRow[l]) {
        return r - firstRow[l] < inputs[l];
      }
    }
    throw new IndexOutOfBoundsException(r);
  }

  /** Floating-point operations of a forward pass, per row. */
  public long forwardFlops() {
    long flops = 0;
    for (int l = 0; l < layers; l++) {
      flops += 2L * (inputs[l] + 1) * units[l];
    }
    return flops;
  }

  /** The number of parameters: the length of the network's flat vector. */
  public int parameterCount() {
    return parameterCount;
  }

  /** The gradient as one flat vector in the network's layout (a copy). */
  public float[] flatGradient() {
    float[] out = new float[parameterCount];
    int at = 0;
    for (float[] row : g) {
      System.arraycopy(row, 0, out, at, row.length);
      at += row.length;
    }
    return out;
  }

  /** The input rows [maxBatch][inputs]: write a batch's rows here. */
  public float[][] input() {
    return acts[0];
  }

  /** The target rows [maxBatch][units], encoded for the head. */
  public float[][] targets() {
    return targets;
  }

  public int maxBatch() {
    return maxBatch;
  }

  /** Copies the network's parameters in. */
  public void readFrom(Network network) {
    FloatBuffer buffer = buffer(network.parameters());
    int at = 0;
    for (float[] row : w) {
      buffer.get(at, row);
      at += row.length;
    }
  }

  /** Copies the parameters out to the network. */
  public void writeTo(Network network) {
    FloatBuffer buffer = buffer(network.parameters());
    int at = 0;
    for (float[] row : w) {
      buffer.put(at, row);
      at += row.length;
    }
  }

  private static FloatBuffer buffer(INDArray array) {
    if (array.dataType() != DataType.FLOAT || array.isView() || array.offset() != 0) {
      throw new IllegalStateException("expected the network's own float parameter vector");
    }
    return array.data().asNioFloat();
  }

  /**
   * Runs the first {@code count} rows of {@link #input()} forward and back against {@link
   * #targets()}, leaving the gradient of the mean loss in {@link #gradientRows()}.
   */
  public void gradient(int count) {
    forward(count);
    outputGradient(count);
    for (int l = layers - 1; l >= 0; l--) {
      backward(l, count);
    }
  }

  /**
   * The summed loss of the first {@code count} rows of {@link #input()} against {@link #targets()},
   * as ND4J's {@code computeScore} (not averaged) computes it ({@link Head#rowLoss}).
   */
  public double lossSum(int count) {
    forward(count);
    return lastLossSum(count);
  }

  /**
   * The summed loss of the rows of the last {@link #gradient} or {@link #lossSum}, from the scores
   * that pass left (no second forward pass), as {@link #lossSum} computes it.
   */
  public double lastLossSum(int count) {
    float[][] z = acts[layers];
    int k = units[layers - 1];
    double[] row = new double[k];
    double[] y = new double[k];
    double total = 0;
    for (int b = 0; b < count; b++) {
      for (int j = 0; j < k; j++) {
        row[j] = z[b][j];
        y[j] = targets[b][j];
      }
      total += head.rowLoss(row, 0, y, 0, k);
    }
    return total;
  }

  private void forward(int count) {
    if (count > maxBatch) {
      throw new IllegalArgumentException(count + " rows in a step of at most " + maxBatch);
    }
    for (int l = 0; l < layers; l++) {
      affine(l, count);
      activate(activations[l], acts[l + 1], count);
    }
  }

  /** acts[l + 1] = acts[l] . W + b, four rows of the batch at a time. */
  private void affine(int l, int count) {
    if (blas[l]) {
      affineBlas(l, count);
      return;
    }
    if (count >= NARROW || units[l] < NARROW) {
      affineAlongBatch(l, count);
      return;
    }
    float[][] x = acts[l];
    float[][] z = acts[l + 1];
    int n = inputs[l];
    int m = units[l];
    int first = firstRow[l];
    float[] bias = w[first + n];
    int b = 0;
    for (; b + 3 < count; b += 4) {
      float[] z0 = z[b];
      float[] z1 = z[b + 1];
      float[] z2 = z[b + 2];
      float[] z3 = z[b + 3];
      float[] a0 = x[b];
      float[] a1 = x[b + 1];
      float[] a2 = x[b + 2];
      float[] a3 = x[b + 3];
      System.arraycopy(bias, 0, z0, 0, m);
      System.arraycopy(bias, 0, z1, 0, m);
      System.arraycopy(bias, 0, z2, 0, m);
      System.arraycopy(bias, 0, z3, 0, m);
      for (int i = 0; i < n; i++) {
        float x0 = a0[i];
        float x1 = a1[i];
        float x2 = a2[i];
        float x3 = a3[i];
        float[] wr = w[first + i];
        for (int j = 0; j < m; j++) {
          float v = wr[j];
          z0[j] += x0 * v;
          z1[j] += x1 * v;
          z2[j] += x2 * v;
          z3[j] += x3 * v;
        }
      }
    }
    for (; b < count; b++) {
      float[] z0 = z[b];
      float[] a0 = x[b];
      System.arraycopy(bias, 0, z0, 0, m);
      for (int i = 0; i < n; i++) {
        float x0 = a0[i];
        float[] wr = w[first + i];
        for (int j = 0; j < m; j++) {
          z0[j] += x0 * wr[j];
        }
      }
    }
  }

  /**
   * The same as one {@code sgemm}: the batch's rows and the weights copied out in bulk, the product
   * copied back with the bias added. The input stays in the native buffer for {@link
   * #weightGradientBlas}.
   */
  private void affineBlas(int l, int count) {
    Native nat = natives[l];
    float[][] x = acts[l];
    float[][] z = acts[l + 1];
    int n = inputs[l];
    int m = units[l];
    int first = firstRow[l];
    float[] in = nat.inputRows();
    for (int b = 0; b < count; b++) {
      System.arraycopy(x[b], 0, in, b * n, n);
    }
    nat.input().put(in, 0, count * n);
    float[] weights = nat.weightRows();
    for (int i = 0; i < n; i++) {
      System.arraycopy(w[first + i], 0, weights, i * m, m);
    }
    nat.weights().put(weights, 0, n * m);
    openblas_nolapack.cblas_sgemm(
        openblas_nolapack.CblasRowMajor,
        openblas_nolapack.CblasNoTrans,
        openblas_nolapack.CblasNoTrans,
        count,
        m,
        n,
        1f,
        nat.input(),
        n,
        nat.weights(),
        m,
        0f,
        nat.output(),
        m);
    float[] out = nat.outputRows();
    nat.output().get(out, 0, count * m);
    float[] bias = w[first + n];
    for (int b = 0; b < count; b++) {
      float[] zr = z[b];
      int at = b * m;
      for (int j = 0; j < m; j++) {
        zr[j] = out[at + j] + bias[j];
      }
    }
  }

  /** The same along the batch: four outputs at a time, on transposed rows. */
  private void affineAlongBatch(int l, int count) {
    float[][] x = acts[l];
    float[][] z = acts[l + 1];
    float[][] xt = inputsT[l];
    float[][] zt = outputsT[l];
    int n = inputs[l];
    int m = units[l];
    int first = firstRow[l];
    for (int b = 0; b < count; b++) {
      float[] xr = x[b];
      for (int i = 0; i < n; i++) {
        xt[i][b] = xr[i];
      }
    }
    float[] bias = w[first + n];
    for (int j = 0; j < m; j++) {
      Arrays.fill(zt[j], 0, count, bias[j]);
    }
    for (int i = 0; i < n; i++) {
      float[] xi = xt[i];
      float[] wr = w[first + i];
      int j = 0;
      for (; j + 3 < m; j += 4) {
        float w0 = wr[j];
        float w1 = wr[j + 1];
        float w2 = wr[j + 2];
        float w3 = wr[j + 3];
        float[] z0 = zt[j];
        float[] z1 = zt[j + 1];
        float[] z2 = zt[j + 2];
        float[] z3 = zt[j + 3];
        for (int b = 0; b < count; b++) {
          float v = xi[b];
          z0[b] += w0 * v;
          z1[b] += w1 * v;
          z2[b] += w2 * v;
          z3[b] += w3 * v;
        }
      }
      for (; j < m; j++) {
        float w0 = wr[j];
        float[] z0 = zt[j];
        for (int b = 0; b < count; b++) {
          z0[b] += w0 * xi[b];
        }
      }
    }
    for (int b = 0; b < count; b++) {
      float[] zr = z[b];
      for (int j = 0; j < m; j++) {
        zr[j] = zt[j][b];
      }
    }
  }

  private static void activate(Activation f, float[][] z, int count) {
    if (f == null) {
      return;
    }
    for (int b = 0; b < count; b++) {
      float[] r = z[b];
      switch (f) {
        case RELU -> {
          for (int j = 0; j < r.length; j++) {
            r[j] = Math.max(r[j], 0f);
          }
        }
        case LEAKY_RELU -> {
          float slope = (float) Activation.LEAKY_RELU_SLOPE;
          for (int j = 0; j < r.length; j++) {
            r[j] = r[j] > 0 ? r[j] : slope * r[j];
          }
        }
        case TANH -> {
          for (int j = 0; j < r.length; j++) {
            r[j] = (float) Math.tanh(r[j]);
          }
        }
        case SIGMOID -> {
          for (int j = 0; j < r.length; j++) {
            r[j] = (float) (1 / (1 + Math.exp(-r[j])));
          }
        }
      }
    }
  }

  /** deltas[last]: the gradient of the mean loss with respect to the last layer's raw scores. */
  private void outputGradient(int count) {
    float[][] z = acts[layers];
    float[][] delta = deltas[layers - 1];
    int k = units[layers - 1];
    double scale = 1.0 / count;
    double[] exps = head == Head.MULTICLASS ? new double[k] : null;
    for (int b = 0; b < count; b++) {
      float[] zr = z[b];
      float[] yr = targets[b];
      float[] dr = delta[b];
      switch (head) {
        case REGRESSION -> {
          // ND4J's mean squared error: 2 (z - y) / outputs.
          for (int j = 0; j < k; j++) {
            dr[j] = (float) (2.0 * (zr[j] - yr[j]) / k * scale);
          }
        }
        case BINARY -> {
          // ND4J's binary cross-entropy: dL/dp with p clipped to [1e-5, 1 - 1e-5], times the
          // sigmoid's derivative; s - y where nothing is clipped.
          double s = 1 / (1 + Math.exp(-zr[0]));
          double p = Math.min(Math.max(s, 1e-5), 1 - 1e-5);
          dr[0] = (float) ((p - yr[0]) / (p * (1 - p)) * (s * (1 - s)) * scale);
        }
        case MULTICLASS -> {
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < k; j++) {
            max = Math.max(max, zr[j]);
          }
          double sum = 0;
          for (int j = 0; j < k; j++) {
            double e = Math.exp(zr[j] - max);
            exps[j] = e;
            sum += e;
          }
          for (int j = 0; j < k; j++) {
            dr[j] = (float) ((exps[j] / sum - yr[j]) * scale);
          }
        }
      }
    }
  }

  /**
   * Layer l's weight and bias gradients from deltas[l] and its input, and, above the first layer,
   * the delta of the layer beneath (through that layer's activation derivative).
   */
  private void backward(int l, int count) {
    int first = firstRow[l];
    for (int r = first; r <= first + inputs[l]; r++) {
      Arrays.fill(g[r], 0f);
    }
    if (blas[l]) {
      weightGradientBlas(l, count);
    } else if (inputs[l] > units[l]) {
      weightGradientAlongInputs(l, count);
    } else {
      weightGradientAlongUnits(l, count);
    }
    if (l > 0) {
      if (blas[l]) {
        inputGradientBlas(l, count);
      } else {
        inputGradient(l, count);
      }
    }
  }

  /**
   * The weight gradient as one {@code sgemm} (the input, still in its native buffer since this
   * step's forward pass, transposed times the deltas), the bias gradient the deltas' sums.
   */
  private void weightGradientBlas(int l, int count) {
    Native nat = natives[l];
    float[][] d = deltas[l];
    int n = inputs[l];
    int m = units[l];
    int first = firstRow[l];
    float[] rows = nat.outputRows();
    float[] gb = g[first + n];
    for (int b = 0; b < count; b++) {
      float[] dr = d[b];
      System.arraycopy(dr, 0, rows, b * m, m);
      for (int j = 0; j < m; j++) {
        gb[j] += dr[j];
      }
    }
    nat.output().put(rows, 0, count * m);
    openblas_nolapack.cblas_sgemm(
        openblas_nolapack.CblasRowMajor,
        openblas_nolapack.CblasTrans,
        openblas_nolapack.CblasNoTrans,
        n,
        m,
        count,
        1f,
        nat.input(),
        n,
        nat.output(),
        m,
        0f,
        nat.gradient(),
        m);
    float[] gw = nat.weightRows();
    nat.gradient().get(gw, 0, n * m);
    for (int i = 0; i < n; i++) {
      System.arraycopy(gw, i * m, g[first + i], 0, m);
    }
  }

  /** The weight and bias gradients, per input row: four rows of the batch at a time. */
  private void weightGradientAlongUnits(int l, int count) {
    float[][] x = acts[l];
    float[][] d = deltas[l];
    int n = inputs[l];
    int m = units[l];
    int first = firstRow[l];
    float[] gb = g[first + n];
    int b = 0;
    for (; b + 3 < count; b += 4) {
      float[] d0 = d[b];
      float[] d1 = d[b + 1];
      float[] d2 = d[b + 2];
      float[] d3 = d[b + 3];
      float[] a0 = x[b];
      float[] a1 = x[b + 1];
      float[] a2 = x[b + 2];
      float[] a3 = x[b + 3];
      for (int i = 0; i < n; i++) {
        float x0 = a0[i];
        float x1 = a1[i];
        float x2 = a2[i];
        float x3 = a3[i];
        float[] gr = g[first + i];
        for (int j = 0; j < m; j++) {
          gr[j] += x0 * d0[j] + x1 * d1[j] + x2 * d2[j] + x3 * d3[j];
        }
      }
      for (int j = 0; j < m; j++) {
        gb[j] += d0[j] + d1[j] + d2[j] + d3[j];
      }
    }
    for (; b < count; b++) {
      float[] d0 = d[b];
      float[] a0 = x[b];
      for (int i = 0; i < n; i++) {
        float x0 = a0[i];
        float[] gr = g[first + i];
        for (int j = 0; j < m; j++) {
          gr[j] += x0 * d0[j];
        }
      }
      for (int j = 0; j < m; j++) {
        gb[j] += d0[j];
      }
    }
  }

  /**
   * The weight and bias gradients per unit j: the rows of the input weighted by the rows' deltas,
   * four rows at a time, into a transposed gradient copied into place at the end.
   */
  private void weightGradientAlongInputs(int l, int count) {
    float[][] x = acts[l];
    float[][] d = deltas[l];
    float[][] gt = gradientsT[l];
    int n = inputs[l];
    int m = units[l];
    int first = firstRow[l];
    for (float[] row : gt) {
      Arrays.fill(row, 0f);
    }
    float[] gb = g[first + n];
    int b = 0;
    for (; b + 3 < count; b += 4) {
      float[] d0 = d[b];
      float[] d1 = d[b + 1];
      float[] d2 = d[b + 2];
      float[] d3 = d[b + 3];
      float[] a0 = x[b];
      float[] a1 = x[b + 1];
      float[] a2 = x[b + 2];
      float[] a3 = x[b + 3];
      for (int j = 0; j < m; j++) {
        float v0 = d0[j];
        float v1 = d1[j];
        float v2 = d2[j];
        float v3 = d3[j];
        float[] gj = gt[j];
        for (int i = 0; i < n; i++) {
          gj[i] += v0 * a0[i] + v1 * a1[i] + v2 * a2[i] + v3 * a3[i];
        }
        gb[j] += v0 + v1 + v2 + v3;
      }
    }
    for (; b < count; b++) {
      float[] d0 = d[b];
      float[] a0 = x[b];
      for (int j = 0; j < m; j++) {
        float v0 = d0[j];
        float[] gj = gt[j];
        for (int i = 0; i < n; i++) {
          gj[i] += v0 * a0[i];
        }
        gb[j] += v0;
      }
    }
    for (int i = 0; i < n; i++) {
      float[] gr = g[first + i];
      for (int j = 0; j < m; j++) {
        gr[j] = gt[j][i];
      }
    }
  }

  /**
   * The same as one {@code sgemm} on the native deltas and weights that {@link #weightGradientBlas}
   * and {@link #affineBlas} left, into the input's buffer (this step no longer needs the input).
   */
  private void inputGradientBlas(int l, int count) {
    Native nat = natives[l];
    int n = inputs[l];
    int m = units[l];
    openblas_nolapack.cblas_sgemm(
        openblas_nolapack.CblasRowMajor,
        openblas_nolapack.CblasNoTrans,
        openblas_nolapack.CblasTrans,
        count,
        n,
        m,
        1f,
        nat.output(),
        m,
        nat.weights(),
        m,
        0f,
        nat.input(),
        n);
    float[] rows = nat.inputRows();
    nat.input().get(rows, 0, count * n);
    float[][] below = deltas[l - 1];
    for (int b = 0; b < count; b++) {
      float[] out = below[b];
      System.arraycopy(rows, b * n, out, 0, n);
      derivative(activations[l - 1], acts[l][b], out);
    }
  }

  /** deltas[l - 1] = (deltas[l] . W') * f'(acts[l]), with W' [units][inputs] four rows at once. */
  private void inputGradient(int l, int count) {
    int n = inputs[l];
    int m = units[l];
    int first = firstRow[l];
    float[][] wt = transposed[l];
    for (int i = 0; i < n; i++) {
      float[] wr = w[first + i];
      for (int j = 0; j < m; j++) {
        wt[j][i] = wr[j];
      }
    }
    float[][] d = deltas[l];
    float[][] below = deltas[l - 1];
    for (int b = 0; b < count; b++) {
      float[] out = below[b];
      float[] dr = d[b];
      Arrays.fill(out, 0f);
      int j = 0;
      for (; j + 3 < m; j += 4) {
        float v0 = dr[j];
        float v1 = dr[j + 1];
        float v2 = dr[j + 2];
        float v3 = dr[j + 3];
        float[] t0 = wt[j];
        float[] t1 = wt[j + 1];
        float[] t2 = wt[j + 2];
        float[] t3 = wt[j + 3];
        for (int i = 0; i < n; i++) {
          out[i] += v0 * t0[i] + v1 * t1[i] + v2 * t2[i] + v3 * t3[i];
        }
      }
      for (; j < m; j++) {
        float v0 = dr[j];
        float[] t0 = wt[j];
        for (int i = 0; i < n; i++) {
          out[i] += v0 * t0[i];
        }
      }
      derivative(activations[l - 1], acts[l][b], out);
    }
  }

  /** Multiplies {@code delta} by the activation's derivative, from the activation's output y. */
  private static void derivative(Activation f, float[] y, float[] delta) {
    if (f == null) {
      return;
    }
    int n = delta.length;
    switch (f) {
      case RELU -> {
        // 1 where y > 0, else 0, without a branch (which the JIT would not vectorize): y is a
        // relu's output, 0 or at least 2^-149, the smallest float, so y 2^149 is 0 or at least 1.
        for (int i = 0; i < n; i++) {
          delta[i] *= Math.min(y[i] * 0x1p100f * 0x1p49f, 1f);
        }
      }
      case LEAKY_RELU -> {
        float slope = (float) Activation.LEAKY_RELU_SLOPE;
        for (int i = 0; i < n; i++) {
          float positive = Math.min(Math.max(y[i], 0f) * 0x1p100f * 0x1p49f, 1f);
          delta[i] = positive * delta[i] + (1 - positive) * (slope * delta[i]);
        }
      }
      case TANH -> {
        for (int i = 0; i < n; i++) {
          delta[i] = delta[i] * (1 - y[i] * y[i]);
        }
      }
      case SIGMOID -> {
        for (int i = 0; i < n; i++) {
          delta[i] = delta[i] * (y[i] * (1 - y[i]));
        }
      }
    }
  }
}

package dev.maas.compute.nn;

import dev.maas.compute.Activation;
import dev.maas.compute.CnnSpec.ConvLayerSpec;
import dev.maas.compute.CnnSpec.Padding;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A 2-D convolution over examples [channels, height, width] with square kernels, a bias per filter
 * and an activation: {@code out = activation(conv(in, W) + b)}, input and output in NCHW order.
 *
 * <p>It runs as a dense layer over image patches. Forward: the input is unfolded into a column
 * matrix [channels * k * k + 1, batch * positions]; one matrix product with the weights then
 * convolves the whole batch. The unfolding runs on the host for a contiguous float input (one bulk
 * copy of the input to the heap, a run of an image row per matrix row, example and output row, each
 * matrix row copied to the native matrix once written: on bench/train-scale's CNN 3.6% of the
 * samples against 10% for ND4J's copies); otherwise the input is copied into a zero-padded buffer,
 * and for each of the kernel's k*k offsets one strided view of that buffer (the image shifted by
 * the offset, sampled every stride) is copied into the matching rows of the column matrix. Backward
 * is two more products (weight gradient from the same columns, column gradient) and {@code col2im}:
 * on the host for inputs unfolded on the host (ND4J's op took twice as long on bench/train-scale's
 * CNN), ND4J's otherwise. A ReLU convolution before a 2x2 max pool can run fused with it ({@link
 * #newPooledPass}). The columns carry a row of ones and the weights a row of biases, as in {@link
 * Dense}, so the bias costs no call of its own.
 *
 * <p>Why not ND4J's own ops: on the digits network (batch 32, one thread) {@code conv2d_bp} took
 * about 1 ms and 2.7 ms for the two layers, because it runs its products through a generic tensor
 * product that permutes and copies columns and gradients; {@code im2col} into a contiguous buffer
 * took 70 and 230 us and is slower still into the column matrix' layout, where the k*k strided
 * copies take 18 and 90 us. A whole training step is about 1 ms this way and about 6 ms with {@code
 * conv2d}/{@code conv2d_bp}. {@code Conv2dTest} checks the forward pass against ND4J's {@code
 * conv2d} op.
 *
 * <p>Parameters: a {@code [channels * kernel * kernel + 1, filters]} matrix in c order whose row
 * {@code (c * kernel + ky) * kernel + kx} holds every filter's weight at input channel {@code c}
 * and kernel offset {@code (ky, kx)}, and whose last row holds the biases.
 */
public final class Conv2d extends Layer {

  private final long[] inputShape; // [channels, height, width]
  private final long[] outputShape; // [filters, height', width']
  private final long channels;
  private final long filters;
  private final int kernel;
  private final int stride;
  private final long padTop;
  private final long padLeft;
  private final long rows; // channels * kernel * kernel: one column of the unfolded input
  private final Activation activation;
  private final IActivation nd4jActivation;

  private AffineWeights affine;

  /**
   * @param inputShape shape [channels, height, width] of one input example
   * @param filters number of output channels
   * @param kernel kernel height and width
   * @param stride step of the kernel in both directions
   * @param padding SAME (output size ceil(in / stride), padded at the bottom and right first when
   *     the padding is odd, as TensorFlow and PyTorch do) or VALID (no padding)
   * @param activation activation of the output
   */
  public Conv2d(
      long[] inputShape,
      int filters,
      int kernel,
      int stride,
      Padding padding,
      Activation activation) {
    if (inputShape.length != 3) {
      throw new IllegalArgumentException("a convolution's input is [channels, height, width]");
    }
    if (activation == null) {
      throw new IllegalArgumentException("a convolution needs an activation");
    }
    this.inputShape = inputShape.clone();
    this.channels = inputShape[0];
    this.filters = filters;
    this.kernel = kernel;
    this.stride = stride;
    this.rows = channels * kernel * kernel;
    this.activation = activation;
    this.nd4jActivation = activation.nd4j();
    // The spec is the one definition of the output shape, so validation and layers agree.
    int[] out =
        new ConvLayerSpec(filters, kernel, stride, padding, activation, null)
            .convolvedShape(
                new int[] {
                  Math.toIntExact(inputShape[0]),
                  Math.toIntExact(inputShape[1]),
                  Math.toIntExact(inputShape[2])
                });
    this.outputShape = Shapes.toLongs(out);
    this.padTop = padding(inputShape[1], outputShape[1]);
    this.padLeft = padding(inputShape[2], outputShape[2]);
  }

  /** Padding before the first row (or column): half the total, rounded down. */
  private long padding(long in, long out) {
    return Math.max(0, (out - 1) * stride + kernel - in) / 2;
  }

  @Override
  public long[] inputShape() {
    return inputShape.clone();
  }

  @Override
  public long[] outputShape() {
    return outputShape.clone();
  }

  @Override
  public long parameterCount() {
    return (rows + 1) * filters;
  }

  @Override
  protected void bind(INDArray params, INDArray gradients) {
    affine = new AffineWeights(params, gradients, rows, filters);
  }

  @Override
  protected void initialize(SplittableRandom random) {
    // Fans over the receptive fields: the unfolded window in, every filter's window out.
    affine.initialize(activation, rows, filters * kernel * kernel, random);
  }

  private long macs() {
    return rows * filters * outputShape[1] * outputShape[2];
  }

  @Override
  public long forwardFlops() {
    return 2 * macs();
  }

  @Override
  public long backwardFlops(boolean inputGradient) {
    return (inputGradient ? 4 : 2) * macs();
  }

  @Override
  protected List<ParamAndGradient> regularized() {
    return affine.regularized();
  }

  @Override
  protected Pass newPass(PassSetup setup) {
    return new ConvPass(setup, false);
  }

  /**
   * Whether {@link #newPooledPass} covers this layer followed by {@code pool} in a network of
   * {@code type}: ReLU, a 2x2 max pool of stride 2, float.
   */
  boolean fusesWith(Pool2d pool, DataType type) {
    return activation == Activation.RELU
        && type == DataType.FLOAT
        && pool.isMaxTwoByTwo()
        && Arrays.equals(pool.inputShape(), outputShape)
        && outputShape[1] >= 2
        && outputShape[2] >= 2;
  }

  /**
   * A pass of this layer and the 2x2 max pool after it in one (see {@link #fusesWith}): its output
   * is the pool's, [batch, filters, h' / 2, w' / 2]. The products stay OpenBLAS's; between them one
   * host pass over a bulk copy of the products takes ReLU, the pooling (with each window's arg-max)
   * and the layout change to NCHW at once, and backward one host pass writes the products' gradient
   * from the pooled gradient (the scatter, ReLU's derivative and the layout change back), where the
   * separate layers took five ND4J calls and the pool's own copies. The pool's own pass in the
   * network is then {@link #IDENTITY}.
   */
  Pass newPooledPass(PassSetup setup) {
    return new ConvPass(setup, true);
  }

  /** The place of a layer whose work the pass before it does. */
  static final Pass IDENTITY =
      new Pass() {
        @Override
        public INDArray forward(INDArray input) {
          return input;
        }

        @Override
        public INDArray backward(INDArray outputGradient, boolean inputGradient) {
          return inputGradient ? outputGradient : null;
        }

        @Override
        public long bytes() {
          return 0;
        }

        @Override
        public void close() {}
      };

  private static int ceilDiv(int a, int b) {
    return -Math.floorDiv(-a, b);
  }

  private final class ConvPass implements Pass {
    private final boolean training;
    private final INDArray padded; // [batch, channels, h + padding, w + padding], zero borders
    private final INDArray paddedInterior; // the input's place in it
    private final INDArray[] windowSources; // per kernel offset: [channels, batch, h', w'] views
    private final INDArray[] windowTargets; // per kernel offset: the matching rows of augmented
    private final INDArray augmented; // [rows + 1, batch * positions], c order, last row ones
    private final INDArray y; // [filters, batch * positions]: output, filters first
    private final INDArray yByExample; // [batch, filters, positions] view of it
    private final INDArray output; // [batch, filters, h', w'], c order
    private final INDArray outputFlat; // [batch, filters, positions] view of it
    private final INDArray derivative; // [filters, batch * positions]
    private final INDArray delta; // [filters, batch * positions]
    private final INDArray deltaByFilter; // [filters, batch, h', w'] view of it
    private final INDArray columnGradient; // [rows, batch * positions]
    private final INDArray inputGradient; // [batch, channels, h, w], c order
    private final DynamicCustomOp col2im;
    private INDArray lastOutputGradient;
    // The three products as prepared OpenBLAS calls (Nd4j.gemm adds 10-15 us a call, which on
    // small images such as the 8x8 digits is as much as the arithmetic).
    private final Gemm forwardProduct;
    private final Gemm weightGradientProduct;
    private final Gemm columnGradientProduct;
    private INDArray outputGradientByFilter;
    private INDArray lastInput;
    private boolean hostInput; // whether the last input is unfolded on the host
    // Heap buffers of the host unfolding (made on first use): the input and the column matrix
    // without its row of ones (whose padding entries stay zero).
    private float[] floatImage;
    private float[] floatRow; // one row of the column matrix (or of its gradient)
    private float[] floatInputGradient; // col2im on the host

    // The fused 2x2 max pool (pooled passes only): heap copies of the products, the pooled output
    // and its gradient, each pooled output's arg-max in the products, the products' gradient.
    private final boolean pooled;
    private final int pooledH;
    private final int pooledW;
    private float[] floatProducts;
    private float[] floatPooled;
    private float[] floatPooledGradient;
    private int[] pooledArgmax;
    private float[] floatDelta;
    private final INDArray gradientCopy; // an output gradient the pass cannot read in bulk, c order

    ConvPass(PassSetup setup, boolean pooled) {
      this.pooled = pooled;
      var type = setup.dataType();
      int batch = setup.batch();
      training = setup.training();
      long inH = inputShape[1];
      long inW = inputShape[2];
      long outH = outputShape[1];
      long outW = outputShape[2];
      long positions = outH * outW;
      long width = batch * positions;
      pooledH = Math.toIntExact(outH / 2);
      pooledW = Math.toIntExact(outW / 2);

      // Unfolding by views: the kernel offset (ky, kx) sees the padded image shifted by (ky, kx)
      // and sampled every stride, so its rows of the column matrix are one strided copy.
      long paddedH = Math.max(padTop + inH, (outH - 1) * stride + kernel);
      long paddedW = Math.max(padLeft + inW, (outW - 1) * stride + kernel);
      padded = Nd4j.create(type, new long[] {batch, channels, paddedH, paddedW}, 'c');
      paddedInterior =
          padded.get(
              NDArrayIndex.all(),
              NDArrayIndex.all(),
              NDArrayIndex.interval(padTop, padTop + inH),
              NDArrayIndex.interval(padLeft, padLeft + inW));
      augmented = Nd4j.create(type, new long[] {rows + 1, width}, 'c');
      augmented.getRow(rows).assign(1);
      int offsets = kernel * kernel;
      windowSources = new INDArray[offsets];
      windowTargets = new INDArray[offsets];
      long[] windowShape = {channels, batch, outH, outW};
      long plane = paddedH * paddedW;
      long[] sourceStride = {plane, channels * plane, stride * paddedW, stride};
      long[] targetStride = {offsets * width, positions, outW, 1};
      for (int ky = 0; ky < kernel; ky++) {
        for (int kx = 0; kx < kernel; kx++) {
          int k = ky * kernel + kx;
          windowSources[k] =
              Nd4j.create(padded.data(), windowShape, sourceStride, ky * paddedW + kx, 'c');
          windowTargets[k] =
              Nd4j.create(augmented.data(), windowShape, targetStride, k * width, 'c');
        }
      }
      y = Nd4j.create(type, new long[] {filters, width}, 'c');
      forwardProduct = Gemm.of(affine.augmented, augmented, y, true, false, 1.0, 0.0);
      if (pooled) {
        yByExample = null;
        output = Nd4j.create(type, new long[] {batch, filters, pooledH, pooledW}, 'c');
        outputFlat = null;
      } else {
        yByExample = y.reshape('c', filters, batch, positions).permute(1, 0, 2);
        output = Nd4j.create(type, Shapes.withBatch(batch, outputShape), 'c');
        outputFlat = output.reshape('c', batch, filters, positions);
      }
      if (training) {
        derivative = pooled ? null : Nd4j.create(type, new long[] {filters, width}, 'c');
        delta = Nd4j.create(type, new long[] {filters, width}, 'c');
        deltaByFilter = pooled ? null : delta.reshape('c', filters, batch, outH, outW);
        gradientCopy = pooled ? Nd4j.create(type, output.shape(), 'c') : null;
        columnGradient = Nd4j.create(type, new long[] {rows, width}, 'c');
        inputGradient = Nd4j.create(type, Shapes.withBatch(batch, inputShape), 'c');
        INDArray columnGradientImage =
            columnGradient
                .reshape('c', channels, kernel, kernel, batch, outH, outW)
                .permute(3, 0, 1, 2, 4, 5);
        col2im =
            DynamicCustomOp.builder("col2im")
                .addInputs(columnGradientImage)
                .addOutputs(inputGradient)
                .build();
        col2im.addIArgument(stride, stride, padTop, padLeft, inH, inW, 1, 1, 0);
        weightGradientProduct =
            Gemm.of(augmented, delta, affine.augmentedGradient, false, true, 1.0, 0.0);
        columnGradientProduct =
            Gemm.of(affine.weights, delta, columnGradient, false, false, 1.0, 0.0);
      } else {
        weightGradientProduct = null;
        columnGradientProduct = null;
        derivative = null;
        delta = null;
        deltaByFilter = null;
        columnGradient = null;
        inputGradient = null;
        col2im = null;
        gradientCopy = null;
      }
    }

    @Override
    public INDArray forward(INDArray input) {
      if (input != lastInput) {
        lastInput = input;
        hostInput =
            MaxPool.supports(input)
                && input.offset() == 0
                && input.dataType() == DataType.FLOAT
                && augmented.dataType() == DataType.FLOAT
                && input.length() * (rows + 1) < Integer.MAX_VALUE;
      }
      if (hostInput) {
        unfoldOnHost(input);
      } else {
        paddedInterior.assign(input);
        for (int k = 0; k < windowSources.length; k++) {
          windowTargets[k].assign(windowSources[k]);
        }
      }
      forwardProduct.run();
      if (pooled) {
        reluPoolOnHost();
        return output;
      }
      nd4jActivation.getActivation(y, training);
      outputFlat.assign(yByExample);
      return output;
    }

    @Override
    public INDArray backward(INDArray outputGradient, boolean wantInputGradient) {
      if (pooled) {
        poolGradientOnHost(outputGradient);
      } else {
        activationGradient(outputGradient);
      }
      weightGradientProduct.run();
      if (!wantInputGradient) {
        return null;
      }
      columnGradientProduct.run();
      if (hostInput && floatImage != null) {
        foldOnHost();
      } else {
        Nd4j.exec(col2im);
      }
      return inputGradient;
    }

    /** The products' gradient in {@code delta} from the output's. */
    private void activationGradient(INDArray outputGradient) {
      if (outputGradient != lastOutputGradient) {
        lastOutputGradient = outputGradient;
        // A permutation is a view whatever the gradient's strides; a reshape might be a copy.
        outputGradientByFilter = outputGradient.permute(1, 0, 2, 3);
      }
      deltaByFilter.assign(outputGradientByFilter);
      ActivationDerivatives.fromOutput(activation, y, derivative);
      delta.muli(derivative);
    }

    /**
     * ReLU, the 2x2 max pool and the change from the products' layout [filters, batch, h', w'] to
     * NCHW in one pass over copies of the products, a filter's at a time: the pooled value is ReLU
     * of the window's maximum (ReLU is monotone), its arg-max the first of equal maxima, each a
     * branch-free selection on the sign of a difference as in {@link MaxPool}. A window whose
     * maximum is not positive passes no gradient back, whichever entry its arg-max names, as
     * through ReLU's derivative in the separate layers.
     */
    private void reluPoolOnHost() {
      int batch = Math.toIntExact(output.size(0));
      int f = Math.toIntExact(filters);
      int outH = Math.toIntExact(outputShape[1]);
      int outW = Math.toIntExact(outputShape[2]);
      int positions = outH * outW;
      int width = batch * positions;
      int pooledPlane = pooledH * pooledW;
      if (floatProducts == null) {
        floatProducts = new float[width];
        floatPooled = new float[batch * f * pooledPlane];
        if (training) {
          pooledArgmax = new int[floatPooled.length];
        }
      }
      float[] in = floatProducts;
      float[] out = floatPooled;
      int[] argmax = pooledArgmax;
      FloatBuffer products = MaxPool.floats(y);
      for (int filter = 0; filter < f; filter++) {
        // A filter's products at a time (its arg-maxes index them), which stay in cache.
        products.get(filter * width, in, 0, width);
        for (int b = 0; b < batch; b++) {
          int plane = b * positions;
          int o = (b * f + filter) * pooledPlane;
          for (int py = 0; py < pooledH; py++) {
            int top = plane + 2 * py * outW;
            for (int px = 0; px < pooledW; px++, o++) {
              int i = top + 2 * px;
              int j = i + outW;
              float a = in[i];
              float bb = in[i + 1];
              float c = in[j];
              float d = in[j + 1];
              int bGreater = Float.floatToRawIntBits(a - bb) >> 31; // all ones when bb > a
              int dGreater = Float.floatToRawIntBits(c - d) >> 31;
              float upper = Math.max(a, bb);
              float lower = Math.max(c, d);
              int lowerGreater = Float.floatToRawIntBits(upper - lower) >> 31;
              out[o] = Math.max(Math.max(upper, lower), 0f);
              if (argmax != null) {
                argmax[o] = (j - dGreater) & lowerGreater | (i - bGreater) & ~lowerGreater;
              }
            }
          }
        }
      }
      MaxPool.floats(output).put(out, 0, out.length);
    }

    /**
     * The products' gradient from the pooled output's: each window's four entries of {@code delta}
     * written in one pass (the pooled gradient at its arg-max when the pooled value is positive,
     * zero elsewhere), so no fill, no scatter over a separate buffer and no derivative pass; rows
     * and columns outside every window (odd sizes) are never written and stay zero.
     */
    private void poolGradientOnHost(INDArray outputGradient) {
      int pooledLength = floatPooled.length;
      if (floatPooledGradient == null) {
        floatPooledGradient = new float[pooledLength];
        floatDelta = new float[floatProducts.length];
      }
      INDArray source = outputGradient;
      if (!MaxPool.supports(source) || source.dataType() != DataType.FLOAT) {
        gradientCopy.assign(source);
        source = gradientCopy;
      }
      float[] g = floatPooledGradient;
      MaxPool.floats(source).get(g, 0, pooledLength);
      float[] out = floatPooled;
      float[] dy = floatDelta;
      int[] argmax = pooledArgmax;
      int batch = Math.toIntExact(output.size(0));
      int f = Math.toIntExact(filters);
      int outH = Math.toIntExact(outputShape[1]);
      int outW = Math.toIntExact(outputShape[2]);
      int positions = outH * outW;
      int pooledPlane = pooledH * pooledW;
      FloatBuffer deltas = MaxPool.floats(delta);
      int width = batch * positions;
      for (int filter = 0; filter < f; filter++) {
        for (int b = 0; b < batch; b++) {
          int plane = b * positions;
          int o = (b * f + filter) * pooledPlane;
          for (int py = 0; py < pooledH; py++) {
            int top = plane + 2 * py * outW;
            for (int px = 0; px < pooledW; px++, o++) {
              int i = top + 2 * px;
              int j = i + outW;
              dy[i] = 0f;
              dy[i + 1] = 0f;
              dy[j] = 0f;
              dy[j + 1] = 0f;
              // Branch-free (about half the windows pass a gradient, unpredictably): the pooled
              // value is never negative nor -0, so its bits are positive exactly when it is.
              int passes = -Float.floatToRawIntBits(out[o]) >> 31;
              dy[argmax[o]] = Float.intBitsToFloat(Float.floatToRawIntBits(g[o]) & passes);
            }
          }
        }
        deltas.put(filter * width, dy, 0, width);
      }
    }

    /**
     * The column matrix from the input on the host: the input in one bulk copy to the heap, then
     * row by row of the matrix (a channel and kernel offset) its runs, for each example and output
     * row a contiguous run of the image's row (at stride 1), into a heap row that goes to the
     * native matrix in one copy. ND4J's k*k strided copies cost more than these runs and the
     * copies; a row at a time (50-200 KB) stays in cache between its writing and its copy, where a
     * whole matrix on the heap (3.6 MB for a 8x14x14 input of 64 examples) went to memory.
     */
    private void unfoldOnHost(INDArray input) {
      int n = Math.toIntExact(input.length());
      if (floatImage == null) {
        floatImage = new float[n];
      }
      MaxPool.floats(input).get(floatImage, 0, n);
      runs(false);
    }

    /**
     * col2im on the host, the reverse of {@link #unfoldOnHost}: row by row of the column gradient
     * (a copy to a heap row), each of its runs (an example and output row) added to the image's row
     * it came from; the input gradient in one bulk copy back.
     */
    private void foldOnHost() {
      int n = Math.toIntExact(inputGradient.length());
      if (floatInputGradient == null) {
        floatInputGradient = new float[n];
      }
      Arrays.fill(floatInputGradient, 0f);
      runs(true);
      MaxPool.floats(inputGradient).put(floatInputGradient, 0, n);
    }

    /**
     * The runs between the image and the column matrix: for every channel and kernel offset (a row
     * of the matrix), example and output row, the output columns whose input column lies inside the
     * image. Unfolding copies them from {@link #floatImage} into the matrix (a padding entry is
     * zero); folding adds the column gradient's into {@link #floatInputGradient}.
     */
    private void runs(boolean fold) {
      int batch = Math.toIntExact(augmented.size(1) / (outputShape[1] * outputShape[2]));
      int c = Math.toIntExact(channels);
      int h = Math.toIntExact(inputShape[1]);
      int w = Math.toIntExact(inputShape[2]);
      int outH = Math.toIntExact(outputShape[1]);
      int outW = Math.toIntExact(outputShape[2]);
      int positions = outH * outW;
      int width = batch * positions;
      int top = Math.toIntExact(padTop);
      int left = Math.toIntExact(padLeft);
      if (floatRow == null) {
        floatRow = new float[width];
      }
      float[] line = floatRow;
      float[] image = fold ? floatInputGradient : floatImage;
      FloatBuffer matrix = MaxPool.floats(fold ? columnGradient : augmented);
      for (int ch = 0; ch < c; ch++) {
        for (int ky = 0; ky < kernel; ky++) {
          for (int kx = 0; kx < kernel; kx++) {
            int row = ((ch * kernel + ky) * kernel + kx) * width;
            int first = Math.max(0, ceilDiv(left - kx, stride));
            int last = Math.min(outW, ceilDiv(w + left - kx, stride)); // exclusive
            int count = last - first;
            if (fold) {
              if (count <= 0) {
                continue;
              }
              matrix.get(row, line, 0, width);
            } else {
              boolean padding = count < outW || ky < top || (outH - 1) * stride + ky - top >= h;
              if (padding) {
                Arrays.fill(line, 0f);
              }
              if (count <= 0) {
                matrix.put(row, line, 0, width);
                continue;
              }
            }
            if (stride == 1 && outW == w) {
              longRuns(fold, line, image, batch, ch, ky, kx, first, last);
              if (!fold) {
                matrix.put(row, line, 0, width);
              }
              continue;
            }
            for (int b = 0; b < batch; b++) {
              int plane = (b * c + ch) * h;
              for (int oy = 0; oy < outH; oy++) {
                int iy = oy * stride + ky - top;
                if (iy < 0 || iy >= h) {
                  continue;
                }
                int at = (plane + iy) * w + first * stride + kx - left;
                int to = b * positions + oy * outW + first;
                if (fold) {
                  if (stride == 1) {
                    for (int i = 0; i < count; i++) {
                      image[at + i] += line[to + i];
                    }
                  } else {
                    for (int i = 0; i < count; i++) {
                      image[at + i * stride] += line[to + i];
                    }
                  }
                } else if (stride == 1) {
                  System.arraycopy(image, at, line, to, count);
                } else {
                  for (int i = 0; i < count; i++) {
                    line[to + i] = image[at + i * stride];
                  }
                }
              }
            }
            if (!fold) {
              matrix.put(row, line, 0, width);
            }
          }
        }
      }
    }

    /**
     * {@link #runs} for one row of the matrix when the stride is 1 and output rows are as wide as
     * input rows (SAME padding): then an example's entries of the row lie at one constant offset
     * from the image's, so all its output rows are one run. The entries whose window column falls
     * outside the image (a column of padding at the left or right) would meet the neighbouring
     * image row's first or last pixel: unfolding sets them to zero after the copy, folding before
     * the adding (they are padding's gradient, which col2im drops), so both stay exact.
     */
    private void longRuns(
        boolean fold,
        float[] line,
        float[] image,
        int batch,
        int ch,
        int ky,
        int kx,
        int first,
        int last) {
      int c = Math.toIntExact(channels);
      int h = Math.toIntExact(inputShape[1]);
      int w = Math.toIntExact(inputShape[2]);
      int outH = Math.toIntExact(outputShape[1]);
      int positions = outH * w;
      int top = Math.toIntExact(padTop);
      int left = Math.toIntExact(padLeft);
      int oyFirst = Math.max(0, top - ky);
      int oyLast = Math.min(outH, h + top - ky); // exclusive
      if (oyFirst >= oyLast || last <= first) {
        return;
      }
      for (int b = 0; b < batch; b++) {
        int plane = (b * c + ch) * h;
        int from = b * positions + oyFirst * w + first;
        int to = b * positions + (oyLast - 1) * w + last; // exclusive
        int at = (plane + oyFirst + ky - top) * w + first + kx - left;
        int length = to - from;
        if (fold) {
          clearWrapped(line, b * positions, oyFirst, oyLast, w, first, last);
          for (int i = 0; i < length; i++) {
            image[at + i] += line[from + i];
          }
        } else {
          System.arraycopy(image, at, line, from, length);
          clearWrapped(line, b * positions, oyFirst, oyLast, w, first, last);
        }
      }
    }

    /**
     * Zeroes a long run's entries outside the image's columns: those from {@code last} on in an
     * output row and left of {@code first} in the next are adjacent, one gap per pair of rows (none
     * for the kernel's middle column).
     */
    private static void clearWrapped(
        float[] line, int start, int oyFirst, int oyLast, int w, int first, int last) {
      int gap = first + w - last;
      if (gap == 0) {
        return;
      }
      for (int oy = oyFirst; oy < oyLast - 1; oy++) {
        int from = start + oy * w + last;
        for (int i = 0; i < gap; i++) {
          line[from + i] = 0f;
        }
      }
    }

    /** The buffers this pass allocated (some null when a pass does not need them). */
    private INDArray[] owned() {
      return new INDArray[] {
        padded, augmented, y, output, derivative, delta, columnGradient, inputGradient, gradientCopy
      };
    }

    @Override
    public long bytes() {
      return HostArrays.bytes(owned());
    }

    @Override
    public void close() {
      HostArrays.close(owned());
    }
  }
}

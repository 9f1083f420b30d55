package dev.maas.compute.nn;

import dev.maas.compute.Activation;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A fully connected layer, {@code out = activation(in . W + b)}, with optional inverted dropout on
 * its output.
 *
 * <p>The bias is stored as the last row of an augmented weight matrix {@code [in + 1, out]} and
 * each pass keeps its input in an augmented buffer whose last column is ones, so the forward pass
 * is one matrix product and the weight and bias gradients come from one more: ND4J charges about as
 * much per call as a small product costs, so this halves the calls of a dense layer.
 */
public final class Dense extends Layer {

  private final long inputs;
  private final long units;
  private final long[] inputShape;
  private final Activation activation;
  private final IActivation nd4jActivation;
  private final double dropout;

  private AffineWeights affine;

  /**
   * @param inputShape shape of one input example; flattened to a vector
   * @param units number of outputs
   * @param activation output activation, or null for none (an output layer's logits)
   * @param dropout probability of zeroing each output while training, in [0, 1)
   */
  public Dense(long[] inputShape, long units, Activation activation, double dropout) {
    this.inputShape = inputShape.clone();
    this.inputs = Shapes.size(inputShape);
    this.units = units;
    this.activation = activation;
    this.nd4jActivation = activation == null ? null : activation.nd4j();
    this.dropout = dropout;
  }

  /** The output activation, or null for none. */
  Activation activation() {
    return activation;
  }

  /** The dropout probability of this layer's output while training. */
  double dropout() {
    return dropout;
  }

  long inputs() {
    return inputs;
  }

  long units() {
    return units;
  }

  /** A heap copy of the weights with the bias as the last row, [inputs + 1, units] row-major. */
  double[] hostWeights() {
    return HostArrays.readFlat(affine.augmented);
  }

  @Override
  public long[] inputShape() {
    return inputShape.clone();
  }

  @Override
  public long[] outputShape() {
    return new long[] {units};
  }

  @Override
  public long parameterCount() {
    return (inputs + 1) * units;
  }

  @Override
  protected void bind(INDArray params, INDArray gradients) {
    affine = new AffineWeights(params, gradients, inputs, units);
  }

  @Override
  protected void initialize(SplittableRandom random) {
    affine.initialize(activation, inputs, units, random);
  }

  @Override
  public long forwardFlops() {
    return 2 * (inputs + 1) * units;
  }

  @Override
  public long backwardFlops(boolean inputGradient) {
    return 2 * (inputs + 1) * units + (inputGradient ? 2 * inputs * units : 0);
  }

  @Override
  protected List<ParamAndGradient> regularized() {
    return affine.regularized();
  }

  @Override
  protected Pass newPass(PassSetup setup) {
    return new DensePass(setup);
  }

  private final class DensePass implements Pass {
    private final int batch;
    private final boolean training;
    private final PassSetup setup;
    private final INDArray augmented; // [batch, in + 1], f order, last column ones
    private final INDArray augmentedInput; // [batch, in] view of it, contiguous
    private final INDArray output; // [batch, out], f order
    private final INDArray derivative; // the activation's derivative at the last forward
    private final INDArray mask; // dropout mask, scaled by 1 / keep
    private final INDArray inputGradient; // [batch, in], c order
    private final INDArray inputGradientShaped; // a view of it in the input's shape
    private INDArray lastInput;
    private INDArray lastInputFlat;
    private float[] floatInput; // heap buffers of the host transposition, made on first use
    private float[] floatTransposed;

    DensePass(PassSetup setup) {
      this.setup = setup;
      this.batch = setup.batch();
      this.training = setup.training();
      var type = setup.dataType();
      augmented = Nd4j.create(type, new long[] {batch, inputs + 1}, 'f');
      augmented.getColumn(inputs).assign(1);
      augmentedInput = augmented.get(NDArrayIndex.all(), NDArrayIndex.interval(0, inputs));
      output = Nd4j.create(type, new long[] {batch, units}, 'f');
      derivative =
          training && activation != null ? Nd4j.create(type, new long[] {batch, units}, 'f') : null;
      mask = training && dropout > 0 ? Nd4j.create(type, new long[] {batch, units}, 'f') : null;
      if (training) {
        inputGradient = Nd4j.create(type, new long[] {batch, inputs}, 'c');
        inputGradientShaped =
            inputShape.length == 1
                ? inputGradient
                : inputGradient.reshape('c', Shapes.withBatch(batch, inputShape));
      } else {
        inputGradient = null;
        inputGradientShaped = null;
      }
    }

    @Override
    public INDArray forward(INDArray input) {
      if (input != lastInput || input.ordering() != 'c') {
        // A c-ordered input reshapes to a view, reusable while the same buffer comes in.
        lastInput = input;
        lastInputFlat = input.rank() == 2 ? input : input.reshape('c', batch, inputs);
      }
      if (lastInputFlat.dataType() == DataType.FLOAT
          && augmented.dataType() == DataType.FLOAT
          && MaxPool.supports(lastInputFlat)
          && (long) batch * inputs < Integer.MAX_VALUE) {
        transposeOnHost(lastInputFlat);
      } else {
        augmentedInput.assign(lastInputFlat);
      }
      Nd4j.gemm(augmented, affine.augmented, output, false, false, 1.0, 0.0);
      if (activation != null) {
        nd4jActivation.getActivation(output, training);
      }
      if (mask != null) {
        Nd4j.getExecutioner().exec(new BernoulliDistribution(mask, 1 - dropout), setup.random());
        mask.muli(1 / (1 - dropout));
        output.muli(mask);
      }
      return output;
    }

    /**
     * The c-order input into the f-order matrix's first columns on the host: a bulk copy in, a
     * transposition in blocks of rows, a bulk copy out (ND4J's strided assign took about 4 ns an
     * element, 3% of the CNN's training samples on its 64 x 784 head input).
     */
    private void transposeOnHost(INDArray input) {
      int n = batch * Math.toIntExact(inputs);
      if (floatInput == null) {
        floatInput = new float[n];
        floatTransposed = new float[n];
      }
      MaxPool.floats(input).get(floatInput, 0, n);
      int columns = Math.toIntExact(inputs);
      float[] in = floatInput;
      float[] out = floatTransposed;
      for (int from = 0; from < columns; from += 64) {
        int to = Math.min(columns, from + 64);
        for (int b = 0; b < batch; b++) {
          int row = b * columns;
          for (int i = from; i < to; i++) {
            out[i * batch + b] = in[row + i];
          }
        }
      }
      // The f-order matrix' first columns are its first batch * inputs elements.
      MaxPool.floats(augmented).put(out, 0, n);
    }

    @Override
    public INDArray backward(INDArray outputGradient, boolean wantInputGradient) {
      INDArray delta = outputGradient;
      if (mask != null) {
        delta.muli(mask);
      }
      if (activation != null) {
        ActivationDerivatives.fromOutput(activation, output, derivative);
        delta.muli(derivative);
      }
      Nd4j.gemm(augmented, delta, affine.augmentedGradient, true, false, 1.0, 0.0);
      if (!wantInputGradient) {
        return null;
      }
      Nd4j.gemm(delta, affine.weights, inputGradient, false, true, 1.0, 0.0);
      return inputGradientShaped;
    }

    @Override
    public long bytes() {
      return HostArrays.bytes(augmented, output, derivative, mask, inputGradient);
    }

    @Override
    public void close() {
      HostArrays.close(augmented, output, derivative, mask, inputGradient);
    }
  }
}

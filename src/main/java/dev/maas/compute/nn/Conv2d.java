package dev.maas.compute.nn;

import dev.maas.compute.Activation;
import dev.maas.compute.CnnSpec.ConvLayerSpec;
import dev.maas.compute.CnnSpec.Padding;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A 2-D convolution over examples [channels, height, width] with square kernels, a bias per filter
 * and an activation: {@code out = activation(conv(in, W) + b)}.
 *
 * <p>The forward and backward passes are ND4J's {@code conv2d} and {@code conv2d_bp} ops (im2col
 * and a matrix product each), built once per pass with the pass' buffers as their outputs, so a
 * step costs two native calls for the convolution plus the activation's. The weights are stored as
 * {@code [filters, channels, kernel, kernel]} (PyTorch's layout, ND4J's {@code OIYX}) followed by
 * the biases: the op reads and writes that layout in place, so neither the weights nor their
 * gradient are ever copied or permuted.
 */
public final class Conv2d extends Layer {

  private final long[] inputShape; // [channels, height, width]
  private final long[] outputShape; // [filters, height', width']
  private final long channels;
  private final long filters;
  private final int kernel;
  private final Activation activation;
  private final IActivation nd4jActivation;
  private final Conv2DConfig config;

  private INDArray weights; // [filters, channels, kernel, kernel], c order
  private INDArray bias; // [filters]
  private INDArray weightGradient;
  private INDArray biasGradient;

  /**
   * @param inputShape shape [channels, height, width] of one input example
   * @param filters number of output channels
   * @param kernel kernel height and width
   * @param stride step of the kernel in both directions
   * @param padding SAME (output size ceil(in / stride)) or VALID (no padding)
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
    this.inputShape = inputShape.clone();
    this.channels = inputShape[0];
    this.filters = filters;
    this.kernel = kernel;
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
    this.config =
        Conv2DConfig.builder()
            .kH(kernel)
            .kW(kernel)
            .sH(stride)
            .sW(stride)
            .pH(0)
            .pW(0)
            .dH(1)
            .dW(1)
            .paddingMode(padding == Padding.SAME ? PaddingMode.SAME : PaddingMode.VALID)
            .dataFormat(Conv2DConfig.NCHW)
            .weightsFormat(WeightsFormat.OIYX)
            .build();
  }

  @Override
  public long[] inputShape() {
    return inputShape.clone();
  }

  @Override
  public long[] outputShape() {
    return outputShape.clone();
  }

  private long weightCount() {
    return filters * channels * kernel * kernel;
  }

  @Override
  public long parameterCount() {
    return weightCount() + filters;
  }

  @Override
  protected void bind(INDArray params, INDArray gradients) {
    weights = weightView(params);
    bias = biasView(params);
    if (gradients != null) {
      weightGradient = weightView(gradients);
      biasGradient = biasView(gradients);
    }
  }

  private INDArray weightView(INDArray flat) {
    return flat.get(NDArrayIndex.interval(0, weightCount()))
        .reshape('c', filters, channels, kernel, kernel);
  }

  private INDArray biasView(INDArray flat) {
    long w = weightCount();
    return flat.get(NDArrayIndex.interval(w, w + filters));
  }

  @Override
  protected void initialize(SplittableRandom random) {
    // He initialisation for rectifiers, Glorot for the rest, over the receptive fields.
    long fanIn = channels * kernel * kernel;
    long fanOut = filters * kernel * kernel;
    boolean rectifier = activation == Activation.RELU || activation == Activation.LEAKY_RELU;
    double limit = rectifier ? Math.sqrt(6.0 / fanIn) : Math.sqrt(6.0 / (fanIn + fanOut));
    Init.uniform(weights, limit, random);
    bias.assign(0);
  }

  private long macs() {
    return weightCount() * outputShape[1] * outputShape[2];
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
    return List.of(new ParamAndGradient(weights, weightGradient));
  }

  @Override
  protected Pass newPass(PassSetup setup) {
    return new ConvPass(setup);
  }

  private final class ConvPass implements Pass {
    private final boolean training;
    private final INDArray output; // [batch, filters, h', w'], c order
    private final INDArray preActivation; // copy for activations whose derivative needs it
    private final INDArray inputGradient; // [batch, channels, h, w], c order
    private INDArray lastInput;
    private DynamicCustomOp forwardOp;
    private DynamicCustomOp backwardOp;

    ConvPass(PassSetup setup) {
      this.training = setup.training();
      var type = setup.dataType();
      int batch = setup.batch();
      output = Nd4j.create(type, Shapes.withBatch(batch, outputShape), 'c');
      boolean keepPre = training && !activation.derivativeFromOutput();
      preActivation = keepPre ? Nd4j.create(type, Shapes.withBatch(batch, outputShape), 'c') : null;
      // conv2d_bp always writes the input gradient, so even the first layer needs the buffer.
      inputGradient = training ? Nd4j.create(type, Shapes.withBatch(batch, inputShape), 'c') : null;
    }

    @Override
    public INDArray forward(INDArray input) {
      if (input != lastInput) {
        lastInput = input;
        forwardOp =
            new Conv2D(new INDArray[] {input, weights, bias}, new INDArray[] {output}, config);
        backwardOp = null;
      }
      Nd4j.exec(forwardOp);
      if (preActivation != null) {
        preActivation.assign(output);
      }
      nd4jActivation.getActivation(output, training);
      return output;
    }

    @Override
    public INDArray backward(INDArray outputGradient, boolean wantInputGradient) {
      INDArray at = preActivation != null ? preActivation : output;
      INDArray delta = nd4jActivation.backprop(at, outputGradient).getFirst();
      if (backwardOp == null) {
        backwardOp =
            DynamicCustomOp.builder("conv2d_bp")
                .addInputs(lastInput, weights, bias, delta)
                .addOutputs(inputGradient, weightGradient, biasGradient)
                .build();
        backwardOp.addIArgument(forwardOp.iArgs());
      } else {
        backwardOp.setInputArgument(3, delta); // the activation's derivative is a fresh array
      }
      Nd4j.exec(backwardOp);
      return wantInputGradient ? inputGradient : null;
    }

    @Override
    public long bytes() {
      return HostArrays.bytes(output, preActivation, inputGradient);
    }

    @Override
    public void close() {
      HostArrays.close(output, preActivation, inputGradient);
    }
  }
}

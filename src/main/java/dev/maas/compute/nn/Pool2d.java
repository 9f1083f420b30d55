package dev.maas.compute.nn;

import dev.maas.compute.CnnSpec.PoolType;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.AvgPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.MaxPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Max or average pooling over examples [channels, height, width], without padding: each output is
 * the maximum or the mean of a {@code size x size} window, windows {@code stride} apart, so an
 * input of height h gives {@code (h - size) / stride + 1} rows (rounded down).
 *
 * <p>No parameters. Max pooling runs on the host over the native buffers (see {@link MaxPool}): it
 * keeps each window's arg-max, so backward is a scatter of the output gradient; ND4J's {@code
 * maxpool2d_bp} searches every window again and took a quarter of a CNN training step (2x2 windows
 * over 64 examples of 8x28x28 and 16x14x14). Average pooling, and max pooling of inputs that are
 * not contiguous or not float or double, run ND4J's {@code avgpool2d}/{@code maxpool2d} ops and
 * their {@code _bp} ops, one native call each, built once per pass with the pass' buffers as
 * outputs.
 */
public final class Pool2d extends Layer {

  private final long[] inputShape;
  private final long[] outputShape;
  private final PoolType type;
  private final int size;
  private final int stride;
  private final Pooling2DConfig config;

  /**
   * @param inputShape shape [channels, height, width] of one input example
   * @param type max or average
   * @param size window height and width
   * @param stride step between windows
   */
  public Pool2d(long[] inputShape, PoolType type, int size, int stride) {
    if (inputShape.length != 3) {
      throw new IllegalArgumentException("a pooling layer's input is [channels, height, width]");
    }
    this.inputShape = inputShape.clone();
    this.type = type;
    this.size = size;
    this.stride = stride;
    this.outputShape =
        new long[] {
          inputShape[0], (inputShape[1] - size) / stride + 1, (inputShape[2] - size) / stride + 1
        };
    if (outputShape[1] < 1 || outputShape[2] < 1) {
      throw new IllegalArgumentException("a pooling window is larger than its input");
    }
    this.config =
        Pooling2DConfig.builder()
            .kH(size)
            .kW(size)
            .sH(stride)
            .sW(stride)
            .pH(0)
            .pW(0)
            .dH(1)
            .dW(1)
            .paddingMode(PaddingMode.VALID)
            .isNHWC(false)
            .extra(0) // average: divide by the window's area (there is no padding)
            .build();
  }

  /** Whether this is a max pool of 2x2 windows, stride 2 (what {@link Conv2d} can fuse). */
  boolean isMaxTwoByTwo() {
    return type == PoolType.MAX && size == 2 && stride == 2;
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
    return 0;
  }

  @Override
  protected void bind(INDArray params, INDArray gradients) {
    // No parameters: the network binds zero-parameter layers to null.
  }

  @Override
  protected void initialize(SplittableRandom random) {}

  @Override
  public long forwardFlops() {
    return Shapes.size(outputShape) * size * size;
  }

  @Override
  public long backwardFlops(boolean inputGradient) {
    return inputGradient ? forwardFlops() : 0;
  }

  @Override
  protected List<ParamAndGradient> regularized() {
    return List.of();
  }

  @Override
  protected Pass newPass(PassSetup setup) {
    return new PoolPass(setup);
  }

  private final class PoolPass implements Pass {
    private final INDArray output; // [batch, channels, h', w'], c order
    private final INDArray inputGradient; // [batch, channels, h, w], c order
    private final MaxPool host; // max pooling on the host, or null
    private INDArray lastInput;
    private boolean hostInput; // whether the host path takes lastInput
    private DynamicCustomOp forwardOp;
    private DynamicCustomOp backwardOp;

    PoolPass(PassSetup setup) {
      var dataType = setup.dataType();
      int batch = setup.batch();
      output = Nd4j.create(dataType, Shapes.withBatch(batch, outputShape), 'c');
      inputGradient =
          setup.training() ? Nd4j.create(dataType, Shapes.withBatch(batch, inputShape), 'c') : null;
      host =
          type == PoolType.MAX && MaxPool.supports(output)
              ? new MaxPool(
                  Math.toIntExact(batch * inputShape[0]),
                  Math.toIntExact(inputShape[1]),
                  Math.toIntExact(inputShape[2]),
                  size,
                  stride,
                  output,
                  inputGradient)
              : null;
    }

    @Override
    public INDArray forward(INDArray input) {
      if (input != lastInput) {
        lastInput = input;
        hostInput =
            host != null && MaxPool.supports(input) && input.dataType() == output.dataType();
        forwardOp =
            hostInput
                ? null
                : type == PoolType.MAX
                    ? new MaxPooling2D(input, output, config)
                    : new AvgPooling2D(input, output, config);
        backwardOp = null;
      }
      if (hostInput) {
        host.forward(input);
      } else {
        Nd4j.exec(forwardOp);
      }
      return output;
    }

    @Override
    public INDArray backward(INDArray outputGradient, boolean wantInputGradient) {
      if (!wantInputGradient) {
        return null;
      }
      if (hostInput && MaxPool.supports(outputGradient)) {
        host.backward(outputGradient);
        return inputGradient;
      }
      if (forwardOp == null) {
        forwardOp = new MaxPooling2D(lastInput, output, config);
      }
      if (backwardOp == null) {
        backwardOp =
            DynamicCustomOp.builder(type == PoolType.MAX ? "maxpool2d_bp" : "avgpool2d_bp")
                .addInputs(lastInput, outputGradient)
                .addOutputs(inputGradient)
                .build();
        backwardOp.addIArgument(forwardOp.iArgs());
      } else {
        backwardOp.setInputArgument(1, outputGradient);
      }
      Nd4j.exec(backwardOp);
      return inputGradient;
    }

    @Override
    public long bytes() {
      return HostArrays.bytes(output, inputGradient);
    }

    @Override
    public void close() {
      HostArrays.close(output, inputGradient);
    }
  }
}

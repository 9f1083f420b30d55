package dev.maas.compute;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/**
 * A convolutional network over images [channels, height, width]: convolution layers, each
 * optionally followed by pooling, then dense layers, then an output layer for the task.
 */
public record CnnSpec(List<ConvLayerSpec> convLayers, List<DenseLayerSpec> denseLayers)
    implements ModelSpec {

  /** Zero padding of a convolution. */
  public enum Padding {
    /** Output size = ceil(input / stride): the input is padded as needed. */
    SAME,
    /** No padding: output size = floor((input - kernel) / stride) + 1. */
    VALID;

    @JsonValue
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Kind of pooling. */
  public enum PoolType {
    MAX,
    AVERAGE;

    @JsonValue
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * Pooling after a convolution, without padding.
   *
   * @param type max or average
   * @param size window height and width
   * @param stride step between windows (default: the size)
   */
  public record PoolSpec(PoolType type, int size, int stride) {
    public PoolSpec {
      if (type == null) {
        type = PoolType.MAX;
      }
      if (stride == 0) {
        stride = size;
      }
    }

    public PoolSpec(PoolType type, int size) {
      this(type, size, size);
    }
  }

  /**
   * A 2-D convolution layer with square kernels.
   *
   * @param filters number of output channels
   * @param kernel kernel height and width
   * @param stride step (default 1)
   * @param padding same or valid (default same)
   * @param activation activation after the convolution (default relu)
   * @param pool pooling after the activation, or null for none
   */
  public record ConvLayerSpec(
      int filters, int kernel, int stride, Padding padding, Activation activation, PoolSpec pool) {
    public ConvLayerSpec {
      if (stride == 0) {
        stride = 1;
      }
      if (padding == null) {
        padding = Padding.SAME;
      }
      if (activation == null) {
        activation = Activation.RELU;
      }
    }

    /** Shape [filters, h, w] of the convolution's output for an input [c, h, w]. */
    public int[] convolvedShape(int[] input) {
      return new int[] {
        filters, outputSize(input[1], kernel, stride), outputSize(input[2], kernel, stride)
      };
    }

    /** Shape after the convolution and the pooling, if any. */
    public int[] outputShape(int[] input) {
      int[] conv = convolvedShape(input);
      if (pool == null) {
        return conv;
      }
      return new int[] {
        conv[0],
        (conv[1] - pool.size()) / pool.stride() + 1,
        (conv[2] - pool.size()) / pool.stride() + 1
      };
    }

    private int outputSize(int in, int k, int s) {
      return padding == Padding.SAME ? (in + s - 1) / s : (in - k) / s + 1;
    }
  }

  public CnnSpec {
    convLayers = SpecRules.copy(convLayers);
    denseLayers = SpecRules.copy(denseLayers);
  }

  @Override
  public Family family() {
    return Family.CNN;
  }

  @Override
  public void validate(Task task, int[] inputShape, Problems problems) {
    if (inputShape == null || inputShape.length != 3 || !SpecRules.positive(inputShape)) {
      problems.add(
          "inputShape",
          "must be [channels, height, width] for cnn, was " + Arrays.toString(inputShape));
      return;
    }
    problems.require(!convLayers.isEmpty(), "spec.convLayers", "must have at least one layer");
    problems.require(
        convLayers.size() + denseLayers.size() <= SpecRules.MAX_LAYERS,
        "spec",
        "may have at most " + SpecRules.MAX_LAYERS + " layers");
    int[] shape = inputShape;
    for (int i = 0; i < convLayers.size() && shape != null; i++) {
      shape = validateConv(convLayers.get(i), "spec.convLayers[" + i + "]", shape, problems);
    }
    for (int i = 0; i < denseLayers.size(); i++) {
      DenseLayerSpec layer = denseLayers.get(i);
      if (layer == null) {
        problems.add("spec.denseLayers[" + i + "]", "must not be null");
      } else {
        layer.validate("spec.denseLayers[" + i + "]", problems);
      }
    }
  }

  /** Returns the layer's output shape, or null when the layer is invalid. */
  private static int[] validateConv(ConvLayerSpec c, String field, int[] in, Problems problems) {
    if (c == null) {
      problems.add(field, "must not be null");
      return null;
    }
    int before = problems.messages().size();
    problems.require(
        c.filters() >= 1 && c.filters() <= 4096,
        field + ".filters",
        "must be between 1 and 4096, was " + c.filters());
    problems.require(
        c.kernel() >= 1 && (c.padding() == Padding.SAME || c.kernel() <= Math.min(in[1], in[2])),
        field + ".kernel",
        "must be between 1 and the input's size " + in[1] + "x" + in[2] + ", was " + c.kernel());
    problems.require(c.stride() >= 1, field + ".stride", "must be at least 1, was " + c.stride());
    if (c.pool() != null) {
      problems.require(
          c.pool().size() >= 1, field + ".pool.size", "must be at least 1, was " + c.pool().size());
      problems.require(
          c.pool().stride() >= 1,
          field + ".pool.stride",
          "must be at least 1, was " + c.pool().stride());
    }
    if (problems.messages().size() > before) {
      return null;
    }
    int[] out = c.outputShape(in);
    if (!SpecRules.positive(out)) {
      problems.add(
          field,
          "leaves no output: input "
              + in[1]
              + "x"
              + in[2]
              + " becomes "
              + out[1]
              + "x"
              + out[2]
              + "; use a smaller kernel, stride or pool");
      return null;
    }
    return out;
  }
}

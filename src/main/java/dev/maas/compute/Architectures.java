package dev.maas.compute;

import dev.maas.compute.nn.Conv2d;
import dev.maas.compute.nn.Dense;
import dev.maas.compute.nn.Head;
import dev.maas.compute.nn.Layer;
import dev.maas.compute.nn.Network;
import dev.maas.compute.nn.Pool2d;
import dev.maas.compute.nn.Recurrent;
import dev.maas.compute.nn.Shapes;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Builds the network of a spec: the family's layers, then an output layer sized for the head.
 * Training and loading a model file both build through here, so a file stores only the spec and the
 * flat parameters.
 */
public final class Architectures {
  private Architectures() {}

  /**
   * The network for {@code spec} on examples of {@code inputShape}.
   *
   * @param outputs regression outputs, or classes for classification
   */
  public static Network build(
      ModelSpec spec,
      int[] inputShape,
      Head head,
      int outputs,
      DataType dataType,
      boolean trainable) {
    return new Network(layers(spec, inputShape, head, outputs), dataType, trainable);
  }

  /**
   * The number of parameters of {@code spec}'s network, from its layers' shapes alone: layers own
   * no arrays until a network binds them, so this allocates nothing however large the spec. A model
   * file's reader checks it before building anything.
   */
  static long parameterCount(ModelSpec spec, int[] inputShape, Head head, int outputs) {
    long count = 0;
    for (Layer layer : layers(spec, inputShape, head, outputs)) {
      count = Math.addExact(count, layer.parameterCount());
    }
    return count;
  }

  /**
   * Analytic FLOPs per example of {@code spec}'s network: {@code [prediction, training step]} (a
   * training step is the forward and backward pass). Computed from shapes alone, like {@link
   * #parameterCount}.
   *
   * @param outputs regression outputs, or the number of classes for classification
   */
  public static long[] flopsPerRow(ModelSpec spec, int[] inputShape, Task task, int outputs) {
    Head head = task == Task.CLASSIFICATION ? Head.forClasses(outputs) : Head.REGRESSION;
    List<Layer> layers = layers(spec, inputShape, head, outputs);
    long forward = 0;
    long backward = 0;
    for (int i = 0; i < layers.size(); i++) {
      forward += layers.get(i).forwardFlops();
      backward += layers.get(i).backwardFlops(i > 0);
    }
    return new long[] {forward, forward + backward};
  }

  private static List<Layer> layers(ModelSpec spec, int[] inputShape, Head head, int outputs) {
    List<Layer> layers = new ArrayList<>();
    long[] shape = Shapes.toLongs(inputShape);
    if (spec instanceof MlpSpec mlp) {
      for (DenseLayerSpec h : mlp.hiddenLayers()) {
        shape = add(layers, new Dense(shape, h.units(), h.activation(), h.dropout()));
      }
    } else if (spec instanceof CnnSpec cnn) {
      for (CnnSpec.ConvLayerSpec c : cnn.convLayers()) {
        shape =
            add(
                layers,
                new Conv2d(
                    shape, c.filters(), c.kernel(), c.stride(), c.padding(), c.activation()));
        if (c.pool() != null) {
          shape =
              add(layers, new Pool2d(shape, c.pool().type(), c.pool().size(), c.pool().stride()));
        }
      }
      for (DenseLayerSpec h : cnn.denseLayers()) {
        shape = add(layers, new Dense(shape, h.units(), h.activation(), h.dropout()));
      }
    } else if (spec instanceof RnnSpec rnn) {
      // Stacked layers pass whole sequences up; the top one hands its last step to the output.
      for (int i = 1; i <= rnn.layers(); i++) {
        shape = add(layers, Recurrent.of(rnn.cell(), shape, rnn.units(), i == rnn.layers()));
      }
    }
    // Linear and logistic regression are the output layer alone.
    layers.add(new Dense(shape, head.units(outputs), null, 0));
    return layers;
  }

  private static long[] add(List<Layer> layers, Layer layer) {
    layers.add(layer);
    return layer.outputShape();
  }
}

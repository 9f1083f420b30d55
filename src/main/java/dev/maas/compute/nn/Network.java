package dev.maas.compute.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A stack of layers whose parameters live in one flat vector (and, when trainable, whose gradients
 * live in another of the same layout), so that an updater, a regularizer or a model file handles
 * all of them in one call.
 */
public final class Network implements AutoCloseable {

  private final List<Layer> layers;
  private final DataType dataType;
  private final INDArray parameters;
  private final INDArray gradients;
  private final long[] inputShape;
  private final long[] outputShape;

  /**
   * Lays the layers out in fresh parameter (and gradient) vectors. Parameters start at zero: call
   * {@link #initialize} or {@link #setParameters}.
   */
  public Network(List<Layer> layers, DataType dataType, boolean trainable) {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("a network needs at least one layer");
    }
    this.layers = List.copyOf(layers);
    this.dataType = dataType;
    long count = 0;
    for (Layer layer : layers) {
      count += layer.parameterCount();
    }
    // Row vectors [1, n]: the shape ND4J's updaters expect for a flat gradient.
    parameters = Nd4j.create(dataType, 1, count);
    gradients = trainable ? Nd4j.create(dataType, 1, count) : null;
    long offset = 0;
    for (Layer layer : layers) {
      long n = layer.parameterCount();
      INDArray p = n == 0 ? null : slice(parameters, offset, n);
      INDArray g = n == 0 || gradients == null ? null : slice(gradients, offset, n);
      layer.bind(p, g);
      offset += n;
    }
    inputShape = layers.get(0).inputShape();
    outputShape = layers.get(layers.size() - 1).outputShape();
  }

  private static INDArray slice(INDArray vector, long offset, long n) {
    return vector.get(NDArrayIndex.point(0), NDArrayIndex.interval(offset, offset + n));
  }

  /** Draws initial parameters from a generator seeded with {@code seed}. */
  public void initialize(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (Layer layer : layers) {
      if (layer.parameterCount() > 0) {
        layer.initialize(random.split());
      }
    }
  }

  /** Replaces all parameters with {@code values}, in the flat layout. */
  public void setParameters(double[] values) {
    HostArrays.write(parameters, values);
  }

  /** The flat parameter vector. Callers other than the trainer must not change it. */
  public INDArray parameters() {
    return parameters;
  }

  /** The flat gradient vector, in the same layout; null when the network is not trainable. */
  public INDArray gradients() {
    return gradients;
  }

  public DataType dataType() {
    return dataType;
  }

  public List<Layer> layers() {
    return layers;
  }

  public long[] inputShape() {
    return inputShape.clone();
  }

  public long[] outputShape() {
    return outputShape.clone();
  }

  public long parameterCount() {
    return parameters.length();
  }

  /** Floating-point operations to predict one example. */
  public long forwardFlops() {
    long flops = 0;
    for (Layer layer : layers) {
      flops += layer.forwardFlops();
    }
    return flops;
  }

  /** Floating-point operations of one training step, per example (forward and backward). */
  public long trainingFlops() {
    long flops = forwardFlops();
    for (int i = 0; i < layers.size(); i++) {
      flops += layers.get(i).backwardFlops(i > 0);
    }
    return flops;
  }

  /** The weight views (and their gradients) that L1 and L2 regularization apply to. */
  public List<Layer.ParamAndGradient> regularized() {
    List<Layer.ParamAndGradient> out = new ArrayList<>();
    for (Layer layer : layers) {
      if (layer.parameterCount() > 0) {
        out.addAll(layer.regularized());
      }
    }
    return out;
  }

  /**
   * Allocates the buffers for passes of {@code batch} examples.
   *
   * @param training whether the pass supports backward and applies dropout
   * @param random ND4J's seeded generator for dropout; may be null when not training
   */
  public NetworkPass newPass(int batch, boolean training, Random random) {
    return newPass(batch, training, random, true);
  }

  /**
   * As {@link #newPass(int, boolean, Random)}; {@code fuse} false keeps every layer's own pass
   * (tests compare the fused passes with them).
   */
  NetworkPass newPass(int batch, boolean training, Random random, boolean fuse) {
    if (training && gradients == null) {
      throw new IllegalStateException("this network was built for inference only");
    }
    List<Layer.Pass> passes = new ArrayList<>(layers.size());
    PassSetup setup = new PassSetup(batch, training, dataType, random);
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      // A ReLU convolution and the 2x2 max pool after it run as one pass (Conv2d#newPooledPass).
      if (fuse
          && layer instanceof Conv2d conv
          && i + 1 < layers.size()
          && layers.get(i + 1) instanceof Pool2d pool
          && conv.fusesWith(pool, dataType)) {
        passes.add(conv.newPooledPass(setup));
        passes.add(Conv2d.IDENTITY);
        i++;
        continue;
      }
      passes.add(layer.newPass(setup));
    }
    INDArray input = Nd4j.create(dataType, Shapes.withBatch(batch, inputShape), 'c');
    return new NetworkPass(batch, input, passes);
  }

  @Override
  public void close() {
    parameters.close();
    if (gradients != null) {
      gradients.close();
    }
  }
}

package dev.maas.compute.nn;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The buffers of one network for passes of a fixed batch size: write examples into {@link
 * #input()}, call {@link #forward()}, and, when training, {@link #backward} with the gradient of
 * the loss. Not thread-safe: each thread uses a pass of its own.
 */
public final class NetworkPass implements AutoCloseable {
  private final int batch;
  private final INDArray input;
  private final List<Layer.Pass> passes;

  NetworkPass(int batch, INDArray input, List<Layer.Pass> passes) {
    this.batch = batch;
    this.input = input;
    this.passes = passes;
  }

  public int batch() {
    return batch;
  }

  /** The input buffer [batch, input shape...], c order. */
  public INDArray input() {
    return input;
  }

  /** Runs every layer forward and returns the last layer's output (owned by this pass). */
  public INDArray forward() {
    INDArray x = input;
    for (Layer.Pass pass : passes) {
      x = pass.forward(x);
    }
    return x;
  }

  /**
   * Runs every layer backward, writing the gradient of the loss into the network's gradient vector.
   * {@code outputGradient} is the loss' gradient with respect to the last layer's output and may be
   * overwritten.
   */
  public void backward(INDArray outputGradient) {
    INDArray g = outputGradient;
    for (int i = passes.size() - 1; i >= 0; i--) {
      g = passes.get(i).backward(g, i > 0);
    }
  }

  /** Bytes of native memory this pass holds. */
  public long bytes() {
    long bytes = input.length() * input.dataType().width();
    for (Layer.Pass pass : passes) {
      bytes += pass.bytes();
    }
    return bytes;
  }

  @Override
  public void close() {
    for (Layer.Pass pass : passes) {
      pass.close();
    }
    input.close();
  }
}

package dev.maas.compute.nn;

import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One layer of a {@link Network}: its parameter shapes, its initialisation and its forward and
 * backward passes.
 *
 * <p>A layer owns no arrays of its own. Its parameters and gradients are views into the network's
 * flat parameter and gradient vectors (so one updater call updates everything), and every buffer a
 * pass needs is allocated once per batch size in a {@link Pass}: ND4J allocation and view creation
 * cost tens of microseconds each, more than the arithmetic of a small layer.
 */
public abstract class Layer {

  /** Shape of one example at this layer's input, without the batch dimension. */
  public abstract long[] inputShape();

  /** Shape of one example at this layer's output, without the batch dimension. */
  public abstract long[] outputShape();

  /** Number of trainable scalars. */
  public abstract long parameterCount();

  /**
   * Binds this layer to its slices of the network's flat vectors.
   *
   * @param params this layer's parameters, a contiguous vector of {@link #parameterCount()}
   * @param gradients the matching slice of the gradient vector, or null for inference only
   */
  protected abstract void bind(INDArray params, INDArray gradients);

  /** Fills the bound parameters with their initial values, drawn from {@code random}. */
  protected abstract void initialize(SplittableRandom random);

  /** Creates the buffers for passes of {@code setup.batch()} examples. */
  protected abstract Pass newPass(PassSetup setup);

  /** Floating-point operations of a forward pass, per example. */
  public abstract long forwardFlops();

  /**
   * Floating-point operations of a backward pass, per example.
   *
   * @param inputGradient whether the gradient with respect to the input is computed too
   */
  public abstract long backwardFlops(boolean inputGradient);

  /**
   * The (parameter, gradient) views that L1 and L2 regularization apply to: weights, not biases.
   * Valid after {@link #bind}.
   */
  protected abstract List<ParamAndGradient> regularized();

  /** A weight view and the view of its gradient. */
  public record ParamAndGradient(INDArray param, INDArray gradient) {}

  /** The preallocated buffers and the cached activations of passes of one batch size. */
  protected interface Pass {

    /**
     * Runs the layer forward. The returned array is owned by this pass and overwritten by the next
     * call.
     */
    INDArray forward(INDArray input);

    /**
     * Runs the layer backward after {@link #forward} in training mode: writes the parameter
     * gradients and returns the gradient with respect to the input (owned by this pass), or null
     * when {@code inputGradient} is false.
     */
    INDArray backward(INDArray outputGradient, boolean inputGradient);

    /** Bytes of native memory this pass holds. */
    long bytes();

    /** Releases the pass' buffers. */
    void close();
  }
}

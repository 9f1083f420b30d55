package dev.maas.compute;

import dev.maas.compute.nn.HostArrays;
import dev.maas.compute.nn.Network;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Turns the gradient of a step into a parameter update and applies it: regularization, then the
 * optimizer (ND4J's updater over the whole flat gradient in one call), then {@code params -=
 * update}.
 */
final class StepRule implements AutoCloseable {
  private final Network network;
  private final double l1;
  private final double l2;
  private final GradientUpdater<?> updater; // ND4J's, or null for classical momentum
  private final INDArray state;
  private final double learningRate;
  private final double momentum;
  private final java.util.List<dev.maas.compute.nn.Layer.ParamAndGradient> regularized;

  StepRule(Network network, TrainingParams params) {
    this.network = network;
    this.l1 = params.l1();
    this.l2 = params.l2();
    this.regularized = network.regularized();
    Optimizer optimizer = params.optimizer();
    IUpdater config = optimizer.nd4jUpdater();
    INDArray gradients = network.gradients();
    long n = gradients.length();
    if (config == null) {
      // Classical (heavy-ball) momentum, which ND4J does not ship: v = mu v + g; step = lr v.
      state = Nd4j.create(gradients.dataType(), 1, n);
      updater = null;
    } else {
      long size = config.stateSize(n);
      state = size == 0 ? null : Nd4j.create(gradients.dataType(), 1, size);
      updater = config.instantiate(state, true);
    }
    this.learningRate = optimizer.learningRate();
    this.momentum = optimizer.momentum();
  }

  /** Applies one step; call inside the step's workspace. */
  void apply(int iteration, int epoch) {
    if (l1 > 0 || l2 > 0) {
      for (var pair : regularized) {
        if (l2 > 0) {
          pair.gradient().addi(pair.param().mul(l2));
        }
        if (l1 > 0) {
          pair.gradient().addi(Transforms.sign(pair.param(), true).muli(l1));
        }
      }
    }
    INDArray gradients = network.gradients();
    if (updater != null) {
      updater.applyUpdater(gradients, iteration, epoch);
    } else {
      state.muli(momentum).addi(gradients);
      gradients.assign(state).muli(learningRate);
    }
    network.parameters().subi(gradients);
  }

  /**
   * A copy of the optimizer's state: ND4J's updater state view, or the classical-momentum velocity;
   * empty for plain SGD, which has none. The step count is not part of it: the caller passes it to
   * {@link #apply}.
   */
  double[] state() {
    return state == null ? new double[0] : HostArrays.readFlat(state);
  }

  /** Replaces the optimizer's state with one {@link #state()} returned. */
  void restore(double[] values) {
    long expected = state == null ? 0 : state.length();
    if (values.length != expected) {
      throw new IllegalArgumentException(
          "the optimizer state has " + expected + " values, the checkpoint " + values.length);
    }
    if (state != null) {
      HostArrays.write(state, values);
    }
  }

  /** Off-heap bytes of the optimizer's state. */
  long bytes() {
    return state == null ? 0 : HostArrays.bytes(state);
  }

  @Override
  public void close() {
    if (state != null) {
      state.close();
    }
  }
}

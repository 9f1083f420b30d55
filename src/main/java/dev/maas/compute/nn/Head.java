package dev.maas.compute.nn;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

/**
 * What sits on top of a network's last layer: the output activation and the loss, both ND4J's. The
 * last layer emits raw scores; training hands them to the loss with the activation, and prediction
 * applies the activation on the host, where a handful of numbers per row cost less than one more
 * native call.
 */
public enum Head {
  /** Real values, mean squared error. */
  REGRESSION,
  /** Two classes: one logit, sigmoid, binary cross-entropy. */
  BINARY,
  /** k classes: k logits, softmax, cross-entropy. */
  MULTICLASS;

  /** The head for a task with {@code classes} classes, or regression when {@code classes == 0}. */
  public static Head forClasses(int classes) {
    return classes == 0 ? REGRESSION : classes == 2 ? BINARY : MULTICLASS;
  }

  /** Units of the last layer for {@code outputs} regression outputs or {@code outputs} classes. */
  public int units(int outputs) {
    return this == BINARY ? 1 : outputs;
  }

  /** ND4J's loss function for this head. */
  public ILossFunction loss() {
    return switch (this) {
      case REGRESSION -> new LossMSE();
      case BINARY -> new LossBinaryXENT();
      case MULTICLASS -> new LossMCXENT();
    };
  }

  /** ND4J's output activation for this head. */
  public IActivation activation() {
    return switch (this) {
      case REGRESSION -> new ActivationIdentity();
      case BINARY -> new ActivationSigmoid();
      case MULTICLASS -> new ActivationSoftmax();
    };
  }

  /**
   * Turns one row of raw scores into outputs: values for regression, class probabilities otherwise
   * (two for the binary head).
   */
  public double[] toOutputs(double[] scores, int from, int units) {
    switch (this) {
      case REGRESSION -> {
        double[] out = new double[units];
        System.arraycopy(scores, from, out, 0, units);
        return out;
      }
      case BINARY -> {
        double p = 1 / (1 + Math.exp(-scores[from]));
        return new double[] {1 - p, p};
      }
      default -> {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < units; k++) {
          max = Math.max(max, scores[from + k]);
        }
        double[] out = new double[units];
        double sum = 0;
        for (int k = 0; k < units; k++) {
          out[k] = Math.exp(scores[from + k] - max);
          sum += out[k];
        }
        for (int k = 0; k < units; k++) {
          out[k] /= sum;
        }
        return out;
      }
    }
  }
}

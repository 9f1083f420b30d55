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
   * One row's loss as ND4J's {@link #loss()} scores it ({@code computeScore} of one row): mean
   * squared error over the outputs; binary cross-entropy of the sigmoid clipped to [1e-5, 1 -
   * 1e-5]; cross-entropy of the softmax clipped to [1e-10, 1 - 1e-10]. In double precision, so it
   * agrees with ND4J's float score to float rounding and with its double score to a few ulps.
   */
  public double rowLoss(double[] scores, int from, double[] targets, int at, int units) {
    switch (this) {
      case REGRESSION -> {
        double s = 0;
        for (int j = 0; j < units; j++) {
          double d = targets[at + j] - scores[from + j];
          s += d * d;
        }
        return s / units;
      }
      case BINARY -> {
        double p = 1 / (1 + Math.exp(-scores[from]));
        p = Math.min(Math.max(p, 1e-5), 1 - 1e-5);
        double y = targets[at];
        return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
      }
      default -> {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < units; k++) {
          max = Math.max(max, scores[from + k]);
        }
        double sum = 0;
        for (int k = 0; k < units; k++) {
          sum += Math.exp(scores[from + k] - max);
        }
        double loss = 0;
        for (int k = 0; k < units; k++) {
          double y = targets[at + k];
          if (y != 0) {
            double p = Math.exp(scores[from + k] - max) / sum;
            loss -= y * Math.log(Math.min(Math.max(p, 1e-10), 1 - 1e-10));
          }
        }
        return loss;
      }
    }
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

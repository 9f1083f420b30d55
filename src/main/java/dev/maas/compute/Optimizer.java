package dev.maas.compute;

import com.fasterxml.jackson.annotation.JsonValue;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The optimizer and its settings. Only the settings of the chosen type are used; a zero means "the
 * type's default".
 *
 * @param type which optimizer
 * @param learningRate step size, greater than zero
 * @param momentum momentum or Nesterov coefficient in [0, 1) (default 0.9)
 * @param beta1 Adam's first-moment decay in [0, 1) (default 0.9)
 * @param beta2 Adam's second-moment decay, or RMSProp's decay, in [0, 1) (default 0.999 for Adam,
 *     0.95 for RMSProp)
 * @param epsilon numerical guard, greater than zero (default 1e-8 for Adam, 1e-6 otherwise)
 */
public record Optimizer(
    Type type, double learningRate, double momentum, double beta1, double beta2, double epsilon) {

  /** The optimizers maas offers; all but plain momentum are ND4J's updaters. */
  public enum Type {
    SGD,
    MOMENTUM,
    NESTEROV,
    ADAGRAD,
    RMSPROP,
    ADAM;

    @JsonValue
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public Optimizer {
    if (type == null) {
      type = Type.ADAM;
    }
    if (momentum == 0 && (type == Type.MOMENTUM || type == Type.NESTEROV)) {
      momentum = 0.9;
    }
    if (beta1 == 0 && type == Type.ADAM) {
      beta1 = 0.9;
    }
    if (beta2 == 0) {
      beta2 = type == Type.ADAM ? 0.999 : type == Type.RMSPROP ? 0.95 : 0;
    }
    if (epsilon == 0 && (type == Type.ADAM || type == Type.ADAGRAD || type == Type.RMSPROP)) {
      epsilon = type == Type.ADAM ? 1e-8 : 1e-6;
    }
  }

  /** {@code type} with {@code learningRate} and the type's defaults. */
  public static Optimizer of(Type type, double learningRate) {
    return new Optimizer(type, learningRate, 0, 0, 0, 0);
  }

  /** Adam with the usual defaults. */
  public static Optimizer adam(double learningRate) {
    return of(Type.ADAM, learningRate);
  }

  void validate(Problems problems) {
    String f = "training.";
    problems.require(
        learningRate > 0 && Double.isFinite(learningRate),
        f + "learningRate",
        "must be greater than 0, was " + learningRate);
    problems.require(
        momentum >= 0 && momentum < 1, f + "momentum", "must be in [0, 1), was " + momentum);
    problems.require(beta1 >= 0 && beta1 < 1, f + "beta1", "must be in [0, 1), was " + beta1);
    problems.require(beta2 >= 0 && beta2 < 1, f + "beta2", "must be in [0, 1), was " + beta2);
    problems.require(epsilon >= 0, f + "epsilon", "must not be negative, was " + epsilon);
  }

  /**
   * ND4J's updater for this optimizer, or null for {@link Type#MOMENTUM}, which ND4J does not ship
   * (see {@code MomentumUpdater}).
   */
  IUpdater nd4jUpdater() {
    return switch (type) {
      case SGD -> new Sgd(learningRate);
      case MOMENTUM -> null;
      case NESTEROV -> new Nesterovs(learningRate, momentum);
      case ADAGRAD -> new AdaGrad(learningRate, epsilon);
      case RMSPROP -> new RmsProp(learningRate, beta2, epsilon);
      case ADAM -> new Adam(learningRate, beta1, beta2, epsilon);
    };
  }
}

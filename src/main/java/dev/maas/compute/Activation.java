package dev.maas.compute;

import com.fasterxml.jackson.annotation.JsonValue;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;

/** Hidden-layer activation functions; each maps to ND4J's own implementation. */
public enum Activation {
  RELU,
  TANH,
  SIGMOID,
  LEAKY_RELU;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** ND4J's activation, which computes the function and its backward pass. */
  public IActivation nd4j() {
    return switch (this) {
      case RELU -> new ActivationReLU();
      case TANH -> new ActivationTanH();
      case SIGMOID -> new ActivationSigmoid();
      case LEAKY_RELU -> new ActivationLReLU(0.01);
    };
  }

  /**
   * Whether the derivative can be taken from the activation's output instead of its input: true for
   * the piecewise-linear ones, whose output has the sign of their input. Saves one copy per layer
   * and step.
   */
  public boolean derivativeFromOutput() {
    return this == RELU || this == LEAKY_RELU;
  }
}

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

  /** Slope of leaky relu for negative inputs. */
  public static final double LEAKY_RELU_SLOPE = 0.01;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** ND4J's activation function, applied in place on a layer's output. */
  public IActivation nd4j() {
    return switch (this) {
      case RELU -> new ActivationReLU();
      case TANH -> new ActivationTanH();
      case SIGMOID -> new ActivationSigmoid();
      case LEAKY_RELU -> new ActivationLReLU(LEAKY_RELU_SLOPE);
    };
  }
}

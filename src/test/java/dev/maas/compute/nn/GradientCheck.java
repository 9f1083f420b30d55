package dev.maas.compute.nn;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Compares a network's backward pass with central finite differences of its loss, in double
 * precision. Dropout must be off (it is random per forward pass).
 */
public final class GradientCheck {
  private static final double EPSILON = 1e-6;

  private GradientCheck() {}

  /** The outcome: the worst relative error and where it was. */
  public record Result(
      double worstRelativeError, long worstIndex, double analytic, double numeric) {
    @Override
    public String toString() {
      return String.format(
          "worst relative error %.3g at parameter %d (analytic %.8g, numeric %.8g)",
          worstRelativeError, worstIndex, analytic, numeric);
    }
  }

  /**
   * Checks every parameter of {@code network} (trainable, DOUBLE) on a random batch with random
   * targets for {@code head}.
   */
  public static Result run(Network network, Head head, int batch, long seed) {
    if (network.dataType() != DataType.DOUBLE) {
      throw new IllegalArgumentException("gradient checks need a DOUBLE network");
    }
    network.initialize(seed);
    SplittableRandom random = new SplittableRandom(seed + 1);
    // Move parameters off zero (biases) so every path carries gradient.
    double[] params = HostArrays.readFlat(network.parameters());
    for (int i = 0; i < params.length; i++) {
      params[i] += (random.nextDouble() - 0.5) * 0.2;
    }
    network.setParameters(params);
    try (NetworkPass pass = network.newPass(batch, true, null)) {
      double[] x = new double[Math.toIntExact(pass.input().length())];
      for (int i = 0; i < x.length; i++) {
        x[i] = random.nextGaussian();
      }
      HostArrays.writeFlat(pass.input(), x, 0, x.length);
      int units = Math.toIntExact(network.outputShape()[0]);
      INDArray labels = Nd4j.create(DataType.DOUBLE, batch, units);
      for (int r = 0; r < batch; r++) {
        switch (head) {
          case REGRESSION -> {
            for (int k = 0; k < units; k++) {
              labels.putScalar(r, k, random.nextGaussian());
            }
          }
          case BINARY -> labels.putScalar(r, 0, random.nextInt(2));
          case MULTICLASS -> labels.putScalar(r, random.nextInt(units), 1);
        }
      }
      INDArray scores = pass.forward();
      INDArray gradient =
          head.loss().computeGradient(labels, scores.dup(), head.activation(), null);
      gradient.muli(1.0 / batch);
      pass.backward(gradient);
      double[] analytic = HostArrays.readFlat(network.gradients());

      Result worst = new Result(0, -1, 0, 0);
      for (int i = 0; i < params.length; i++) {
        double original = params[i];
        network.parameters().putScalar(0, i, original + EPSILON);
        double plus = loss(pass, head, labels);
        network.parameters().putScalar(0, i, original - EPSILON);
        double minus = loss(pass, head, labels);
        network.parameters().putScalar(0, i, original);
        double numeric = (plus - minus) / (2 * EPSILON);
        double denominator = Math.abs(analytic[i]) + Math.abs(numeric);
        double error = denominator < 1e-9 ? 0 : Math.abs(analytic[i] - numeric) / denominator;
        if (Math.abs(analytic[i] - numeric) < 1e-9) {
          error = 0; // both essentially zero: relative error is meaningless
        }
        if (error > worst.worstRelativeError()) {
          worst = new Result(error, i, analytic[i], numeric);
        }
      }
      return worst;
    }
  }

  private static double loss(NetworkPass pass, Head head, INDArray labels) {
    INDArray scores = pass.forward();
    return head.loss().computeScore(labels, scores.dup(), head.activation(), null, true);
  }
}

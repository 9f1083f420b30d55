package dev.maas.compute.nn;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Parameter initialisation from a Java generator, so a seed fixes it on every platform. */
public final class Init {
  private Init() {}

  /** Fills {@code target} (any shape, c order) with draws from U(-limit, limit). */
  public static void uniform(INDArray target, double limit, SplittableRandom random) {
    long n = target.length();
    double[] values = new double[Math.toIntExact(n)];
    for (int i = 0; i < values.length; i++) {
      values[i] = (random.nextDouble() * 2 - 1) * limit;
    }
    HostArrays.write(target, values);
  }
}

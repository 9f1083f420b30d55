package dev.maas.compute;

import dev.maas.compute.nn.FusedDense;

/**
 * {@link StepRule} for the heap step of a dense stack ({@link FusedDense}): the same
 * regularization, then plain gradient descent, classical momentum or Adam with ND4J's formulas,
 * applied in place to the heap parameters. Its state has the layout of ND4J's updater state (Adam:
 * the first moments, then the second), so checkpoints taken by either path resume on the other.
 */
final class HeapStepRule {
  private final FusedDense net;
  private final Optimizer.Type type;
  private final double l1;
  private final double l2;
  private final float[][] first; // Adam: the first moments; momentum: the velocity
  private final float[][] second; // Adam: the second moments
  private final double learningRate;
  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final double momentum;

  private HeapStepRule(FusedDense net, TrainingParams params) {
    this.net = net;
    Optimizer optimizer = params.optimizer();
    this.type = optimizer.type();
    this.l1 = params.l1();
    this.l2 = params.l2();
    this.learningRate = optimizer.learningRate();
    this.beta1 = optimizer.beta1();
    this.beta2 = optimizer.beta2();
    this.epsilon = optimizer.epsilon();
    this.momentum = optimizer.momentum();
    this.first = type == Optimizer.Type.SGD ? null : like(net.parameterRows());
    this.second = type == Optimizer.Type.ADAM ? like(net.parameterRows()) : null;
  }

  private static float[][] like(float[][] rows) {
    float[][] out = new float[rows.length][];
    for (int r = 0; r < rows.length; r++) {
      out[r] = new float[rows[r].length];
    }
    return out;
  }

  /** Whether {@code optimizer} has a heap form here. */
  static boolean supports(Optimizer optimizer) {
    return switch (optimizer.type()) {
      case SGD, MOMENTUM, ADAM -> true;
      default -> false;
    };
  }

  static HeapStepRule of(FusedDense net, TrainingParams params) {
    if (!supports(params.optimizer())) {
      throw new IllegalArgumentException("no heap form of " + params.optimizer().type());
    }
    return new HeapStepRule(net, params);
  }

  /** Applies one step to the parameters from the gradient the last {@code gradient} call left. */
  void apply(int iteration) {
    float[][] w = net.parameterRows();
    float[][] g = net.gradientRows();
    float fl1 = (float) l1;
    float fl2 = (float) l2;
    float lr = (float) learningRate;
    float alpha = 0;
    if (type == Optimizer.Type.ADAM) {
      double t = iteration + 1;
      alpha = (float) (learningRate * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t)));
      if (Float.isNaN(alpha) || alpha == 0 || Float.isInfinite(alpha)) {
        alpha = (float) epsilon;
      }
    }
    float b1 = (float) beta1;
    float b2 = (float) beta2;
    float m1 = (float) (1 - beta1);
    float m2 = (float) (1 - beta2);
    float eps = (float) epsilon;
    float mu = (float) momentum;
    for (int r = 0; r < w.length; r++) {
      float[] wr = w[r];
      float[] gr = g[r];
      int n = wr.length;
      if ((l1 > 0 || l2 > 0) && net.weightRow(r)) {
        if (l2 > 0) {
          for (int i = 0; i < n; i++) {
            gr[i] += wr[i] * fl2;
          }
        }
        if (l1 > 0) {
          for (int i = 0; i < n; i++) {
            gr[i] += Math.signum(wr[i]) * fl1;
          }
        }
      }
      switch (type) {
        case SGD -> {
          for (int i = 0; i < n; i++) {
            wr[i] -= lr * gr[i];
          }
        }
        case MOMENTUM -> {
          float[] v = first[r];
          for (int i = 0; i < n; i++) {
            v[i] = v[i] * mu + gr[i];
            wr[i] -= v[i] * lr;
          }
        }
        case ADAM -> {
          float[] m = first[r];
          float[] v = second[r];
          for (int i = 0; i < n; i++) {
            float gi = gr[i];
            m[i] = b1 * m[i] + gi * m1;
            v[i] = b2 * v[i] + gi * gi * m2;
            wr[i] -= m[i] * alpha / ((float) Math.sqrt(v[i]) + eps);
          }
        }
        default -> throw new IllegalStateException(type.toString());
      }
    }
  }

  /**
   * A copy of the optimizer's state in ND4J's layout (see {@link StepRule#state()}): Adam's first
   * moments then its second, each in the flat parameter layout; momentum's velocity; nothing for
   * plain gradient descent.
   */
  double[] state() {
    int n = net.parameterCount();
    double[] out = new double[(first == null ? 0 : n) + (second == null ? 0 : n)];
    flatten(first, out, 0);
    flatten(second, out, n);
    return out;
  }

  private static void flatten(float[][] rows, double[] out, int at) {
    if (rows == null) {
      return;
    }
    for (float[] row : rows) {
      for (float v : row) {
        out[at++] = v;
      }
    }
  }

  /** Replaces the state with one {@link #state()} (or {@link StepRule#state()}) returned. */
  void restore(double[] values) {
    int n = net.parameterCount();
    int expected = (first == null ? 0 : n) + (second == null ? 0 : n);
    if (values.length != expected) {
      throw new IllegalArgumentException(
          "the optimizer state has " + expected + " values, the checkpoint " + values.length);
    }
    unflatten(values, 0, first);
    unflatten(values, n, second);
  }

  private static void unflatten(double[] values, int at, float[][] rows) {
    if (rows == null) {
      return;
    }
    for (float[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        row[i] = (float) values[at++];
      }
    }
  }
}

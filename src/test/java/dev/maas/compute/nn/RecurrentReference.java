package dev.maas.compute.nn;

/**
 * Straightforward loops for the three cells, to check the layers' forward passes against. Inputs
 * are {@code x[example][step][feature]}; parameters are the layers' matrix {@code p[row][column]}:
 * input weights, bias, recurrent weights (and the GRU's recurrent bias), one column block per gate.
 * Returns {@code h[example][step][unit]}.
 */
final class RecurrentReference {
  private RecurrentReference() {}

  static double[][][] simple(double[][][] x, double[][] p, int units) {
    return run(x, p, units, new SimpleCell());
  }

  /** Gate column blocks i, f, g, o. */
  static double[][][] lstm(double[][][] x, double[][] p, int units) {
    return run(x, p, units, new LstmCell());
  }

  /** Gate column blocks r, z, n; PyTorch's formulas. */
  static double[][][] gru(double[][][] x, double[][] p, int units) {
    return run(x, p, units, new GruCell());
  }

  private interface Cell {
    /** The next hidden state; may keep state of its own (the LSTM's cell) between calls. */
    double[] step(double[] x, double[] h, double[][] p, int units);

    void reset(int units);
  }

  private static double[][][] run(double[][][] x, double[][] p, int units, Cell cell) {
    double[][][] out = new double[x.length][][];
    for (int b = 0; b < x.length; b++) {
      cell.reset(units);
      double[] h = new double[units];
      out[b] = new double[x[b].length][];
      for (int t = 0; t < x[b].length; t++) {
        h = cell.step(x[b][t], h, p, units);
        out[b][t] = h;
      }
    }
    return out;
  }

  /** Column {@code column} of {@code x Wx + b + h Wh} (rows: features, bias, units). */
  private static double affine(double[] x, double[] h, double[][] p, int column) {
    int features = x.length;
    double sum = p[features][column];
    for (int k = 0; k < features; k++) {
      sum += x[k] * p[k][column];
    }
    for (int k = 0; k < h.length; k++) {
      sum += h[k] * p[features + 1 + k][column];
    }
    return sum;
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  private static final class SimpleCell implements Cell {
    @Override
    public double[] step(double[] x, double[] h, double[][] p, int units) {
      double[] next = new double[units];
      for (int j = 0; j < units; j++) {
        next[j] = Math.tanh(affine(x, h, p, j));
      }
      return next;
    }

    @Override
    public void reset(int units) {}
  }

  private static final class LstmCell implements Cell {
    private double[] c;

    @Override
    public double[] step(double[] x, double[] h, double[][] p, int units) {
      double[] next = new double[units];
      double[] nextC = new double[units];
      for (int j = 0; j < units; j++) {
        double i = sigmoid(affine(x, h, p, j));
        double f = sigmoid(affine(x, h, p, units + j));
        double g = Math.tanh(affine(x, h, p, 2 * units + j));
        double o = sigmoid(affine(x, h, p, 3 * units + j));
        nextC[j] = f * c[j] + i * g;
        next[j] = o * Math.tanh(nextC[j]);
      }
      c = nextC;
      return next;
    }

    @Override
    public void reset(int units) {
      c = new double[units];
    }
  }

  private static final class GruCell implements Cell {
    @Override
    public double[] step(double[] x, double[] h, double[][] p, int units) {
      int features = x.length;
      int recurrentBias = features + 1 + units;
      double[] next = new double[units];
      for (int j = 0; j < units; j++) {
        double r = sigmoid(affine(x, h, p, j) + p[recurrentBias][j]);
        double z = sigmoid(affine(x, h, p, units + j) + p[recurrentBias][units + j]);
        int nj = 2 * units + j;
        double inputPart = p[features][nj];
        for (int k = 0; k < features; k++) {
          inputPart += x[k] * p[k][nj];
        }
        double recurrentPart = p[recurrentBias][nj];
        for (int k = 0; k < units; k++) {
          recurrentPart += h[k] * p[features + 1 + k][nj];
        }
        double n = Math.tanh(inputPart + r * recurrentPart);
        next[j] = (1 - z) * n + z * h[j];
      }
      return next;
    }

    @Override
    public void reset(int units) {}
  }
}

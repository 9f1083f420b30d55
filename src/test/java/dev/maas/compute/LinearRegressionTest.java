package dev.maas.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.maas.compute.LinearRegressionSpec.Solver;
import org.junit.jupiter.api.Test;

class LinearRegressionTest {
  private final ReferenceData.Split diabetes = ReferenceData.split("diabetes", false);

  @Test
  void leastSquaresMatchesTheClosedFormSolutionToOnePartInAMillion() {
    double[] expected = closedFormPredictions(diabetes.train(), diabetes.test());
    try (TrainedModel model = fit(Solver.LEAST_SQUARES, TrainingParams.defaults())) {
      double[] actual = predictions(model, diabetes.test());
      for (int i = 0; i < expected.length; i++) {
        assertThat(actual[i]).isCloseTo(expected[i], within(1e-6 * Math.abs(expected[i])));
      }
    }
  }

  @Test
  void gradientDescentReachesTheR2OfLeastSquaresWithinOneHundredth() {
    double exact;
    try (TrainedModel model = fit(Solver.LEAST_SQUARES, TrainingParams.defaults())) {
      exact = ((RegressionMetrics) model.metrics()).r2();
    }
    TrainingParams params =
        TrainingParams.defaults()
            .withEpochs(300)
            .withBatchSize(32)
            .withOptimizer(Optimizer.adam(0.01));
    try (TrainedModel model = fit(Solver.GRADIENT_DESCENT, params)) {
      assertThat(((RegressionMetrics) model.metrics()).r2()).isCloseTo(exact, within(0.01));
    }
    assertThat(exact).isCloseTo(0.4475, within(0.0001)); // scikit-learn's LinearRegression
  }

  private TrainedModel fit(Solver solver, TrainingParams params) {
    return new Trainer()
        .train(
            new LinearRegressionSpec(solver),
            params,
            diabetes.train(),
            diabetes.test(),
            TrainingListener.NONE,
            Cancellation.NEVER)
        .model();
  }

  private static double[] predictions(TrainedModel model, Examples rows) {
    Predictions p = model.predict(rows.features(), rows.rows());
    double[] out = new double[rows.rows()];
    for (int r = 0; r < out.length; r++) {
      out[r] = p.values(r)[0];
    }
    return out;
  }

  /**
   * beta = (X'X)^-1 X'y on the raw features with an intercept column, by Gauss-Jordan elimination
   * with partial pivoting, independent of the engine.
   */
  private static double[] closedFormPredictions(Examples train, Examples test) {
    int f = train.rowLength();
    int p = f + 1;
    double[][] a = new double[p][p + 1];
    for (int r = 0; r < train.rows(); r++) {
      double[] x = row(train, r);
      for (int i = 0; i < p; i++) {
        for (int j = 0; j < p; j++) {
          a[i][j] += x[i] * x[j];
        }
        a[i][p] += x[i] * train.targets()[r];
      }
    }
    for (int c = 0; c < p; c++) {
      int pivot = c;
      for (int r = c + 1; r < p; r++) {
        if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) {
          pivot = r;
        }
      }
      double[] t = a[c];
      a[c] = a[pivot];
      a[pivot] = t;
      for (int r = 0; r < p; r++) {
        if (r != c) {
          double k = a[r][c] / a[c][c];
          for (int j = c; j <= p; j++) {
            a[r][j] -= k * a[c][j];
          }
        }
      }
    }
    double[] beta = new double[p];
    for (int i = 0; i < p; i++) {
      beta[i] = a[i][p] / a[i][i];
    }
    double[] out = new double[test.rows()];
    for (int r = 0; r < out.length; r++) {
      double[] x = row(test, r);
      for (int i = 0; i < p; i++) {
        out[r] += beta[i] * x[i];
      }
    }
    return out;
  }

  private static double[] row(Examples data, int r) {
    int f = data.rowLength();
    double[] x = new double[f + 1];
    System.arraycopy(data.features(), r * f, x, 0, f);
    x[f] = 1;
    return x;
  }
}

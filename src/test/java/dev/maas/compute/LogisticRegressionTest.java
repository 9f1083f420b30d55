package dev.maas.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maas.errors.InvalidException;
import org.junit.jupiter.api.Test;

class LogisticRegressionTest {
  private final Trainer trainer = new Trainer();

  private ClassificationMetrics fit(
      LogisticRegressionSpec spec, TrainingParams params, ReferenceData.Split split) {
    try (TrainedModel model =
        trainer
            .train(
                spec,
                params,
                split.train(),
                split.test(),
                TrainingListener.NONE,
                Cancellation.NEVER)
            .model()) {
      return (ClassificationMetrics) model.metrics();
    }
  }

  @Test
  void newtonReachesScikitLearnsOptimumOnIrisAndBreastCancer() {
    // scikit-learn's LogisticRegression (C=1, lbfgs) on the same split: 0.9333 and 1.0.
    var iris =
        fit(
            new LogisticRegressionSpec(),
            TrainingParams.defaults(),
            ReferenceData.split("iris", true));
    var cancer =
        fit(
            new LogisticRegressionSpec(),
            TrainingParams.defaults(),
            ReferenceData.split("breast_cancer", true));
    assertThat(iris.accuracy()).isEqualTo(28 / 30.0);
    assertThat(cancer.accuracy()).isEqualTo(1.0);
    assertThat(cancer.rocAuc()).isGreaterThan(0.99);
  }

  @Test
  void aBinaryNewtonFitIsTheOptimumOfThePenalizedLoss() {
    // The binary solver's Hessian is single precision and kept over its last steps; its gradient
    // is exact, so the fit must be where the gradient of the objective vanishes.
    java.util.SplittableRandom random = new java.util.SplittableRandom(7);
    int rows = 5_000;
    int f = 12;
    double[] x = new double[rows * f];
    int[] classes = new int[rows];
    for (int r = 0; r < rows; r++) {
      double z = 0;
      for (int j = 0; j < f; j++) {
        double v = random.nextGaussian() * (j + 1) + j;
        x[r * f + j] = v;
        z += (j % 3 - 1) * (v - j) / (j + 1);
      }
      classes[r] = z + random.nextGaussian() > 0 ? 1 : 0;
    }
    Examples data =
        Examples.classification(new int[] {f}, x, classes, java.util.List.of("no", "yes"));
    double[] w;
    try (TrainedModel model =
        trainer.train(new LogisticRegressionSpec(), TrainingParams.defaults(), data).model()) {
      w = model.parameters(); // [f + 1, 1], the bias last
    }
    double[] xs = Standardizer.fit(new int[] {f}, x, rows).apply(x);
    double l2 = 1.0 / rows; // scikit-learn's C = 1, the default
    double[] g = new double[f + 1];
    for (int r = 0; r < rows; r++) {
      double z = w[f];
      for (int j = 0; j < f; j++) {
        z += xs[r * f + j] * w[j];
      }
      double residual = (1 / (1 + Math.exp(-z)) - classes[r]) / rows;
      for (int j = 0; j < f; j++) {
        g[j] += residual * xs[r * f + j];
      }
      g[f] += residual;
    }
    double norm = 0;
    for (int j = 0; j <= f; j++) {
      double gj = g[j] + (j < f ? l2 * w[j] : 0);
      norm += gj * gj;
    }
    assertThat(Math.sqrt(norm)).isLessThan(1e-7);
    assertThat(Math.abs(w[0])).isGreaterThan(0.1); // a fit, not the start
  }

  @Test
  void gradientDescentLearnsTheSameProblem() {
    TrainingParams params =
        TrainingParams.defaults().withEpochs(200).withOptimizer(Optimizer.adam(0.01));
    var iris =
        fit(
            new LogisticRegressionSpec(LogisticRegressionSpec.Solver.GRADIENT_DESCENT),
            params,
            ReferenceData.split("iris", true));
    assertThat(iris.accuracy()).isGreaterThanOrEqualTo(0.9);
  }

  @Test
  void newtonRefusesAnL1PenaltyItCannotOptimize() {
    assertThatThrownBy(
            () ->
                trainer.train(
                    new LogisticRegressionSpec(),
                    TrainingParams.defaults().withRegularization(0.1, 0),
                    ReferenceData.split("iris", true).train()))
        .isInstanceOf(InvalidException.class)
        .hasMessageContaining("training.l1 is not supported by the newton solver");
  }
}

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

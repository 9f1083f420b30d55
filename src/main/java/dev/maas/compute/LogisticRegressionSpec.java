package dev.maas.compute;

/**
 * Logistic regression: class probabilities from an affine function of a feature vector, through a
 * sigmoid for two classes and a softmax for more.
 */
public record LogisticRegressionSpec() implements ModelSpec {

  @Override
  public Family family() {
    return Family.LOGISTIC_REGRESSION;
  }

  @Override
  public void validate(Task task, int[] inputShape, Problems problems) {
    problems.require(
        task == Task.CLASSIFICATION,
        "task",
        "must be classification for logistic_regression (use linear_regression for values)");
    SpecRules.requireVector(inputShape, problems);
  }
}

package dev.maas.compute;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Linear regression: one or more real outputs as an affine function of a feature vector, fitted by
 * exact least squares or by gradient descent on the mean squared error.
 */
public record LinearRegressionSpec(Solver solver) implements ModelSpec {

  /** How the coefficients are found. */
  public enum Solver {
    /** The exact minimiser of the squared error, solved in double precision. */
    LEAST_SQUARES,
    /** Mini-batch gradient descent with the training parameters' optimizer. */
    GRADIENT_DESCENT;

    @JsonValue
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public LinearRegressionSpec {
    if (solver == null) {
      solver = Solver.LEAST_SQUARES;
    }
  }

  @Override
  public Family family() {
    return Family.LINEAR_REGRESSION;
  }

  @Override
  public void validate(Task task, int[] inputShape, Problems problems) {
    problems.require(
        task == Task.REGRESSION,
        "task",
        "must be regression for linear_regression (use logistic_regression for classes)");
    SpecRules.requireVector(inputShape, problems);
  }
}

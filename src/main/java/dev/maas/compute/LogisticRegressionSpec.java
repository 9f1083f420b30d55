package dev.maas.compute;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Logistic regression: class probabilities from an affine function of a feature vector, through a
 * sigmoid for two classes and a softmax for more.
 *
 * @param solver Newton's method (the default: exact to machine precision in a few iterations, like
 *     scikit-learn's solvers) or mini-batch gradient descent with the training parameters
 */
public record LogisticRegressionSpec(Solver solver) implements ModelSpec {

  /** How the coefficients are found. */
  public enum Solver {
    /**
     * Newton's method on the L2-penalized mean cross-entropy, with a backtracking line search, in
     * double precision. The penalty is {@code training.l2}, or 1 / rows when that is 0 (the
     * objective of scikit-learn's default C = 1), since separable classes have no unpenalized
     * optimum.
     */
    NEWTON,
    /** Mini-batch gradient descent with the training parameters' optimizer. */
    GRADIENT_DESCENT;

    @JsonValue
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public LogisticRegressionSpec {
    if (solver == null) {
      solver = Solver.NEWTON;
    }
  }

  /** Logistic regression with the Newton solver. */
  public LogisticRegressionSpec() {
    this(Solver.NEWTON);
  }

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

package dev.maas.compute;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Computes {@link Metrics} from actual values and a model's outputs, with the definitions that
 * scikit-learn uses by default. Pure Java; arrays are read, never modified.
 */
public final class Evaluation {

  /** Probabilities are clipped to {@code [EPSILON, 1 - EPSILON]} before taking the log. */
  private static final double EPSILON = 1e-15;

  private Evaluation() {}

  /**
   * Scores a regression.
   *
   * <ul>
   *   <li>{@code r2}: for each output, {@code 1 - SSres / SStot}, then the plain average over the
   *       outputs (scikit-learn's {@code r2_score} with {@code multioutput="uniform_average"}). An
   *       output whose actual values are all equal has {@code SStot = 0}: it scores 1 if it is
   *       predicted exactly, else 0.
   *   <li>{@code rmse}: square root of the mean squared error over all {@code rows * outputs}
   *       values.
   *   <li>{@code mae}: mean absolute error over all values.
   * </ul>
   *
   * @param actual actual values, row-major {@code [rows x outputs]}
   * @param predicted predicted values, same shape
   * @param outputs the number of outputs (columns), at least 1
   * @throws IllegalArgumentException if the shapes do not agree, there are no rows, or a value is
   *     not finite
   */
  public static RegressionMetrics regression(double[] actual, double[] predicted, int outputs) {
    Objects.requireNonNull(actual, "actual");
    Objects.requireNonNull(predicted, "predicted");
    if (outputs < 1) {
      throw new IllegalArgumentException("outputs must be at least 1, got " + outputs);
    }
    if (actual.length != predicted.length) {
      throw new IllegalArgumentException(
          "actual has " + actual.length + " values but predicted has " + predicted.length);
    }
    if (actual.length == 0) {
      throw new IllegalArgumentException("cannot evaluate on zero rows");
    }
    if (actual.length % outputs != 0) {
      throw new IllegalArgumentException(
          actual.length + " values do not divide into rows of " + outputs + " outputs");
    }
    requireFinite(actual, "actual");
    requireFinite(predicted, "predicted");
    int rows = actual.length / outputs;

    double squaredErrors = 0;
    double absoluteErrors = 0;
    for (int i = 0; i < actual.length; i++) {
      double error = actual[i] - predicted[i];
      squaredErrors += error * error;
      absoluteErrors += Math.abs(error);
    }

    double r2Sum = 0;
    for (int j = 0; j < outputs; j++) {
      double mean = 0;
      boolean constant = true;
      for (int r = 0; r < rows; r++) {
        double y = actual[r * outputs + j];
        mean += y;
        constant &= y == actual[j];
      }
      mean /= rows;
      double ssRes = 0;
      double ssTot = 0;
      for (int r = 0; r < rows; r++) {
        int i = r * outputs + j;
        double residual = actual[i] - predicted[i];
        double deviation = actual[i] - mean;
        ssRes += residual * residual;
        ssTot += deviation * deviation;
      }
      // Test constancy directly: the rounded mean of equal values can differ from them, which
      // would leave a tiny SStot and a huge negative score instead of scikit-learn's 0 or 1.
      if (constant) {
        r2Sum += ssRes == 0 ? 1.0 : 0.0;
      } else {
        r2Sum += 1 - ssRes / ssTot;
      }
    }

    int n = actual.length;
    return new RegressionMetrics(r2Sum / outputs, Math.sqrt(squaredErrors / n), absoluteErrors / n);
  }

  /**
   * Scores a classification from class probabilities. The predicted class of a row is the one with
   * the highest probability, the lowest index on ties.
   *
   * <ul>
   *   <li>{@code accuracy}: share of rows predicted correctly.
   *   <li>{@code precision}, {@code recall}, {@code f1}: per-class scores averaged over all k
   *       classes, present in the data or not; a score whose denominator is 0 counts as 0
   *       (scikit-learn's {@code average="macro", zero_division=0}).
   *   <li>{@code logLoss}: mean of {@code -ln(p)} where {@code p} is the probability given to the
   *       actual class, clipped to {@code [1e-15, 1 - 1e-15]}. Rows need not sum to 1.
   *   <li>{@code rocAuc}: only for k = 2, the Mann-Whitney statistic of the probability of class 1
   *       (tied scores get their average rank), NaN if only one class occurs in {@code actual};
   *       {@code null} for any other k.
   * </ul>
   *
   * @param actual the actual class index of each row, in {@code [0, k)}
   * @param probabilities class probabilities, row-major {@code [rows x k]}
   * @param labels the class names; k is their number
   * @throws IllegalArgumentException if there are no labels or no rows, the shapes do not agree, a
   *     class index is out of range, or a probability is not finite
   */
  public static ClassificationMetrics classification(
      int[] actual, double[] probabilities, List<String> labels) {
    Objects.requireNonNull(actual, "actual");
    Objects.requireNonNull(probabilities, "probabilities");
    Objects.requireNonNull(labels, "labels");
    int k = labels.size();
    if (k == 0) {
      throw new IllegalArgumentException("labels must not be empty");
    }
    int rows = actual.length;
    if (rows == 0) {
      throw new IllegalArgumentException("cannot evaluate on zero rows");
    }
    if (probabilities.length != (long) rows * k) {
      throw new IllegalArgumentException(
          "expected "
              + rows
              + " rows x "
              + k
              + " classes = "
              + (long) rows * k
              + " probabilities, got "
              + probabilities.length);
    }
    for (int r = 0; r < rows; r++) {
      if (actual[r] < 0 || actual[r] >= k) {
        throw new IllegalArgumentException(
            "actual class index " + actual[r] + " at row " + r + " is not in [0, " + k + ")");
      }
    }
    requireFinite(probabilities, "probabilities");

    int[][] confusion = new int[k][k];
    double logLossSum = 0;
    int correct = 0;
    for (int r = 0; r < rows; r++) {
      int offset = r * k;
      int predicted = 0;
      for (int c = 1; c < k; c++) {
        if (probabilities[offset + c] > probabilities[offset + predicted]) {
          predicted = c;
        }
      }
      confusion[actual[r]][predicted]++;
      if (predicted == actual[r]) {
        correct++;
      }
      double p = Math.min(Math.max(probabilities[offset + actual[r]], EPSILON), 1 - EPSILON);
      logLossSum -= Math.log(p);
    }

    double precisionSum = 0;
    double recallSum = 0;
    double f1Sum = 0;
    for (int c = 0; c < k; c++) {
      long truePositives = confusion[c][c];
      long predictedCount = 0;
      long actualCount = 0;
      for (int other = 0; other < k; other++) {
        predictedCount += confusion[other][c];
        actualCount += confusion[c][other];
      }
      precisionSum += ratioOrZero(truePositives, predictedCount);
      recallSum += ratioOrZero(truePositives, actualCount);
      // 2PR / (P + R) written as 2TP / (2TP + FP + FN), which is 0 exactly when it should be.
      f1Sum += ratioOrZero(2 * truePositives, predictedCount + actualCount);
    }

    Double rocAuc = k == 2 ? rocAuc(actual, probabilities) : null;
    return new ClassificationMetrics(
        (double) correct / rows,
        precisionSum / k,
        recallSum / k,
        f1Sum / k,
        logLossSum / rows,
        rocAuc,
        confusion,
        labels);
  }

  /** Binary ROC AUC of the class-1 column of a {@code [rows x 2]} matrix, by rank sums. */
  private static double rocAuc(int[] actual, double[] probabilities) {
    int rows = actual.length;
    double[] sorted = new double[rows];
    long positives = 0;
    for (int r = 0; r < rows; r++) {
      sorted[r] = probabilities[2 * r + 1];
      positives += actual[r];
    }
    long negatives = rows - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    Arrays.sort(sorted);
    double positiveRankSum = 0;
    for (int r = 0; r < rows; r++) {
      if (actual[r] == 1) {
        double score = probabilities[2 * r + 1];
        // Tied scores occupy 1-based ranks below+1 .. notAbove; each gets their average.
        int below = firstIndex(sorted, score, false);
        int notAbove = firstIndex(sorted, score, true);
        positiveRankSum += (below + 1 + notAbove) / 2.0;
      }
    }
    double u = positiveRankSum - positives * (positives + 1) / 2.0;
    return u / ((double) positives * negatives);
  }

  /**
   * The first index of ascending {@code sorted} whose value is {@code >= value}, or {@code > value}
   * when {@code strictlyAbove}; {@code sorted.length} if none.
   */
  private static int firstIndex(double[] sorted, double value, boolean strictlyAbove) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      boolean before = strictlyAbove ? sorted[mid] <= value : sorted[mid] < value;
      if (before) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static double ratioOrZero(long numerator, long denominator) {
    return denominator == 0 ? 0.0 : (double) numerator / denominator;
  }

  private static void requireFinite(double[] values, String name) {
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException(
            name + "[" + i + "] is " + values[i] + "; values must be finite");
      }
    }
  }
}

package dev.maas.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class EvaluationTest {

  private static final Offset<Double> EXACT = within(1e-12);

  @Nested
  class Regression {

    @Test
    void scoresASingleOutputAsScikitLearnDoes() {
      // scikit-learn's r2_score docs example.
      // errors 0.5, -0.5, 0, -1: SSres = 0.25 + 0.25 + 0 + 1 = 1.5, |errors| sum to 2.
      // mean actual = 11.5 / 4 = 2.875; deviations 0.125, -3.375, -0.875, 4.125:
      // SStot = 0.015625 + 11.390625 + 0.765625 + 17.015625 = 29.1875.
      // r2 = 1 - 1.5 / 29.1875 = 443 / 467; rmse = sqrt(1.5 / 4); mae = 2 / 4.
      RegressionMetrics metrics =
          Evaluation.regression(new double[] {3, -0.5, 2, 7}, new double[] {2.5, 0, 2, 8}, 1);

      assertThat(metrics.r2()).isCloseTo(443.0 / 467.0, EXACT);
      assertThat(metrics.rmse()).isCloseTo(Math.sqrt(0.375), EXACT);
      assertThat(metrics.mae()).isCloseTo(0.5, EXACT);
    }

    @Test
    void averagesR2UniformlyOverOutputsReadingRowMajorArrays() {
      // Rows (actual | predicted): (1, 0 | 1, 0), (2, 0 | 2, 0), (3, 6 | 4, 6).
      // Output 0: actual 1, 2, 3 (mean 2, SStot 2), predicted 1, 2, 4 (SSres 1): r2 = 0.5.
      // Output 1: actual 0, 0, 6 (mean 2, SStot 24), predicted exactly: r2 = 1.
      // Uniform average 0.75 (variance-weighted would be 1 - 1/26; reading the arrays
      // column-major would give (1 + 17/18) / 2).
      // One error of 1 among 6 values: rmse = sqrt(1/6), mae = 1/6.
      RegressionMetrics metrics =
          Evaluation.regression(
              new double[] {1, 0, 2, 0, 3, 6}, new double[] {1, 0, 2, 0, 4, 6}, 2);

      assertThat(metrics.r2()).isCloseTo(0.75, EXACT);
      assertThat(metrics.rmse()).isCloseTo(Math.sqrt(1.0 / 6), EXACT);
      assertThat(metrics.mae()).isCloseTo(1.0 / 6, EXACT);
    }

    @Test
    void rmseIsTakenOverAllValuesNotAveragedPerOutput() {
      // Two rows of two outputs; only the first value is off, by 2.
      // Over all 4 values: rmse = sqrt(4 / 4) = 1. Averaging per-output rmse instead would give
      // (sqrt(4 / 2) + 0) / 2 = 0.707...
      RegressionMetrics metrics =
          Evaluation.regression(new double[] {0, 0, 1, 1}, new double[] {2, 0, 1, 1}, 2);

      assertThat(metrics.rmse()).isCloseTo(1.0, EXACT);
      assertThat(metrics.mae()).isCloseTo(2.0 / 4, EXACT);
    }

    @Test
    void scoresAPerfectFitAsOneWithNoError() {
      RegressionMetrics metrics =
          Evaluation.regression(new double[] {1, 2, 3, 4}, new double[] {1, 2, 3, 4}, 1);

      assertThat(metrics).isEqualTo(new RegressionMetrics(1.0, 0.0, 0.0));
    }

    @Test
    void scoresAConstantOutputOneWhenExactAndZeroOtherwise() {
      // 0.1 + 0.1 + 0.1 = 0.30000000000000004, so the mean of three 0.1s is not 0.1 and a naive
      // SStot is a tiny positive number that would make r2 hugely negative.
      double[] constant = {0.1, 0.1, 0.1};

      assertThat(Evaluation.regression(constant, new double[] {0.1, 0.1, 0.1}, 1).r2())
          .isEqualTo(1.0);
      assertThat(Evaluation.regression(constant, new double[] {0.1, 0.1, 0.2}, 1).r2())
          .isEqualTo(0.0);
    }

    @Test
    void letsAPoorFitScoreBelowZero() {
      // actual 1, 2, 3 (mean 2, SStot 2); predicted 3, 2, 1: SSres = 4 + 0 + 4 = 8; r2 = 1 - 4.
      RegressionMetrics metrics =
          Evaluation.regression(new double[] {1, 2, 3}, new double[] {3, 2, 1}, 1);

      assertThat(metrics.r2()).isCloseTo(-3.0, EXACT);
    }

    @Test
    void exposesItsMetricsAsAnOrderedMap() {
      assertThat(new RegressionMetrics(0.5, 2.0, 1.5).asMap())
          .containsExactly(entry("r2", 0.5), entry("rmse", 2.0), entry("mae", 1.5));
    }

    @Test
    void rejectsInconsistentOrEmptyInput() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> Evaluation.regression(new double[] {1, 2}, new double[] {1}, 1))
          .withMessageContaining("actual has 2 values but predicted has 1");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> Evaluation.regression(new double[0], new double[0], 1))
          .withMessageContaining("zero rows");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> Evaluation.regression(new double[3], new double[3], 2))
          .withMessageContaining("3 values do not divide into rows of 2 outputs");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> Evaluation.regression(new double[2], new double[2], 0))
          .withMessageContaining("outputs must be at least 1");
      assertThatIllegalArgumentException()
          .isThrownBy(
              () -> Evaluation.regression(new double[] {1, 2}, new double[] {1, Double.NaN}, 1))
          .withMessageContaining("predicted[1] is NaN");
    }
  }

  @Nested
  class Classification {

    private static final List<String> ABC = List.of("a", "b", "c");
    private static final List<String> NO_YES = List.of("no", "yes");

    @Test
    void scoresAThreeClassExampleWithMacroAverages() {
      // row  actual  probabilities     predicted
      //  0     0     0.7  0.2  0.1        0
      //  1     0     0.3  0.6  0.1        1
      //  2     1     0.2  0.5  0.3        1
      //  3     2     0.1  0.3  0.6        2
      //  4     2     0.4  0.4  0.2        0   (tie: the first class wins)
      // Confusion [actual][predicted]: [1 1 0] [0 1 0] [1 0 1]; accuracy 3/5.
      // Precision per class (column): 1/2, 1/2, 1/1 -> macro 2/3.
      // Recall per class (row): 1/2, 1/1, 1/2 -> macro 2/3.
      // F1 = 2TP / (2TP + FP + FN): 2/4, 2/3, 2/3 -> macro 11/18, not the 2/3 that the harmonic
      // mean of macro precision and recall would give.
      // Log loss = -(ln 0.7 + ln 0.3 + ln 0.5 + ln 0.6 + ln 0.2) / 5 = -ln(0.0126) / 5.
      ClassificationMetrics metrics =
          Evaluation.classification(
              new int[] {0, 0, 1, 2, 2},
              new double[] {
                0.7, 0.2, 0.1, //
                0.3, 0.6, 0.1,
                0.2, 0.5, 0.3,
                0.1, 0.3, 0.6,
                0.4, 0.4, 0.2
              },
              ABC);

      assertThat(metrics.confusionMatrix())
          .isDeepEqualTo(new int[][] {{1, 1, 0}, {0, 1, 0}, {1, 0, 1}});
      assertThat(metrics.accuracy()).isCloseTo(0.6, EXACT);
      assertThat(metrics.precision()).isCloseTo(2.0 / 3, EXACT);
      assertThat(metrics.recall()).isCloseTo(2.0 / 3, EXACT);
      assertThat(metrics.f1()).isCloseTo(11.0 / 18, EXACT);
      assertThat(metrics.logLoss()).isCloseTo(-Math.log(0.0126) / 5, EXACT);
      assertThat(metrics.rocAuc()).isNull();
      assertThat(metrics.labels()).containsExactly("a", "b", "c");
    }

    @Test
    void countsAClassNeverPredictedNorPresentAsZeroInEveryMacroAverage() {
      // actual 0, 0, 1, 1; predicted 0, 0, 1, 0; class "c" appears nowhere.
      // Confusion: [2 0 0] [1 1 0] [0 0 0].
      // Precision: 2/3, 1/1, 0 (0/0) -> 5/9.  Recall: 2/2, 1/2, 0 (0/0) -> 1/2.
      // F1: 4/5, 2/3, 0 -> (4/5 + 2/3) / 3 = 22/45.
      ClassificationMetrics metrics =
          Evaluation.classification(
              new int[] {0, 0, 1, 1},
              new double[] {
                0.8, 0.1, 0.1, //
                0.6, 0.3, 0.1,
                0.2, 0.7, 0.1,
                0.5, 0.4, 0.1
              },
              ABC);

      assertThat(metrics.accuracy()).isCloseTo(0.75, EXACT);
      assertThat(metrics.precision()).isCloseTo(5.0 / 9, EXACT);
      assertThat(metrics.recall()).isCloseTo(0.5, EXACT);
      assertThat(metrics.f1()).isCloseTo(22.0 / 45, EXACT);
    }

    @Test
    void countsZeroPrecisionForAClassThatIsNeverPredicted() {
      // Everything is predicted "no": precision 2/4 for "no", 0/0 -> 0 for "yes": macro 1/4.
      // Recall 2/2 and 0/2: macro 1/2.  F1: 2*2/(4 + 2) = 2/3 and 0: macro 1/3.
      ClassificationMetrics metrics =
          Evaluation.classification(
              new int[] {0, 0, 1, 1},
              new double[] {0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.6, 0.4},
              NO_YES);

      assertThat(metrics.precision()).isCloseTo(0.25, EXACT);
      assertThat(metrics.recall()).isCloseTo(0.5, EXACT);
      assertThat(metrics.f1()).isCloseTo(1.0 / 3, EXACT);
    }

    @Test
    void scoresAPerfectBinaryClassifierAsOneEverywhere() {
      ClassificationMetrics metrics =
          Evaluation.classification(
              new int[] {0, 1, 1, 0}, new double[] {1, 0, 0, 1, 0.1, 0.9, 0.8, 0.2}, NO_YES);

      assertThat(metrics.accuracy()).isEqualTo(1.0);
      assertThat(metrics.precision()).isEqualTo(1.0);
      assertThat(metrics.recall()).isEqualTo(1.0);
      assertThat(metrics.f1()).isEqualTo(1.0);
      assertThat(metrics.rocAuc()).isEqualTo(1.0);
      assertThat(metrics.confusionMatrix()).isDeepEqualTo(new int[][] {{2, 0}, {0, 2}});
      // -(ln(1 - 1e-15) * 2 + ln 0.9 + ln 0.8) / 4
      assertThat(metrics.logLoss())
          .isCloseTo(-(2 * Math.log(1 - 1e-15) + Math.log(0.9) + Math.log(0.8)) / 4, EXACT);
    }

    @Test
    void clipsProbabilitiesSoAConfidentMistakeHasAFiniteLoss() {
      // p(actual) = 0 is clipped to 1e-15: loss = -ln(1e-15) = 15 ln 10 = 34.538776...
      ClassificationMetrics metrics =
          Evaluation.classification(new int[] {0}, new double[] {0, 1}, NO_YES);

      assertThat(metrics.logLoss()).isCloseTo(15 * Math.log(10), within(1e-9));
    }

    @Test
    void computesRocAucFromAverageRanksWhenScoresTie() {
      // Scores (probability of "yes"):  actual 0: 0.1, 0.4, 0.4   actual 1: 0.35, 0.8, 0.4.
      // Sorted: 0.1 (rank 1), 0.35 (2), 0.4 0.4 0.4 (ranks 3, 4, 5 -> 4 each), 0.8 (6).
      // Positive rank sum = 2 + 6 + 4 = 12; U = 12 - 3*4/2 = 6; AUC = 6 / (3*3) = 2/3.
      // Pair check: 0.35 beats 1 of 3, 0.8 beats 3, 0.4 beats 1 and ties 2 (1 + 2/2): 6 of 9.
      ClassificationMetrics metrics =
          Evaluation.classification(
              new int[] {0, 0, 1, 1, 0, 1},
              new double[] {
                0.9, 0.1, //
                0.6, 0.4,
                0.65, 0.35,
                0.2, 0.8,
                0.6, 0.4,
                0.6, 0.4
              },
              NO_YES);

      assertThat(metrics.rocAuc()).isCloseTo(2.0 / 3, EXACT);
    }

    @Test
    void givesRocAucOneHalfWhenEveryScoreTies() {
      ClassificationMetrics metrics =
          Evaluation.classification(
              new int[] {0, 1, 0, 1},
              new double[] {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5},
              NO_YES);

      assertThat(metrics.rocAuc()).isEqualTo(0.5);
    }

    @Test
    void ranksByProbabilityRatherThanByPredictedClass() {
      // Both rows are predicted "no" (accuracy 1/2) but "yes" scores higher on the positive row.
      ClassificationMetrics metrics =
          Evaluation.classification(new int[] {0, 1}, new double[] {0.7, 0.3, 0.55, 0.45}, NO_YES);

      assertThat(metrics.accuracy()).isEqualTo(0.5);
      assertThat(metrics.rocAuc()).isEqualTo(1.0);
    }

    @Test
    void givesRocAucNaNWhenOnlyOneClassIsPresent() {
      ClassificationMetrics metrics =
          Evaluation.classification(new int[] {1, 1}, new double[] {0.2, 0.8, 0.6, 0.4}, NO_YES);

      assertThat(metrics.rocAuc()).isNaN();
      assertThat(metrics.asMap()).containsKey("rocAuc");
    }

    @Test
    void rejectsInconsistentOrOutOfRangeInput() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> Evaluation.classification(new int[] {0, 1}, new double[3], NO_YES))
          .withMessageContaining("expected 2 rows x 2 classes = 4 probabilities, got 3");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> Evaluation.classification(new int[0], new double[0], NO_YES))
          .withMessageContaining("zero rows");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> Evaluation.classification(new int[] {0, 2}, new double[4], NO_YES))
          .withMessageContaining("actual class index 2 at row 1 is not in [0, 2)");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> Evaluation.classification(new int[] {-1}, new double[2], NO_YES))
          .withMessageContaining("actual class index -1 at row 0");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> Evaluation.classification(new int[] {0}, new double[0], List.of()))
          .withMessageContaining("labels must not be empty");
      assertThatIllegalArgumentException()
          .isThrownBy(
              () -> Evaluation.classification(new int[] {0}, new double[] {Double.NaN, 1}, NO_YES))
          .withMessageContaining("probabilities[0] is NaN");
    }
  }

  @Nested
  class ClassificationMetricsRecord {

    private final int[][] matrix = {{3, 1}, {0, 2}};
    private final ClassificationMetrics metrics =
        new ClassificationMetrics(0.8, 0.9, 0.85, 0.87, 0.4, 0.75, matrix, List.of("no", "yes"));

    @Test
    void isUnaffectedByChangesToTheArrayItWasBuiltFrom() {
      matrix[0][0] = 99;

      assertThat(metrics.confusionMatrix()).isDeepEqualTo(new int[][] {{3, 1}, {0, 2}});
    }

    @Test
    void isUnaffectedByChangesToTheArrayItReturns() {
      metrics.confusionMatrix()[1][1] = 99;

      assertThat(metrics.confusionMatrix()[1][1]).isEqualTo(2);
    }

    @Test
    void isEqualToAnotherWithTheSameMatrixContents() {
      ClassificationMetrics same =
          new ClassificationMetrics(
              0.8, 0.9, 0.85, 0.87, 0.4, 0.75, new int[][] {{3, 1}, {0, 2}}, List.of("no", "yes"));
      ClassificationMetrics otherMatrix =
          new ClassificationMetrics(
              0.8, 0.9, 0.85, 0.87, 0.4, 0.75, new int[][] {{3, 1}, {1, 1}}, List.of("no", "yes"));

      assertThat(metrics).isEqualTo(same).hasSameHashCodeAs(same).isNotEqualTo(otherMatrix);
    }

    @Test
    void printsTheMatrixContents() {
      assertThat(metrics.toString()).contains("confusionMatrix=[[3, 1], [0, 2]]");
    }

    @Test
    void exposesItsMetricsAsAnOrderedMapWithTheMatrixAsLists() {
      assertThat(metrics.asMap().keySet())
          .containsExactly(
              "accuracy",
              "precision",
              "recall",
              "f1",
              "logLoss",
              "rocAuc",
              "confusionMatrix",
              "labels");
      assertThat(metrics.asMap().get("confusionMatrix"))
          .isEqualTo(List.of(List.of(3, 1), List.of(0, 2)));
      assertThat(metrics.asMap().get("labels")).isEqualTo(List.of("no", "yes"));
    }

    @Test
    void leavesRocAucOutOfTheMapWhenThereIsNone() {
      ClassificationMetrics multiclass =
          new ClassificationMetrics(
              1,
              1,
              1,
              1,
              0,
              null,
              new int[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}},
              List.of("a", "b", "c"));

      assertThat(multiclass.asMap()).doesNotContainKey("rocAuc").containsKey("logLoss");
    }

    @Test
    void rejectsAMatrixThatDoesNotMatchTheLabels() {
      assertThatIllegalArgumentException()
          .isThrownBy(
              () ->
                  new ClassificationMetrics(
                      1, 1, 1, 1, 0, null, new int[][] {{1, 0}, {0, 1}}, List.of("a", "b", "c")))
          .withMessageContaining("2 rows but there are 3 labels");
    }
  }
}

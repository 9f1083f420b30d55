package dev.maas.comparison;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LeaderboardTest {
  private static Leaderboard.Entry e(int i, double quality, double serving, double training) {
    return new Leaderboard.Entry(i, "#" + i, quality, serving, training);
  }

  @Test
  void theCheapestToServeWithinTheToleranceOfTheBestIsRecommendedAndTheReasonSaysWhy() {
    List<Leaderboard.Entry> board =
        List.of(e(0, 0.950, 0.02, 0.001), e(1, 0.970, 0.40, 0.010), e(2, 0.962, 0.10, 0.004));

    Leaderboard.Recommendation r = Leaderboard.recommend(board, 0.01, "accuracy");

    assertThat(r.index()).isEqualTo(2); // 0.962 is within 0.01 of 0.970; 0.950 is not
    assertThat(r.reason())
        .contains("#2 is the cheapest to serve")
        .contains("2 candidate(s) within 0.0100 accuracy of the best (#1, 0.9700)");
  }

  @Test
  void aWiderToleranceAdmitsTheCheapestModel() {
    List<Leaderboard.Entry> board =
        List.of(e(0, 0.950, 0.02, 0.001), e(1, 0.970, 0.40, 0.010), e(2, 0.962, 0.10, 0.004));

    assertThat(Leaderboard.recommend(board, 0.05, "accuracy").index()).isZero();
    assertThat(Leaderboard.recommend(board, 0, "accuracy").index()).isEqualTo(1);
  }

  @Test
  void whenTheBestIsAlsoTheCheapestItIsRecommendedAsSuch() {
    List<Leaderboard.Entry> board = List.of(e(0, 0.9, 0.5, 1), e(1, 0.8, 0.6, 0.1));

    Leaderboard.Recommendation r = Leaderboard.recommend(board, 0.01, "r2");

    assertThat(r.index()).isZero();
    assertThat(r.reason()).contains("has the best r2 (0.9000)");
  }

  @Test
  void equalServingCostsAreSettledByTrainingCostThenQuality() {
    List<Leaderboard.Entry> board =
        List.of(e(0, 0.90, 0.1, 0.5), e(1, 0.905, 0.1, 0.2), e(2, 0.91, 0.1, 0.2));

    assertThat(Leaderboard.recommend(board, 0.02, "accuracy").index()).isEqualTo(2);
  }

  @Test
  void noFinishedCandidateMeansNoRecommendation() {
    assertThat(Leaderboard.recommend(List.of(), 0.01, "accuracy")).isNull();
  }

  @Test
  void theParetoFrontHoldsWhatNoOtherCandidateBeatsOnBothQualityAndServingCost() {
    List<Leaderboard.Entry> board =
        List.of(
            e(0, 0.95, 0.02, 0), // cheapest: on the front
            e(1, 0.97, 0.40, 0), // best: on the front
            e(2, 0.96, 0.10, 0), // between: on the front
            e(3, 0.94, 0.30, 0), // beaten by 2 on both
            e(4, 0.96, 0.20, 0)); // as good as 2 but dearer

    assertThat(Leaderboard.paretoFront(board)).containsExactly(true, true, true, false, false);
  }
}

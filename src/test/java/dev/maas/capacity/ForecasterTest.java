package dev.maas.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.maas.compute.Family;
import dev.maas.errors.InvalidException;
import dev.maas.training.TrainingRun;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForecasterTest {
  private static final Prices PRICES = Prices.of(new CostProperties(null, 0.04, 0.005, 0.1));
  // The law the synthetic history follows: 1.5 s to start, 2 ns per FLOP.
  private static final double START = 1.5;
  private static final double SECONDS_PER_FLOP = 2e-9;

  /** Jobs of growing size whose wall time follows the law, with +-4% deterministic noise. */
  private static List<TrainingRun> history(String family, int jobs) {
    List<TrainingRun> runs = new ArrayList<>();
    long flopsPerRow = 12_000;
    for (int i = 0; i < jobs; i++) {
      long rows = 1_000L * (i + 1);
      int epochs = 10 + 5 * (i % 3);
      double wall = START + SECONDS_PER_FLOP * flopsPerRow * rows * epochs;
      wall *= 1 + 0.04 * (i % 2 == 0 ? 1 : -1);
      runs.add(
          new TrainingRun(
              "job-" + i,
              "m",
              i + 1,
              family,
              "succeeded",
              wall,
              0.9 * wall,
              64L << 20,
              rows,
              epochs,
              flopsPerRow));
    }
    return runs;
  }

  @Test
  void aHistoryFollowingALinearLawIsRecoveredWithinTenPercentForATenTimesLargerRun() {
    Forecaster forecaster = new Forecaster(() -> history("mlp", 8), FlopRate.fixed(1e9), PRICES);

    Forecast f = forecaster.forecast(Family.MLP, 80_000, 20, null);

    double truth = START + SECONDS_PER_FLOP * 12_000.0 * 80_000 * 20;
    assertThat(f.method()).isEqualTo("history_fit");
    assertThat(f.wallSeconds().value()).isCloseTo(truth, within(0.10 * truth));
    assertThat(f.fit().secondsPerFlop())
        .isCloseTo(SECONDS_PER_FLOP, within(0.1 * SECONDS_PER_FLOP));
    assertThat(f.fit().jobs()).isEqualTo(8);
    assertThat(f.fit().relativeRmse()).isBetween(0.0, 0.1);
    assertThat(f.wallSecondsLow().value()).isLessThan(f.wallSeconds().value());
    assertThat(f.wallSecondsHigh().value()).isGreaterThan(f.wallSeconds().value());
    assertThat(f.cpuSeconds().value()).isCloseTo(0.9 * f.wallSeconds().value(), within(1e-6));
    assertThat(f.wallSeconds().source()).isEqualTo("estimated");
    double cost =
        f.cpuSeconds().value() / 3600 * 0.04 + 64.0 / 1024 * f.wallSeconds().value() / 3600 * 0.005;
    assertThat(f.cost().value()).isCloseTo(cost, within(1e-12));
  }

  @Test
  void aGivenSpecsFlopsPerRowReplaceThoseOfTheLatestJob() {
    Forecaster forecaster = new Forecaster(() -> history("cnn", 5), FlopRate.fixed(1e9), PRICES);

    Forecast f = forecaster.forecast(Family.CNN, 10_000, 10, 24_000L);

    assertThat(f.flops().value()).isEqualTo(24_000.0 * 10_000 * 10);
    double truth = START + SECONDS_PER_FLOP * f.flops().value();
    assertThat(f.wallSeconds().value()).isCloseTo(truth, within(0.10 * truth));
  }

  @Test
  void withoutAnyHistoryTheForecastIsTheFlopCountOverTheBenchmarkAndSaysSo() {
    Forecaster forecaster = new Forecaster(List::of, FlopRate.fixed(4e9), PRICES);

    Forecast f = forecaster.forecast(Family.RNN, 1_000, 10, 50_000L);

    assertThat(f.method()).isEqualTo("flop_benchmark");
    assertThat(f.note()).contains("fallback").contains("fewer than 3").contains("matrix-product");
    assertThat(f.fit()).isNull();
    assertThat(f.benchmarkFlopsPerSecond().value()).isEqualTo(4e9);
    assertThat(f.achievedFlopsPerSecond()).isNull();
    assertThat(f.wallSeconds().value()).isCloseTo(50_000.0 * 1_000 * 10 / 4e9, within(1e-12));
  }

  @Test
  void twoJobsAreNotEnoughForAFitButTheRateTheyAchievedReplacesTheBenchmarks() {
    List<TrainingRun> two = history("mlp", 2);
    Forecaster forecaster = new Forecaster(() -> two, FlopRate.fixed(4e9), PRICES);

    Forecast f = forecaster.forecast(Family.MLP, 1_000, 10, null);

    assertThat(f.method()).isEqualTo("flop_benchmark");
    assertThat(f.flopsPerRow().value()).isEqualTo(12_000);
    double[] rates = two.stream().mapToDouble(r -> r.flops() / r.wallSeconds()).sorted().toArray();
    assertThat(f.achievedFlopsPerSecond().value()).isEqualTo(rates[1]);
    assertThat(f.achievedFlopsPerSecond().source()).isEqualTo("measured");
    assertThat(f.wallSeconds().value()).isCloseTo(12_000.0 * 1_000 * 10 / rates[1], within(1e-9));
    assertThat(f.note()).contains("median FLOP rate").contains("of 2 past mlp jobs");
  }

  @Test
  void otherFamiliesJobsCalibrateTheFallbackOfAFamilyWithoutHistory() {
    Forecaster forecaster = new Forecaster(() -> history("mlp", 2), FlopRate.fixed(4e9), PRICES);

    Forecast f = forecaster.forecast(Family.RNN, 1_000, 10, 50_000L);

    assertThat(f.method()).isEqualTo("flop_benchmark");
    assertThat(f.achievedFlopsPerSecond()).isNotNull();
    assertThat(f.note()).contains("jobs of other families");
  }

  @Test
  void withNeitherHistoryNorASpecThereIsNothingToCountFlopsFrom() {
    Forecaster forecaster = new Forecaster(List::of, FlopRate.fixed(4e9), PRICES);

    assertThatThrownBy(() -> forecaster.forecast(Family.MLP, 1_000, 10, null))
        .isInstanceOf(InvalidException.class)
        .hasMessageContaining("inputShape");
  }
}

package dev.maas.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The per-version meters stay within their cardinality budget, and leave with the version. */
class ServingMetricsBudgetTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ServingMetrics metrics =
      new ServingMetrics(registry, new ServingFigures(), MetricsProperties.defaults());

  private static long series(String scrape, String model) {
    return scrape.lines().filter(l -> l.contains("model=\"" + model + "\"")).count();
  }

  private static void serve(VersionMeters m) {
    m.call(1, 40_000);
    m.predicted(1, 0);
    m.success(Protocol.REST, TimeUnit.MILLISECONDS.toNanos(3));
  }

  @Test
  void aVersionHasAFewSeriesByDefaultAndTheDetailedOnesOnlyWhenAnAliasPointsAtIt() {
    VersionMeters plain = metrics.forVersion("plain", 1, "mlp", false);
    VersionMeters aliased = metrics.forVersion("aliased", 1, "mlp", true);
    serve(plain);
    serve(aliased);
    plain.serverError(Protocol.REST);

    String scrape = registry.scrape();
    // success, client_error, server_error, rows, 2 latency buckets, count, sum and max
    assertThat(series(scrape, "plain")).isEqualTo(9);
    assertThat(scrape)
        .contains(
            "maas_prediction_latency_seconds_bucket{family=\"mlp\",model=\"plain\",version=\"1\",le=\"0.1\"}")
        .doesNotContain("maas_prediction_compute_seconds_sum{family=\"mlp\",model=\"plain\"")
        .contains("maas_prediction_compute_seconds_sum{family=\"mlp\",model=\"aliased\"")
        .contains(
            "maas_predictions_total{family=\"mlp\",model=\"plain\",outcome=\"server_error\",protocol=\"rest\"")
        .doesNotContain("maas_prediction_wait_seconds_count{family=\"mlp\",model=\"plain\"")
        .contains("maas_prediction_wait_seconds_count{family=\"mlp\",model=\"aliased\"")
        .contains("maas_prediction_batch_size_rows_sum{family=\"mlp\",model=\"aliased\"");
    assertThat(series(scrape, "aliased")).isGreaterThan(100);

    // the full figures stay in the server for the capacity report, detailed for every version
    assertThat(plain.full().latency().takeSnapshot().histogramCounts()).hasSizeGreaterThan(20);
    assertThat(plain.full().serverError().count()).isEqualTo(1);
  }

  @Test
  void theScrapedMetersOfAnUnloadedVersionAreRemovedAndItsFiguresKept() {
    VersionMeters m = metrics.forVersion("gone", 2, "mlp", true);
    serve(m);
    m.clientError(Protocol.REST);
    m.close();
    m.serverError(Protocol.REST); // a late one after unloading registers nothing

    assertThat(series(registry.scrape(), "gone")).isZero();
    List<Meter> left =
        new ArrayList<>(
            metrics.figures().registry().find("maas.predictions").tag("model", "gone").meters());
    assertThat(left).hasSize(3);
  }

  @Test
  void latencyBucketsMustBeAFewPositiveAscendingDurations() {
    for (List<Duration> bad :
        List.of(
            List.<Duration>of(),
            List.of(Duration.ofMillis(50), Duration.ofMillis(10)),
            List.of(Duration.ZERO),
            java.util.Collections.nCopies(11, Duration.ofMillis(1)))) {
      assertThatThrownBy(
              () -> new MetricsProperties(MetricsProperties.Detail.ALIASED, List.of(), bad))
          .hasMessageContaining("maas.metrics.latency-buckets");
    }
    MetricsProperties some =
        new MetricsProperties(
            MetricsProperties.Detail.ALIASED, List.of("vip"), List.of(Duration.ofMillis(5)));
    assertThat(some.detailed("vip", false)).isTrue();
    assertThat(some.detailed("other", false)).isFalse();
    assertThat(some.detailed("other", true)).isTrue();
  }

  /**
   * A thousand versions that each served once: the scrape's size and time. Prints the figures
   * ({@code ./mvnw test -Dtest=ServingMetricsBudgetTest}).
   */
  @Test
  void aThousandServedVersionsScrapeUnderAMegabyteInUnderATenthOfASecond() {
    for (int i = 0; i < 1000; i++) {
      serve(metrics.forVersion("model-" + i, 1, "mlp", false));
    }
    for (int i = 0; i < 3; i++) {
      registry.scrape(); // warm up
    }
    long best = Long.MAX_VALUE;
    String scrape = "";
    for (int i = 0; i < 10; i++) {
      long start = System.nanoTime();
      scrape = registry.scrape();
      best = Math.min(best, System.nanoTime() - start);
    }
    int bytes = scrape.getBytes(StandardCharsets.UTF_8).length;
    long lines = scrape.lines().filter(l -> !l.startsWith("#")).count();
    System.out.printf(
        "scrape of 1,000 served versions: %d bytes, %d series, best of 10 in %d ms%n",
        bytes, lines, TimeUnit.NANOSECONDS.toMillis(best));
    assertThat(bytes).isLessThan(1_000_000);
    // the target is 100 ms (35-95 ms on a busy 2-core machine); the check leaves room for a
    // shared CI runner so that it does not fail on noise
    assertThat(Duration.ofNanos(best)).isLessThan(Duration.ofMillis(250));
  }
}

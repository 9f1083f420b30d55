package dev.maas.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * Serving's series whose tags are known ahead exist at zero before their first event: Prometheus'
 * first sample of a series born at its first event already holds that event, and neither {@code
 * rate()} nor {@code increase()} ever counts it.
 */
class ServingMetricsZeroTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ServingMetrics metrics =
      new ServingMetrics(registry, new ServingFigures(), MetricsProperties.defaults());

  @Test
  void evictionsCacheLookUpsAndUnknownModelsErrorsStartAtZero() {
    assertThat(registry.scrape())
        .contains("maas_model_cache_evictions_total{reason=\"budget\"} 0.0")
        .contains("maas_model_cache_evictions_total{reason=\"unreferenced\"} 0.0")
        .contains("maas_model_cache_requests_total{result=\"hit\"} 0.0")
        .contains("maas_model_cache_requests_total{result=\"miss\"} 0.0")
        .contains(
            "maas_prediction_errors_total{kind=\"not_found\",model=\"unknown\",protocol=\"rest\"} 0.0")
        .contains(
            "maas_prediction_errors_total{kind=\"bad_request\",model=\"unknown\",protocol=\"rest\"} 0.0");
  }

  @Test
  void aLoadedVersionHasEveryOutcomeAtZeroAndADetailedOneItsModelsErrorsByKind() {
    metrics.forVersion("plain", 1, "mlp", false);
    metrics.forVersion("prod", 3, "cnn", true);

    String scrape = registry.scrape();
    for (String outcome : ServingMetrics.OUTCOMES) {
      assertThat(scrape)
          .contains(
              "maas_predictions_total{family=\"mlp\",model=\"plain\",outcome=\""
                  + outcome
                  + "\",protocol=\"rest\",version=\"1\"} 0.0")
          .contains(
              "maas_predictions_total{family=\"cnn\",model=\"prod\",outcome=\""
                  + outcome
                  + "\",protocol=\"rest\",version=\"3\"} 0.0");
    }
    for (String kind : ServingMetrics.ERROR_KINDS) {
      assertThat(scrape)
          .contains(
              "maas_prediction_errors_total{kind=\""
                  + kind
                  + "\",model=\"prod\",protocol=\"rest\"} 0.0")
          .doesNotContain("maas_prediction_errors_total{kind=\"" + kind + "\",model=\"plain\"}");
    }
  }

  @Test
  void aVersionsGrpcSeriesStartAtZeroWithItsFirstGrpcRequest() {
    VersionMeters v = metrics.forVersion("both", 1, "mlp", false);
    assertThat(registry.scrape()).doesNotContain("protocol=\"grpc\"");

    v.clientError(Protocol.GRPC);
    String scrape = registry.scrape();
    assertThat(scrape)
        .contains(
            "maas_predictions_total{family=\"mlp\",model=\"both\",outcome=\"client_error\","
                + "protocol=\"grpc\",version=\"1\"} 1.0")
        .contains(
            "maas_predictions_total{family=\"mlp\",model=\"both\",outcome=\"server_error\","
                + "protocol=\"grpc\",version=\"1\"} 0.0");
    v.close();
    assertThat(registry.scrape()).doesNotContain("model=\"both\"");
  }

  @Test
  void aModelsZeroErrorsLeaveWithItsLastDetailedVersionAndOnesThatCountedStay() {
    VersionMeters v1 = metrics.forVersion("m", 1, "mlp", true);
    VersionMeters v2 = metrics.forVersion("m", 2, "mlp", true);
    metrics.error(Protocol.REST, "m", "not_found");

    v1.close();
    assertThat(registry.scrape())
        .as("version 2 is still loaded")
        .contains(
            "maas_prediction_errors_total{kind=\"load_failed\",model=\"m\",protocol=\"rest\"} 0.0");
    v2.close();
    v2.close(); // twice is once
    String scrape = registry.scrape();
    assertThat(scrape)
        .contains(
            "maas_prediction_errors_total{kind=\"not_found\",model=\"m\",protocol=\"rest\"} 1.0")
        .doesNotContain("maas_prediction_errors_total{kind=\"load_failed\",model=\"m\"}")
        .doesNotContain("maas_prediction_errors_total{kind=\"bad_request\",model=\"m\"}");

    metrics.forVersion("m", 2, "mlp", true); // loaded again
    assertThat(registry.scrape())
        .contains(
            "maas_prediction_errors_total{kind=\"not_found\",model=\"m\",protocol=\"rest\"} 1.0")
        .contains(
            "maas_prediction_errors_total{kind=\"load_failed\",model=\"m\",protocol=\"rest\"} 0.0");
  }

  /**
   * The heap path waits for nothing and records 0: the wait histogram has a bucket for that (1 ns),
   * so that a quantile of such waits is not interpolated up to the next bound (about 9.9 µs).
   */
  @Test
  void waitsOfZeroFallInABucketOfTheirOwn() {
    VersionMeters m = metrics.forVersion("heap", 1, "linear_regression", true);
    m.predicted(1, 0);
    m.predicted(1, 0);

    assertThat(registry.scrape())
        .contains(
            "maas_prediction_wait_seconds_bucket{family=\"linear_regression\",model=\"heap\","
                + "version=\"1\",le=\"1.0E-9\"} 2");
  }
}

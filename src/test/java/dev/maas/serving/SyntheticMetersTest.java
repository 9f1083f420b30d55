package dev.maas.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.FilterChain;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * The warm-up's requests run the same metering code as clients' (so that the JIT has compiled it
 * before the first client), into twins of the meters that are never scraped: no figure a client
 * reads moves, and the twins do.
 */
class SyntheticMetersTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ServingFigures figures = new ServingFigures();
  private final ServingMetrics metrics =
      new ServingMetrics(registry, figures, MetricsProperties.defaults());

  @Test
  void aWarmupRequestIsMeteredInTheTwinsOnly() throws Exception {
    VersionMeters meters = metrics.forVersion("m", 1, "mlp", true);
    SyntheticTraffic traffic = new SyntheticTraffic(() -> "k");
    traffic.open();
    try {
      FilterChain chain =
          (request, response) -> {
            meters.success(Protocol.REST, 1_000_000);
            meters.predicted(3, 0);
            meters.call(3, 500_000);
            meters.clientError(Protocol.GRPC);
            metrics.cacheRequest(true);
            metrics.error(Protocol.REST, "m", "bad_request");
          };
      MockHttpServletRequest request = new MockHttpServletRequest("POST", "/");
      request.addHeader("Authorization", "Bearer k");
      traffic.doFilter(request, new MockHttpServletResponse(), chain);
    } finally {
      traffic.close();
    }

    assertThat(sum(registry, ServingMeterNames.PREDICTIONS)).as("scraped predictions").isZero();
    assertThat(sum(registry, ServingMeterNames.ROWS)).as("scraped rows").isZero();
    assertThat(sum(registry, ServingMeterNames.CACHE_REQUESTS)).as("cache requests").isZero();
    assertThat(sum(registry, ServingMeterNames.ERRORS)).as("errors").isZero();
    assertThat(sum(figures.registry(), ServingMeterNames.PREDICTIONS)).as("full figures").isZero();
    assertThat(registry.scrape()).doesNotContain("protocol=\"grpc\"");

    MeterRegistry twin = metrics.synthetic().registry();
    assertThat(twin).isNotSameAs(registry);
    assertThat(sum(twin, ServingMeterNames.PREDICTIONS)).as("the twin's predictions").isEqualTo(2);
    assertThat(sum(twin, ServingMeterNames.ROWS)).as("the twin's rows").isEqualTo(3);
    assertThat(sum(twin, ServingMeterNames.CACHE_REQUESTS)).isEqualTo(1);
    assertThat(sum(twin, ServingMeterNames.ERRORS)).isEqualTo(1);
    assertThat(metrics.synthetic().synthetic()).isSameAs(metrics.synthetic());

    // a client's request afterwards counts where it always did
    meters.success(Protocol.REST, 1_000_000);
    metrics.cacheRequest(false);
    assertThat(sum(registry, ServingMeterNames.PREDICTIONS)).isEqualTo(1);
    assertThat(sum(registry, ServingMeterNames.CACHE_REQUESTS)).isEqualTo(1);
    assertThat(sum(twin, ServingMeterNames.PREDICTIONS)).isEqualTo(2);

    meters.close();
    assertThat(registry.find(ServingMeterNames.PREDICTIONS).tag("model", "m").counters()).isEmpty();
    assertThat(twin.find(ServingMeterNames.PREDICTIONS).tag("model", "m").counters()).isEmpty();
  }

  private static double sum(MeterRegistry registry, String name) {
    return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }
}

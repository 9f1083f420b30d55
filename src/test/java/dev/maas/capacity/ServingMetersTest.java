package dev.maas.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServingMetersTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @Test
  void latencyQuantilesComeFromTheHistogramBuckets() {
    Timer latency =
        Timer.builder(ServingMeters.LATENCY)
            .tags("model", "m", "version", "1", "family", "mlp")
            .publishPercentileHistogram()
            .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(50))
            .register(registry);
    // 1,000 requests, 1 to 100 ms evenly.
    for (int i = 1; i <= 1000; i++) {
      latency.record(Duration.ofMillis(1 + (i - 1) / 10));
    }
    ServingMeters meters = new ServingMeters(registry);

    ServingMeters.Measured m = meters.read(new ServingMeters.Key("m", "1"));

    // Micrometer's default buckets are ~10% apart around 50 and 100 ms.
    assertThat(m.latencyP50()).isCloseTo(0.050, within(0.006));
    assertThat(m.latencyP99()).isCloseTo(0.099, within(0.012));
  }

  @Test
  void computePerRowIsComputeTimeOverBatchedRowsAndCountsAreSummedOverOutcomes() {
    TestServing serving = new TestServing(registry);
    serving.serve("m", 2, "mlp", 900, 2, Duration.ofMillis(4), 20);
    serving.fail("m", 2, "mlp", "client_error", 30);
    serving.fail("m", 2, "mlp", "server_error", 10);

    ServingMeters.Measured m = new ServingMeters(registry).read(new ServingMeters.Key("m", "2"));

    assertThat(m.family()).isEqualTo("mlp");
    assertThat(m.requests()).isEqualTo(940);
    assertThat(m.serverErrors()).isEqualTo(10);
    assertThat(m.clientErrors()).isEqualTo(30);
    assertThat(m.rows()).isEqualTo(1800);
    // 90 batches of 20 rows, 4 ms each.
    assertThat(m.computeSecondsPerRow()).isCloseTo(0.004 / 20, within(1e-12));
    assertThat(new ServingMeters(registry).served())
        .containsExactly(new ServingMeters.Key("m", "2"));
  }
}

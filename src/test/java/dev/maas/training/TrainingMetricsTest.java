package dev.maas.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TrainingMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final TrainingMetrics metrics = new TrainingMetrics(() -> 3, () -> 1, 16, 2);

  private double jobs(String state, String family) {
    return registry
        .get("maas.training.jobs")
        .tags("state", state, "family", family)
        .counter()
        .count();
  }

  @Test
  void everyStateAndFamilyStartsAtZeroAndTheQueueIsGauged() {
    metrics.bindTo(registry);

    assertThat(jobs("failed", "rnn")).isZero();
    assertThat(registry.get("maas.training.queue.depth").gauge().value()).isEqualTo(3);
    assertThat(registry.get("maas.training.queue.capacity").gauge().value()).isEqualTo(16);
    assertThat(registry.get("maas.training.running").gauge().value()).isEqualTo(1);
    assertThat(registry.get("maas.training.workers").gauge().value()).isEqualTo(2);
  }

  @Test
  void aFinishedJobCountsItsStateDurationRowsCpuAndFlops() {
    metrics.bindTo(registry);
    metrics.submitted("mlp");

    metrics.finished(
        "mlp", JobState.SUCCEEDED, new JobView.Usage(2.0, 1.5, 1 << 20, 1_000L, 10, 5_000L));

    assertThat(jobs("submitted", "mlp")).isEqualTo(1);
    assertThat(jobs("succeeded", "mlp")).isEqualTo(1);
    assertThat(
            registry
                .get("maas.training.duration")
                .tags("family", "mlp", "state", "succeeded")
                .timer()
                .totalTime(TimeUnit.SECONDS))
        .isEqualTo(2.0);
    assertThat(registry.get("maas.training.cpu").tag("family", "mlp").counter().count())
        .isEqualTo(1.5);
    assertThat(registry.get("maas.training.rows").tag("family", "mlp").counter().count())
        .isEqualTo(10_000);
    assertThat(registry.get("maas.training.flops").tag("family", "mlp").counter().count())
        .isEqualTo(5e7);
    assertThat(
            registry
                .get("maas.training.rows.per.second")
                .tag("family", "mlp")
                .summary()
                .totalAmount())
        .isEqualTo(5_000);
  }

  @Test
  void aCancelledQueuedJobCountsWithoutUsageAndNothingCountsBeforeBinding() {
    metrics.finished("cnn", JobState.CANCELLED, null);
    metrics.bindTo(registry);
    metrics.finished("cnn", JobState.CANCELLED, null);

    assertThat(jobs("cancelled", "cnn")).isEqualTo(1);
    assertThat(
            registry
                .get("maas.training.duration")
                .tags("family", "cnn", "state", "cancelled")
                .timer()
                .count())
        .isZero();
  }

  /**
   * What a finished job uses exists at zero for every family before its first job: Prometheus'
   * first sample of a series born at the first event already holds it, and a rate never counts it.
   */
  @Test
  void whatFinishedJobsUseExistsAtZeroForEveryFamilyBeforeTheFirstJob() {
    metrics.bindTo(registry);

    for (String family : List.of("linear_regression", "logistic_regression", "mlp", "cnn", "rnn")) {
      for (String counter :
          List.of("maas.training.rows", "maas.training.cpu", "maas.training.flops")) {
        assertThat(registry.get(counter).tag("family", family).counter().count())
            .as("%s of %s", counter, family)
            .isZero();
      }
      assertThat(
              registry.get("maas.training.rows.per.second").tag("family", family).summary().count())
          .isZero();
      for (String state : List.of("succeeded", "failed", "cancelled")) {
        assertThat(
                registry
                    .get("maas.training.duration")
                    .tags("family", family, "state", state)
                    .timer()
                    .count())
            .isZero();
      }
    }
  }
}

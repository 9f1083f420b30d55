package dev.maas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.compute.DenseLayerSpec;
import dev.maas.compute.Examples;
import dev.maas.compute.MlpSpec;
import dev.maas.compute.ModelCodec;
import dev.maas.compute.TrainedModel;
import dev.maas.compute.Trainer;
import dev.maas.compute.TrainingParams;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry's per-model gauges stay within their budget and still add up over models. */
class RegistryMetricsTest {
  private static byte[] small;
  private static byte[] large;

  @TempDir Path root;

  @BeforeAll
  static void trainTwoSizes() {
    small = train(4);
    large = train(64);
  }

  private static byte[] train(int width) {
    double[] x = new double[40];
    String[] y = new String[20];
    for (int i = 0; i < 20; i++) {
      x[2 * i] = i;
      x[2 * i + 1] = 20 - i;
      y[i] = i < 10 ? "low" : "high";
    }
    try (TrainedModel model =
        new Trainer()
            .train(
                new MlpSpec(List.of(new DenseLayerSpec(width))),
                TrainingParams.defaults().withEpochs(1).withBatchSize(8),
                Examples.classification(new int[] {2}, x, y))
            .model()) {
      return ModelCodec.toBytes(model);
    }
  }

  private ModelRegistry registry() {
    return new ModelRegistry(new FileRegistryStore(root, Clock.systemUTC(), Provenance.current()));
  }

  /** The gauge's values by model tag. */
  private static Map<String, Double> rows(SimpleMeterRegistry meters, String name) {
    Map<String, Double> out = new TreeMap<>();
    for (Gauge g : meters.find(name).gauges()) {
      out.put(g.getId().getTag("model"), g.value());
    }
    return out;
  }

  @Test
  void theModelsWithTheMostBytesHaveSeriesOfTheirOwnAndTheRestAddUpInOne() {
    ModelRegistry registry = registry();
    registry.importVersion("big", large);
    registry.importVersion("big", large);
    registry.importVersion("bigger", large);
    registry.importVersion("bigger", large);
    registry.importVersion("bigger", large);
    for (int i = 0; i < 5; i++) {
      registry.importVersion("small-" + i, small);
    }
    registry.importVersion("small-0", small);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (RegistryMetrics metrics = new RegistryMetrics(registry, Duration.ofHours(1), 2)) {
      metrics.bindTo(meters);

      assertThat(rows(meters, "maas.registry.versions"))
          .containsExactlyEntriesOf(
              new TreeMap<>(Map.of("_other", 6.0, "big", 2.0, "bigger", 3.0)));
      assertThat(rows(meters, "maas.registry.artifact"))
          .containsExactlyEntriesOf(
              new TreeMap<>(
                  Map.of(
                      "_other", 6.0 * small.length,
                      "big", 2.0 * large.length,
                      "bigger", 3.0 * large.length)));
      assertThat(meters.get("maas.registry.models").gauge().value()).isEqualTo(7);
    }
  }

  @Test
  void withFewModelsEveryOneHasItsOwnSeriesAndNoneIsOther() {
    ModelRegistry registry = registry();
    registry.importVersion("one", small);
    registry.importVersion("two", small);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (RegistryMetrics metrics = new RegistryMetrics(registry, Duration.ofHours(1), 2)) {
      metrics.bindTo(meters);
      assertThat(rows(meters, "maas.registry.versions")).containsOnlyKeys("one", "two");
    }
  }

  @Test
  void aBurstOfRegistrationsIsReadAfterwardsWithinTheBudget() throws Exception {
    ModelRegistry registry = registry();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (RegistryMetrics metrics = new RegistryMetrics(registry, Duration.ofHours(1), 10)) {
      metrics.bindTo(meters);
      for (int i = 0; i < 200; i++) {
        registry.importVersion("burst-" + i, small);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (meters.get("maas.registry.models").gauge().value() < 200
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(meters.get("maas.registry.models").gauge().value()).isEqualTo(200);
      Map<String, Double> versions = rows(meters, "maas.registry.versions");
      assertThat(versions).hasSize(11).containsEntry("_other", 190.0);
      assertThat(versions.values().stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(200);
    }
  }
}

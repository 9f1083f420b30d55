package dev.maas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maas.compute.DenseLayerSpec;
import dev.maas.compute.Examples;
import dev.maas.compute.MlpSpec;
import dev.maas.compute.ModelCodec;
import dev.maas.compute.TrainedModel;
import dev.maas.compute.Trainer;
import dev.maas.compute.TrainingParams;
import dev.maas.errors.ConflictException;
import dev.maas.errors.NotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RegistryStore} does, whatever holds it: each mode's test opens its own store
 * ({@link EmbeddedRegistryStoreTest}: files; {@link SharedRegistryStoreTest}: PostgreSQL and S3)
 * and runs these same cases. {@link #open()} opens another store over the same data: a restart in
 * embedded mode, another replica in shared mode.
 */
abstract class RegistryStoreContract {
  static byte[] modelFile;

  @BeforeAll
  static void trainATinyModel() {
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
                new MlpSpec(List.of(new DenseLayerSpec(4))),
                TrainingParams.defaults().withEpochs(2).withBatchSize(8),
                Examples.classification(new int[] {2}, x, y))
            .model()) {
      modelFile = ModelCodec.toBytes(model);
    }
  }

  /** A store over this test's data: a fresh one the first time, the same data after. */
  abstract RegistryStore open();

  /** Flips one byte of the stored artifact of a version, behind the store's back. */
  abstract void flipAByteOf(String name, int version) throws Exception;

  static ModelRegistry registry(RegistryStore store) {
    return new ModelRegistry(store);
  }

  @Test
  void eightThreadsRegisteringGetGaplessNumbers() throws Exception {
    ModelRegistry registry = registry(open());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<List<Integer>>> futures = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Callable<List<Integer>> work =
          () -> {
            List<Integer> mine = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
              mine.add(registry.importVersion("churn", modelFile).version());
            }
            return mine;
          };
      futures.add(pool.submit(work));
    }
    List<Integer> numbers = new ArrayList<>();
    for (Future<List<Integer>> f : futures) {
      numbers.addAll(f.get());
    }
    pool.shutdown();
    assertThat(numbers)
        .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 120).boxed().toList());
    assertThat(registry.versions("churn"))
        .extracting(ModelVersion::version)
        .containsExactlyElementsOf(IntStream.rangeClosed(1, 120).boxed().toList());
    ModelRegistry reopened = registry(open());
    try (TrainedModel model = reopened.load("churn", 120)) {
      assertThat(model.labels()).containsExactly("high", "low");
    }
    assertThat(reopened.model("churn").latestVersion()).isEqualTo(120);
  }

  /**
   * A training job registers once: asked again (it ran again after a restart or a takeover that
   * came between its registration and its end), through this store or another over the same data,
   * it gets its earlier version back and nothing is stored; other jobs and imports number on.
   */
  @Test
  void aTrainingJobRegistersOnceWhoeverAsksAgain() {
    ModelRegistry registry = registry(open());
    Lineage job = new Lineage("ds-1", "abc", "holdout", 7L, "job-1");
    ModelVersion first =
        registry.register("churn", modelFile, null, List.of(), job, null, Map.of());
    ModelVersion again =
        registry(open()).register("churn", modelFile, null, List.of(), job, null, Map.of());
    assertThat(again.version()).isEqualTo(first.version()).isEqualTo(1);
    assertThat(again.artifactSha256()).isEqualTo(first.artifactSha256());

    Lineage other = new Lineage("ds-1", "abc", "holdout", 7L, "job-2");
    assertThat(
            registry.register("churn", modelFile, null, List.of(), other, null, Map.of()).version())
        .isEqualTo(2);
    assertThat(
            registry.register("fraud", modelFile, null, List.of(), job, null, Map.of()).version())
        .as("once per model: the same job id under another name is another registration")
        .isEqualTo(1);
    // An import registers every time, whatever job its file's provenance names.
    assertThat(registry.importVersion("churn", modelFile).version()).isEqualTo(3);
    assertThat(registry.importVersion("churn", modelFile).version()).isEqualTo(4);
    assertThat(registry(open()).versions("churn")).hasSize(4);
  }

  @Test
  void anotherStoreOverTheSameDataSeesEveryModelVersionAliasAndTag() {
    ModelRegistry first = registry(open());
    first.importVersion("churn", modelFile);
    first.importVersion("churn", modelFile);
    first.importVersion("fraud", modelFile);
    first.setAlias("churn", "production", 1);
    first.setAlias("churn", "staging", 2);
    first.updateModel("churn", "who leaves", Map.of("team", "growth"));
    first.updateVersion("churn", 2, "candidate", Map.of("reviewed", "no"));

    ModelRegistry second = registry(open());
    assertThat(second.models(null, null, null))
        .extracting(RegisteredModel::name)
        .containsExactly("churn", "fraud");
    RegisteredModel churn = second.model("churn");
    assertThat(churn.aliases()).containsEntry("production", 1).containsEntry("staging", 2);
    assertThat(churn.tags()).containsEntry("team", "growth");
    assertThat(churn.description()).isEqualTo("who leaves");
    assertThat(churn.latestVersion()).isEqualTo(2);
    ModelVersion v2 = second.version("churn", 2);
    assertThat(v2.tags()).containsEntry("reviewed", "no");
    assertThat(v2.description()).isEqualTo("candidate");
    assertThat(v2.family()).isEqualTo("mlp");
    assertThat(v2.artifactSha256()).isEqualTo(FileRegistryStore.sha256(modelFile));
    assertThat(v2.provenance().arch()).isEqualTo(System.getProperty("os.arch"));
    assertThat(second.versionByAlias("churn", "production").version()).isEqualTo(1);
    assertThat(second.artifact("churn", 2)).isEqualTo(modelFile);
  }

  @Test
  void anArtifactWithOneFlippedByteIsReportedCorruptAndRefusedForServing() throws Exception {
    registry(open()).importVersion("churn", modelFile);
    flipAByteOf("churn", 1);

    ModelRegistry reopened = registry(open());
    assertThatThrownBy(() -> reopened.load("churn", 1))
        .isInstanceOf(CorruptArtifactException.class)
        .hasMessageContaining("SHA-256 does not match");
    assertThat(reopened.version("churn", 1).status()).isEqualTo(VersionStatus.CORRUPT);
    assertThatThrownBy(() -> reopened.artifact("churn", 1))
        .isInstanceOf(CorruptArtifactException.class);
    assertThatThrownBy(() -> reopened.updateVersion("churn", 1, "looks fine", Map.of()))
        .as("a corrupt version cannot be relabelled as if it were fine")
        .isInstanceOf(CorruptArtifactException.class);
  }

  @Test
  void findingAModelOrVersionThatIsNotThereIsEmptyNotAnError() {
    ModelRegistry registry = registry(open());
    registry.importVersion("churn", modelFile);
    assertThat(registry.findModel("churn")).isPresent();
    assertThat(registry.findModel("nope")).isEmpty();
    assertThat(registry.findVersion("churn", 1)).isPresent();
    assertThat(registry.findVersion("churn", 2)).isEmpty();
    assertThat(registry.findVersion("nope", 1)).isEmpty();
    assertThatThrownBy(() -> registry.versions("nope")).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> registry.updateModel("nope", "x", null))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> registry.deleteAlias("churn", "nope"))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void aliasesAndTagsComeBackInTheSameOrderEveryTime() {
    ModelRegistry registry = registry(open());
    registry.importVersion("churn", modelFile);
    for (String alias : List.of("zeta", "alpha", "mid", "beta", "omega", "kappa")) {
      registry.setAlias("churn", alias, 1);
    }
    registry.updateModel("churn", null, Map.of("z", "1", "a", "2", "m", "3", "b", "4"));
    List<String> expected = List.of("alpha", "beta", "kappa", "mid", "omega", "zeta");
    assertThat(List.copyOf(registry.model("churn").aliases().keySet())).isEqualTo(expected);
    assertThat(List.copyOf(registry(open()).model("churn").aliases().keySet()))
        .as("from another store too")
        .isEqualTo(expected);
    assertThat(List.copyOf(registry.model("churn").tags().keySet()))
        .containsExactly("a", "b", "m", "z");
  }

  @Test
  void aliasesPointOnlyAtExistingVersionsAndProtectThem() {
    ModelRegistry registry = registry(open());
    registry.importVersion("churn", modelFile);
    registry.importVersion("churn", modelFile);
    assertThatThrownBy(() -> registry.setAlias("churn", "production", 3))
        .isInstanceOf(NotFoundException.class);
    registry.setAlias("churn", "production", 1);
    assertThatThrownBy(() -> registry.deleteVersion("churn", 1))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("alias production");
    registry.setAlias("churn", "production", 2);
    registry.deleteVersion("churn", 1);
    assertThat(registry.versions("churn")).extracting(ModelVersion::version).containsExactly(2);
    assertThat(registry.importVersion("churn", modelFile).version())
        .as("numbers are never reused")
        .isEqualTo(3);
    assertThat(registry(open()).versions("churn"))
        .extracting(ModelVersion::version)
        .containsExactly(2, 3);
    registry.deleteAlias("churn", "production");
    assertThatThrownBy(() -> registry.versionByAlias("churn", "production"))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void deletingAModelForgetsItEverywhereAndItsNumbersStartAgain() {
    ModelRegistry registry = registry(open());
    registry.importVersion("churn", modelFile);
    registry.setAlias("churn", "production", 1);
    registry.deleteModel("churn");
    assertThatThrownBy(() -> registry.model("churn")).isInstanceOf(NotFoundException.class);
    assertThat(registry(open()).models(null, null, null)).isEmpty();
    assertThat(registry.importVersion("churn", modelFile).version()).isEqualTo(1);
    assertThat(registry.artifact("churn", 1)).isEqualTo(modelFile);
  }
}

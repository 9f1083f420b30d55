package dev.maas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maas.compute.DenseLayerSpec;
import dev.maas.compute.Examples;
import dev.maas.compute.MlpSpec;
import dev.maas.compute.ModelCodec;
import dev.maas.compute.ModelProvenance;
import dev.maas.compute.TrainedModel;
import dev.maas.compute.Trainer;
import dev.maas.compute.TrainingParams;
import dev.maas.errors.InvalidException;
import dev.maas.errors.NotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
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
import org.junit.jupiter.api.io.TempDir;

class FileRegistryStoreTest {
  private static byte[] modelFile;

  @TempDir Path root;

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

  private FileRegistryStore open() {
    return new FileRegistryStore(root, Clock.systemUTC(), Provenance.current());
  }

  private static ModelRegistry registry(RegistryStore store) {
    return new ModelRegistry(store);
  }

  @Test
  void eightThreadsRegisteringFiftyVersionsEachGetNumbersOneTo400WithoutGaps() throws Exception {
    ModelRegistry registry = registry(open());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<List<Integer>>> futures = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Callable<List<Integer>> work =
          () -> {
            List<Integer> mine = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
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
        .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 400).boxed().toList());
    assertThat(registry.versions("churn"))
        .extracting(ModelVersion::version)
        .containsExactlyElementsOf(IntStream.rangeClosed(1, 400).boxed().toList());
    ModelRegistry reopened = registry(open());
    for (int v = 1; v <= 400; v++) {
      try (TrainedModel model = reopened.load("churn", v)) {
        assertThat(model.labels()).containsExactly("high", "low");
      }
    }
    assertThat(reopened.model("churn").latestVersion()).isEqualTo(400);
  }

  /**
   * The start-up scan runs in the background (the server makes its other beans meanwhile), and
   * every method, reads and writes alike, waits for it: none sees a partly read registry.
   */
  @Test
  void everyMethodWaitsForTheBackgroundScan() {
    ModelRegistry registry = registry(open());
    for (int i = 0; i < 300; i++) {
      registry.importVersion("m" + i, modelFile);
    }
    registry.setAlias("m299", "live", 1);

    assertThat(open().models()).hasSize(300);
    assertThat(open().model("m299").orElseThrow().aliases()).containsEntry("live", 1);
    assertThat(open().version("m150", 1)).isPresent();
    assertThat(open().versions("m7")).hasSize(1);
    FileRegistryStore writer = open();
    assertThat(registry(writer).importVersion("m0", modelFile).version())
        .as("a write right after opening numbers from the scanned state")
        .isEqualTo(2);
  }

  /**
   * Prints the time to reopen a store of 1,000 versions (the target is under a second; timings are
   * figures, not assertions, on shared machines).
   */
  @Test
  void aStoreOfAThousandVersionsIsRebuiltFromItsFiles() {
    ModelRegistry registry = registry(open());
    for (int i = 0; i < 1000; i++) {
      registry.importVersion("m" + (i % 20), modelFile);
    }
    long start = System.nanoTime();
    FileRegistryStore store = open();
    store.awaitOpen();
    ModelRegistry reopened = registry(store);
    double millis = (System.nanoTime() - start) / 1e6;
    System.out.printf("registry scan of 1000 versions in 20 models: %.0f ms%n", millis);
    assertThat(reopened.models(null, null, null)).hasSize(20);
    assertThat(reopened.models("m1", null, null)).hasSize(11);
    assertThat(reopened.versions("m7")).hasSize(50);
    assertThat(reopened.problems()).isEmpty();
  }

  /**
   * Thousands of model folders are read in parallel at start, and what is wrong in a few of them is
   * found and reported as by a scan of one. The folders are copies of one registered model with its
   * name changed (registering thousands would take minutes of fsyncs). Prints the scan time.
   */
  @Test
  void thousandsOfModelFoldersAreScannedInParallelAndTheirProblemsFound() throws Exception {
    registry(open()).importVersion("m-0000", modelFile);
    Path models = root.resolve("models");
    Path first = models.resolve("m-0000");
    String modelJson = Files.readString(first.resolve("model.json"));
    String versionJson = Files.readString(first.resolve("1/version.json"));
    int n = 3000;
    for (int i = 1; i < n; i++) {
      String name = String.format("m-%04d", i);
      Path dir = Files.createDirectories(models.resolve(name).resolve("1"));
      Files.writeString(dir.getParent().resolve("model.json"), modelJson.replace("m-0000", name));
      Files.writeString(dir.resolve("version.json"), versionJson.replace("m-0000", name));
      Files.write(dir.resolve("model.maas"), modelFile);
    }
    Files.delete(models.resolve("m-0100/1/model.maas"));
    Files.writeString(models.resolve("m-0200/1/version.json"), "{\"schema\": 1, \"na");
    Files.writeString(models.resolve("m-0300/1/model.maas.7.tmp"), "half");
    Files.createDirectories(models.resolve("m-0400/2")); // unfinished registration
    Files.createDirectories(models.resolve("m-0500.tmp"));

    long start = System.nanoTime();
    ModelRegistry reopened = registry(open());
    System.out.printf(
        "registry scan of %d models: %.0f ms%n", n, (System.nanoTime() - start) / 1e6);

    List<RegisteredModel> all = reopened.models(null, null, null);
    assertThat(all).hasSize(n);
    assertThat(all.get(0).name()).isEqualTo("m-0000");
    assertThat(all.get(n - 1).name()).isEqualTo(String.format("m-%04d", n - 1));
    assertThat(all).isSortedAccordingTo(java.util.Comparator.comparing(RegisteredModel::name));
    assertThat(reopened.problems())
        .hasSize(2)
        .anySatisfy(p -> assertThat(p).contains("'m-0100' version 1: artifact missing"))
        .anySatisfy(p -> assertThat(p).contains("'m-0200' version 1: version.json is unreadable"));
    assertThat(reopened.version("m-0100", 1).status()).isEqualTo(VersionStatus.CORRUPT);
    assertThat(reopened.version("m-0299", 1).status()).isEqualTo(VersionStatus.READY);
    assertThat(Files.exists(models.resolve("m-0300/1/model.maas.7.tmp"))).isFalse();
    assertThat(Files.exists(models.resolve("m-0400/2"))).isFalse();
    assertThat(Files.exists(models.resolve("m-0500.tmp"))).isFalse();
    assertThat(reopened.versions("m-0400")).hasSize(1);
  }

  @Test
  void aNewStoreOverTheSameFolderSeesEveryModelVersionAliasAndTag() {
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
  }

  @Test
  void leftoverTemporaryFilesAndUnfinishedRegistrationsAreCleanedAtStart() throws Exception {
    registry(open()).importVersion("churn", modelFile);
    Path model = root.resolve("models/churn");
    Files.writeString(model.resolve("model.json.1234.tmp"), "half");
    Files.writeString(model.resolve("1/model.maas.99.tmp"), "half");
    Files.createDirectories(model.resolve("2")); // a crash before version.json was written
    Files.write(model.resolve("2/model.maas"), modelFile);

    FileRegistryStore store = open();
    store.awaitOpen(); // what the server does before it starts serving
    ModelRegistry reopened = registry(store);
    assertThat(Files.exists(model.resolve("model.json.1234.tmp"))).isFalse();
    assertThat(Files.exists(model.resolve("1/model.maas.99.tmp"))).isFalse();
    assertThat(Files.exists(model.resolve("2"))).isFalse();
    assertThat(reopened.versions("churn")).extracting(ModelVersion::version).containsExactly(1);
    assertThat(reopened.importVersion("churn", modelFile).version()).isEqualTo(2);
  }

  @Test
  void anArtifactWithOneFlippedByteIsReportedCorruptAndRefusedForServing() throws Exception {
    registry(open()).importVersion("churn", modelFile);
    Path artifact = root.resolve("models/churn/1/model.maas");
    byte[] bytes = Files.readAllBytes(artifact);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(artifact, bytes);

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
  void aTruncatedVersionManifestDoesNotStopTheStoreAndIsReported() throws Exception {
    ModelRegistry first = registry(open());
    first.importVersion("churn", modelFile);
    first.importVersion("churn", modelFile);
    Path metadata = root.resolve("models/churn/1/version.json");
    byte[] json = Files.readAllBytes(metadata);
    Files.write(metadata, java.util.Arrays.copyOf(json, json.length / 2));

    ModelRegistry reopened = registry(open());
    assertThat(reopened.problems())
        .anyMatch(p -> p.contains("version 1") && p.contains("unreadable"));
    assertThat(reopened.version("churn", 1).status()).isEqualTo(VersionStatus.CORRUPT);
    assertThatThrownBy(() -> reopened.load("churn", 1))
        .isInstanceOf(CorruptArtifactException.class);
    try (TrainedModel model = reopened.load("churn", 2)) {
      assertThat(model.outputs()).isEqualTo(2);
    }
  }

  @Test
  void aVersionWhoseFileFailsToDecodeBecomesCorrupt() {
    FileRegistryStore store = open();
    ModelRegistry registry = registry(store);
    registry.importVersion("churn", modelFile);
    ModelVersion good = registry.version("churn", 1);
    // Stored bytes with a matching SHA-256 that are not a whole model file (the store checks only
    // the hash; the registry checks a file before it stores it, so go round it).
    byte[] cut = java.util.Arrays.copyOf(modelFile, modelFile.length - 16);
    store.register(
        "churn",
        new VersionDraft(
            good.family(),
            good.task(),
            null,
            null,
            null,
            null,
            List.of(),
            Lineage.imported(),
            null,
            Map.of(),
            null),
        cut);
    assertThat(registry.version("churn", 2).status()).isEqualTo(VersionStatus.READY);

    assertThatThrownBy(() -> registry.load("churn", 2))
        .isInstanceOf(CorruptArtifactException.class);
    assertThat(registry.version("churn", 2).status()).isEqualTo(VersionStatus.CORRUPT);
    assertThat(registry.version("churn", 1).status()).isEqualTo(VersionStatus.READY);
  }

  @Test
  void anImportedFileBringsTheLineageAndSettingsItsProvenanceRecords() throws Exception {
    ModelRegistry registry = registry(open());
    byte[] withProvenance;
    try (TrainedModel model = ModelCodec.read(modelFile)) {
      withProvenance =
          ModelCodec.toBytes(
              model,
              new ModelProvenance(
                  "job-7",
                  "ds-3",
                  "cd".repeat(32),
                  "testFraction=0.25",
                  9L,
                  tools.jackson.databind.json.JsonMapper.builder()
                      .build()
                      .readTree("{\"epochs\": 2}"),
                  Map.of("maas", "0.0.9")));
    }
    ModelVersion imported = registry.importVersion("moved", withProvenance);
    assertThat(imported.lineage())
        .isEqualTo(new Lineage("ds-3", "cd".repeat(32), "testFraction=0.25", 9L, "job-7"));
    assertThat(imported.training().get("epochs").asInt()).isEqualTo(2);

    ModelVersion bare = registry.importVersion("moved", modelFile);
    assertThat(bare.lineage()).isEqualTo(Lineage.imported());
    assertThat(bare.training()).isNull();
  }

  @Test
  void filesWrittenBeforeTheirSchemaWasRecordedStillLoadAndANewerSchemaIsReported()
      throws Exception {
    ModelRegistry first = registry(open());
    first.importVersion("churn", modelFile);
    first.importVersion("churn", modelFile);
    first.setAlias("churn", "production", 1);
    ModelVersion asRead = registry(open()).version("churn", 1);
    tools.jackson.databind.json.JsonMapper json =
        tools.jackson.databind.json.JsonMapper.builder().build();
    // As written before: the same fields, no "schema".
    for (String file : List.of("models/churn/model.json", "models/churn/1/version.json")) {
      Path path = root.resolve(file);
      tools.jackson.databind.node.ObjectNode record =
          (tools.jackson.databind.node.ObjectNode) json.readTree(path.toFile());
      assertThat(record.get("schema").asInt()).isEqualTo(1);
      record.remove("schema");
      Files.write(path, json.writeValueAsBytes(record));
    }
    // From a newer maas.
    Path newer = root.resolve("models/churn/2/version.json");
    tools.jackson.databind.node.ObjectNode record =
        (tools.jackson.databind.node.ObjectNode) json.readTree(newer.toFile());
    record.put("schema", 2);
    Files.write(newer, json.writeValueAsBytes(record));

    ModelRegistry reopened = registry(open());
    assertThat(reopened.version("churn", 1)).isEqualTo(asRead);
    assertThat(reopened.model("churn").aliases()).containsEntry("production", 1);
    assertThat(reopened.version("churn", 2).status()).isEqualTo(VersionStatus.CORRUPT);
    assertThat(reopened.problems())
        .anyMatch(p -> p.contains("version 2") && p.contains("schema 2"));
  }

  @Test
  void namesAndAliasesFollowTheRuleAndSayIt() {
    ModelRegistry registry = registry(open());
    for (String bad : new String[] {"Churn", "-churn", "churn model", "a".repeat(64), "", "../x"}) {
      assertThatThrownBy(() -> registry.importVersion(bad, modelFile))
          .isInstanceOf(InvalidException.class)
          .hasMessageContaining(Names.RULE);
    }
    registry.importVersion("churn.v2_b-c", modelFile);
    assertThatThrownBy(() -> registry.setAlias("churn.v2_b-c", "42", 1))
        .isInstanceOf(InvalidException.class)
        .hasMessageContaining("must not be a number");
  }

  @Test
  void aFileThatIsNotAModelIsRefusedBeforeAnythingIsStored() {
    ModelRegistry registry = registry(open());
    assertThatThrownBy(() -> registry.importVersion("churn", "hello".getBytes()))
        .isInstanceOf(InvalidException.class)
        .hasMessageContaining("not a valid maas model file");
    assertThatThrownBy(() -> registry.model("churn")).isInstanceOf(NotFoundException.class);
  }

  @Test
  void deletingAModelRemovesItsFolderAndAReopenedStoreForgetsIt() {
    ModelRegistry registry = registry(open());
    registry.importVersion("churn", modelFile);
    registry.setAlias("churn", "production", 1);
    registry.deleteModel("churn");
    assertThat(Files.exists(root.resolve("models/churn"))).isFalse();
    assertThatThrownBy(() -> registry.model("churn")).isInstanceOf(NotFoundException.class);
    assertThat(registry(open()).models(null, null, null)).isEmpty();
    assertThat(registry.importVersion("churn", modelFile).version()).isEqualTo(1);
  }
}

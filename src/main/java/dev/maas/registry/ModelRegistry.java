package dev.maas.registry;

import dev.maas.compute.Metrics;
import dev.maas.compute.ModelCodec;
import dev.maas.compute.ModelFormatException;
import dev.maas.compute.ModelManifest;
import dev.maas.compute.ModelProvenance;
import dev.maas.compute.SpecJson;
import dev.maas.compute.TrainedModel;
import dev.maas.errors.InvalidException;
import dev.maas.errors.NotFoundException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The registry's operations with their rules: names are checked, every artifact is a valid model
 * file before it is stored (the same checks as any load), and a version's metadata is taken from
 * its file so it cannot disagree with it.
 */
public final class ModelRegistry {
  private final RegistryStore store;
  private final List<Runnable> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  public ModelRegistry(RegistryStore store) {
    this.store = store;
  }

  /** Calls {@code listener} after every version registered or deleted (for the meters). */
  void onChange(Runnable listener) {
    changeListeners.add(listener);
  }

  private void changed() {
    changeListeners.forEach(Runnable::run);
  }

  /**
   * Registers a model file as the next version of {@code name}.
   *
   * @param training the training parameters as submitted, or null for those the file's provenance
   *     records (if any)
   * @param learningCurve per-epoch losses, or empty
   * @param lineage where the model came from, or null for what the file's provenance records (an
   *     imported file), or nothing known
   */
  public ModelVersion register(
      String name,
      byte[] artifact,
      JsonNode training,
      List<Map<String, Object>> learningCurve,
      Lineage lineage,
      String description,
      Map<String, String> tags) {
    Names.model(name);
    ModelManifest manifest;
    try {
      manifest = ModelCodec.readManifest(artifact);
    } catch (ModelFormatException e) {
      throw new InvalidException("not a valid maas model file: " + e.getMessage());
    }
    Metrics metrics = manifest.metrics();
    ModelProvenance recorded = manifest.provenance();
    // A lineage given by the caller is a training job's registration; an import's comes from the
    // file, whose job registered it elsewhere (or earlier), so it is not one to register once.
    String registeringJob = lineage == null ? null : lineage.trainingJobId();
    if (lineage == null) {
      lineage = recorded == null ? Lineage.imported() : lineage(recorded);
    }
    if (training == null && recorded != null) {
      training = recorded.training();
    }
    VersionDraft draft =
        new VersionDraft(
            manifest.spec().family().wireName(),
            manifest.task().wireName(),
            SpecJson.write(manifest.spec()),
            manifest.preprocessing() == null ? null : manifest.preprocessing().toJson(),
            training,
            metrics == null ? null : metrics.asMap(),
            learningCurve,
            lineage,
            description,
            tags,
            registeringJob);
    ModelVersion registered = store.register(name, draft, artifact);
    changed();
    return registered;
  }

  /**
   * Imports a model file moved from another server: its lineage and training settings are what the
   * file's provenance records (nothing for a file without one); no learning curve.
   */
  public ModelVersion importVersion(String name, byte[] artifact) {
    return register(name, artifact, null, List.of(), null, null, Map.of());
  }

  private static Lineage lineage(ModelProvenance p) {
    return new Lineage(p.datasetId(), p.datasetSha256(), p.split(), p.seed(), p.trainingJob());
  }

  /** The model; throws {@link NotFoundException} when there is none of this name. */
  public RegisteredModel model(String name) {
    return store.model(Names.model(name)).orElseThrow(() -> unknown(name));
  }

  /** The model, or empty when there is none of this name (a malformed name included). */
  public Optional<RegisteredModel> findModel(String name) {
    return Names.isModel(name) ? store.model(name) : Optional.empty();
  }

  /** The version, or empty when it or its model does not exist. */
  public Optional<ModelVersion> findVersion(String name, int version) {
    return Names.isModel(name) ? store.version(name, version) : Optional.empty();
  }

  /**
   * Registered models in name order whose name starts with {@code prefix} (may be null) and that
   * carry {@code tagKey} (with {@code tagValue} when not null).
   */
  public List<RegisteredModel> models(String prefix, String tagKey, String tagValue) {
    return store.models().stream()
        .filter(m -> prefix == null || m.name().startsWith(prefix))
        .filter(
            m ->
                tagKey == null
                    || (m.tags().containsKey(tagKey)
                        && (tagValue == null || tagValue.equals(m.tags().get(tagKey)))))
        .toList();
  }

  public List<ModelVersion> versions(String name) {
    return store.versions(Names.model(name));
  }

  public ModelVersion version(String name, int version) {
    model(name);
    return store
        .version(name, version)
        .orElseThrow(() -> new NotFoundException("model '" + name + "' has no version " + version));
  }

  /** The version an alias points at. */
  public ModelVersion versionByAlias(String name, String alias) {
    Names.alias(alias);
    Integer version = model(name).aliases().get(alias);
    if (version == null) {
      throw new NotFoundException("model '" + name + "' has no alias '" + alias + "'");
    }
    return version(name, version);
  }

  /** The model file, after its SHA-256 check. */
  public byte[] artifact(String name, int version) {
    return store.artifact(Names.model(name), version);
  }

  /**
   * Loads a version for serving: the SHA-256 is checked and the file read with every check of
   * {@link ModelCodec}; a version that fails either is marked CORRUPT and refused.
   */
  public TrainedModel load(String name, int version) {
    byte[] bytes = artifact(name, version);
    try {
      return ModelCodec.read(bytes);
    } catch (ModelFormatException e) {
      store.markCorrupt(name, version);
      throw new CorruptArtifactException(name, version, e.getMessage());
    }
  }

  public RegisteredModel updateModel(String name, String description, Map<String, String> tags) {
    return store.updateModel(Names.model(name), description, tags);
  }

  public ModelVersion updateVersion(
      String name, int version, String description, Map<String, String> tags) {
    return store.updateVersion(Names.model(name), version, description, tags);
  }

  public void deleteModel(String name) {
    store.deleteModel(Names.model(name));
    changed();
  }

  public void deleteVersion(String name, int version) {
    store.deleteVersion(Names.model(name), version);
    changed();
  }

  public RegisteredModel setAlias(String name, String alias, int version) {
    return store.setAlias(Names.model(name), Names.alias(alias), version);
  }

  public RegisteredModel deleteAlias(String name, String alias) {
    return store.deleteAlias(Names.model(name), Names.alias(alias));
  }

  /** What the start-up scan of the store found wrong. */
  public List<String> problems() {
    return store.problems();
  }

  private static NotFoundException unknown(String name) {
    return new NotFoundException("no model named '" + name + "'");
  }
}

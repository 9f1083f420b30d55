package dev.maas.serving;

import dev.maas.compute.TrainedModel;
import dev.maas.errors.NotFoundException;
import dev.maas.registry.ModelRegistry;
import dev.maas.registry.ModelVersion;
import dev.maas.registry.RegisteredModel;

/**
 * The models as a batch job sees them: a version resolved once, by the same rule as online
 * prediction, and then held through a {@link ModelCache} lease for as long as the job scores, so
 * the cache shares one loaded copy with online requests and never unloads it under the job.
 */
public final class ScoringModels {
  private final ModelRegistry registry;
  private final ModelCache cache;

  ScoringModels(ModelRegistry registry, ModelCache cache) {
    this.registry = registry;
    this.cache = cache;
  }

  /**
   * The version meant: {@code version}, or the one {@code alias} points at, or else the one alias
   * {@code production} points at, or else the latest. Throws {@link NotFoundException}.
   */
  public ModelVersion resolve(String name, Integer version, String alias) {
    if (version != null) {
      return registry.version(name, version);
    }
    if (alias != null) {
      return registry.versionByAlias(name, alias);
    }
    RegisteredModel model = registry.model(name);
    Integer target = model.aliases().get(Predictor.DEFAULT_ALIAS);
    int number = target != null ? target : model.latestVersion();
    if (number < 1) {
      throw new NotFoundException("model '" + name + "' has no versions");
    }
    return registry.version(name, number);
  }

  /** Holds {@code version}'s loaded model (loading it first if needed) until the hold is closed. */
  public Held hold(ModelVersion version) {
    return new Held(cache.acquire(version));
  }

  /** A job's use of a loaded model. */
  public static final class Held implements AutoCloseable {
    private final ModelCache.Lease lease;

    private Held(ModelCache.Lease lease) {
      this.lease = lease;
    }

    /** The model: call {@link TrainedModel#predict} with a whole chunk of rows at once. */
    public TrainedModel model() {
      return lease.model().model();
    }

    @Override
    public void close() {
      lease.close();
    }
  }
}

package dev.maas.serving;

import dev.maas.compute.Predictions;
import dev.maas.errors.DomainException;
import dev.maas.errors.InvalidException;
import dev.maas.errors.NotFoundException;
import dev.maas.registry.ModelRegistry;
import dev.maas.registry.ModelVersion;
import dev.maas.registry.RegisteredModel;
import java.util.function.Supplier;

/**
 * The path of every prediction, whichever protocol asked: resolve which version answers, lease it
 * from the cache (loading it on first use), read the instances, predict through the version's
 * batcher, and meter the request.
 */
final class Predictor {
  /** The alias served when a request names neither a version nor an alias. */
  static final String DEFAULT_ALIAS = "production";

  /** The {@code model} tag of an error for a name that is no model's. */
  static final String UNKNOWN_MODEL = "unknown";

  private final ModelRegistry registry;
  private final ModelCache cache;
  private final ServingMetrics metrics;

  Predictor(ModelRegistry registry, ModelCache cache, ServingMetrics metrics) {
    this.registry = registry;
    this.cache = cache;
    this.metrics = metrics;
  }

  /**
   * The version a request means: {@code version}, or the one {@code alias} points at, or else the
   * one alias {@code production} points at, or else the latest.
   */
  ModelVersion resolve(Protocol protocol, String name, Integer version, String alias) {
    try {
      return resolveUnmetered(name, version, alias);
    } catch (DomainException e) {
      metrics.error(
          protocol, known(name), e instanceof NotFoundException ? "not_found" : "bad_request");
      throw e;
    }
  }

  /**
   * As {@link #resolve}, metering nothing: for the lean path ({@link LeanPredictFilter}), which
   * hands a request it cannot answer to the regular path, where it is resolved and metered again.
   */
  ModelVersion resolveUnmetered(String name, Integer version, String alias) {
    if (version != null && alias != null) {
      throw new InvalidException("give a version or an alias, not both");
    }
    if (version != null) {
      return registry.version(name, version);
    }
    if (alias != null) {
      return registry.versionByAlias(name, alias);
    }
    RegisteredModel model = registry.model(name);
    Integer target = model.aliases().get(DEFAULT_ALIAS);
    int number = target != null ? target : model.latestVersion();
    if (number < 1) {
      throw new NotFoundException("model '" + name + "' has no versions");
    }
    return registry.version(name, number);
  }

  /**
   * The lease of the version when it is loaded now, not counted as a cache request ({@link
   * #countHit} counts it once the request is answered); null when it is not loaded (the regular
   * path loads it). For the lean path.
   */
  ModelCache.Lease leaseIfLoaded(ModelVersion version) {
    return cache.leaseIfLoaded(version);
  }

  /** Counts a cache hit: a request the lean path answered from a loaded version. */
  void countHit() {
    cache.countHit();
  }

  /** Leases the version's loaded model; the caller closes the lease. */
  ModelCache.Lease lease(Protocol protocol, ModelVersion version) {
    try {
      return cache.acquire(version);
    } catch (DomainException e) {
      metrics.error(protocol, version.name(), "load_failed");
      throw e;
    }
  }

  /**
   * Predicts the instances {@code read} returns, and counts the rows, the wait in the batcher and
   * any failure; the request's success and latency are counted by {@link #succeeded}.
   */
  Batcher.Answer predict(Protocol protocol, LoadedModel model, Supplier<Rows> read) {
    return predict(protocol, model, read, true);
  }

  /**
   * As {@link #predict}, but a failure (reading the instances included) meters nothing: the lean
   * path hands such a request to the regular path, which reads, predicts and meters it once.
   */
  Batcher.Answer predictUnmeteredFailure(
      Protocol protocol, LoadedModel model, Supplier<Rows> read) {
    return predict(protocol, model, read, false);
  }

  private Batcher.Answer predict(
      Protocol protocol, LoadedModel model, Supplier<Rows> read, boolean meterFailures) {
    Batcher batcher = model.batcher();
    VersionMeters meters = model.meters();
    batcher.arriving();
    Rows rows;
    try {
      rows = read.get();
    } catch (RuntimeException e) {
      batcher.abandon();
      if (meterFailures) {
        meters.clientError(protocol);
      }
      throw e;
    }
    Batcher.Answer answer;
    try {
      if (rows.rows() <= model.model().heapRows()) {
        batcher.abandon();
        answer = onHeap(model, rows);
      } else {
        answer = batcher.predict(rows.values(), rows.rows());
      }
    } catch (InvalidException e) {
      if (meterFailures) {
        meters.clientError(protocol);
      }
      throw e;
    } catch (RuntimeException | Error e) {
      if (meterFailures) {
        meters.serverError(protocol);
      }
      throw e;
    }
    meters.predicted(rows.rows(), answer.waitNanos());
    return answer;
  }

  /**
   * Predicts on the caller's thread with no batching: a small dense model's call takes microseconds
   * on the heap, less than queueing behind another request would cost.
   */
  private static Batcher.Answer onHeap(LoadedModel model, Rows rows) {
    long start = System.nanoTime();
    Predictions predictions = model.model().predict(rows.values(), rows.rows());
    model.recordCall(rows.rows(), System.nanoTime() - start);
    return new Batcher.Answer(predictions, 0, rows.rows());
  }

  /** Counts a request answered with predictions; called once its answer is written. */
  void succeeded(Protocol protocol, LoadedModel model, long startNanos) {
    model.meters().success(protocol, System.nanoTime() - startNanos);
  }

  /** A metric tag for a requested name: the name when such a model exists, else "unknown". */
  private String known(String name) {
    return registry.findModel(name).isPresent() ? name : UNKNOWN_MODEL;
  }
}

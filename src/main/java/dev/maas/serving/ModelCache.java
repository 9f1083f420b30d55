package dev.maas.serving;

import dev.maas.registry.ModelRegistry;
import dev.maas.registry.ModelVersion;
import dev.maas.registry.RegisteredModel;
import dev.maas.web.ApiException;
import io.micrometer.core.instrument.Gauge;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model versions held in memory. A version is loaded (its SHA-256 and file checked by the
 * registry) and warmed up on first use; concurrent first uses wait for the same load. Requests hold
 * a {@link Lease} while they use a model, and nothing is unloaded while leased. Loaded models stay
 * within a byte budget, least recently used idle model out first, and a version that no alias
 * points at any more and that is not the latest is unloaded once it has been idle for {@code
 * unloadAfter}.
 */
final class ModelCache implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelCache.class);

  private final ModelRegistry registry;
  private final ServingMetrics metrics;
  private final long budgetBytes;
  private final long unloadAfterNanos;
  private final int maxBatchRows;
  private final long maxBatchWaitNanos;
  private final ScheduledExecutorService sweeper;
  private final Map<Key, Slot> slots = new HashMap<>(); // guarded by this

  ModelCache(
      ModelRegistry registry,
      ServingMetrics metrics,
      long budgetBytes,
      long unloadAfterNanos,
      int maxBatchRows,
      long maxBatchWaitNanos) {
    this.registry = registry;
    this.metrics = metrics;
    this.budgetBytes = budgetBytes;
    this.unloadAfterNanos = unloadAfterNanos;
    this.maxBatchRows = maxBatchRows;
    this.maxBatchWaitNanos = maxBatchWaitNanos;
    Gauge.builder("maas.models.loaded", this, ModelCache::loadedCount)
        .description("Model versions loaded in memory")
        .baseUnit("models")
        .register(metrics.registry());
    Gauge.builder("maas.models.memory", this, ModelCache::memoryBytes)
        .description("Native memory held by loaded models")
        .baseUnit("bytes")
        .register(metrics.registry());
    Gauge.builder("maas.models.memory.budget", () -> budgetBytes)
        .description("The loaded models' memory budget (maas.serving.cache-size)")
        .baseUnit("bytes")
        .register(metrics.registry());
    // Sweep often enough to honour unloadAfter within a quarter of it, but at most every 50 ms.
    long every =
        Math.max(TimeUnit.MILLISECONDS.toNanos(50), Math.min(unloadAfterNanos / 4, 5_000_000_000L));
    this.sweeper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "maas-model-sweeper");
              t.setDaemon(true);
              return t;
            });
    sweeper.scheduleWithFixedDelay(this::sweepQuietly, every, every, TimeUnit.NANOSECONDS);
  }

  /**
   * The loaded model of {@code version}, loading and warming it up first if needed. The caller must
   * close the lease when its request is done.
   */
  Lease acquire(ModelVersion version) {
    Key key = new Key(version.name(), version.version());
    Slot slot;
    boolean load;
    synchronized (this) {
      slot = slots.get(key);
      load = slot == null;
      if (load) {
        slot = new Slot(key);
        slots.put(key, slot);
      }
      slot.users++;
      slot.lastUsed = System.nanoTime();
    }
    metrics.cacheRequest(!load);
    if (load) {
      load(slot, version);
    }
    try {
      return new Lease(slot, slot.ready.join());
    } catch (CompletionException e) {
      release(slot);
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }

  private void load(Slot slot, ModelVersion version) {
    LoadedModel loaded = null;
    try {
      long start = System.nanoTime();
      loaded =
          new LoadedModel(
              version,
              registry.load(version.name(), version.version()),
              metrics.forVersion(version.name(), version.version(), version.family()),
              maxBatchRows,
              maxBatchWaitNanos);
      loaded.warmUp();
      log.info(
          "loaded model '{}' version {} ({} bytes) in {} ms",
          version.name(),
          version.version(),
          loaded.memoryBytes(),
          (System.nanoTime() - start) / 1_000_000);
    } catch (RuntimeException | Error e) {
      if (loaded != null) {
        loaded.close();
      }
      synchronized (this) {
        slots.remove(slot.key, slot);
      }
      if (!(e instanceof ApiException)) {
        log.error("loading model '{}' version {} failed", version.name(), version.version(), e);
      }
      slot.ready.completeExceptionally(e);
      return;
    }
    synchronized (this) {
      slot.model = loaded;
    }
    slot.ready.complete(loaded);
    evictOverBudget(slot);
  }

  private void release(Slot slot) {
    LoadedModel close = null;
    synchronized (this) {
      slot.users--;
      slot.lastUsed = System.nanoTime();
      if (slot.removed && slot.users == 0) {
        close = slot.model;
      }
    }
    if (close != null) {
      close.close();
    }
  }

  /** Unloads idle models, least recently used first, until the loaded ones fit the budget. */
  void evictOverBudget(Slot keep) {
    List<LoadedModel> unload = new ArrayList<>();
    synchronized (this) {
      long total = 0;
      for (Slot s : slots.values()) {
        if (s.model != null) {
          total += s.model.memoryBytes();
        }
      }
      while (total > budgetBytes) {
        Slot victim = null;
        for (Slot s : slots.values()) {
          if (s != keep
              && s.model != null
              && s.users == 0
              && (victim == null || s.lastUsed < victim.lastUsed)) {
            victim = s;
          }
        }
        if (victim == null) {
          log.warn(
              "loaded models hold {} bytes, over the budget of {}, and none is idle",
              total,
              budgetBytes);
          break;
        }
        total -= victim.model.memoryBytes();
        unload.add(remove(victim));
      }
    }
    for (LoadedModel m : unload) {
      metrics.eviction("budget");
      log.info("unloaded model '{}' version {} for the memory budget", m.name(), m.number());
      m.close();
    }
  }

  /**
   * Unloads versions nothing points at any more (no alias, not the latest) after their idle time.
   */
  void sweep() {
    List<Slot> idle = new ArrayList<>();
    long now = System.nanoTime();
    synchronized (this) {
      for (Slot s : slots.values()) {
        if (s.model != null && s.users == 0 && now - s.lastUsed >= unloadAfterNanos) {
          idle.add(s);
        }
      }
    }
    for (Slot s : idle) {
      if (referenced(s.key)) {
        continue;
      }
      LoadedModel unload = null;
      synchronized (this) {
        if (!s.removed && s.users == 0 && now - s.lastUsed >= unloadAfterNanos) {
          unload = remove(s);
        }
      }
      if (unload != null) {
        metrics.eviction("unreferenced");
        log.info(
            "unloaded model '{}' version {}: no alias points at it and it is not the latest",
            unload.name(),
            unload.number());
        unload.close();
      }
    }
    evictOverBudget(null);
  }

  private void sweepQuietly() {
    try {
      sweep();
    } catch (RuntimeException e) {
      log.warn("sweeping the model cache failed", e);
    }
  }

  /** Whether an alias points at the version, or it is its model's latest. */
  private boolean referenced(Key key) {
    RegisteredModel model;
    try {
      model = registry.model(key.name);
      registry.version(key.name, key.version);
    } catch (ApiException gone) {
      return false;
    }
    return model.latestVersion() == key.version || model.aliases().containsValue(key.version);
  }

  private LoadedModel remove(Slot s) {
    s.removed = true;
    slots.remove(s.key, s);
    return s.model;
  }

  /** Whether the version is loaded and warmed up. */
  synchronized boolean isLoaded(String name, int version) {
    Slot s = slots.get(new Key(name, version));
    return s != null && s.model != null;
  }

  synchronized int loadedCount() {
    int n = 0;
    for (Slot s : slots.values()) {
      if (s.model != null) {
        n++;
      }
    }
    return n;
  }

  synchronized long memoryBytes() {
    long total = 0;
    for (Slot s : slots.values()) {
      if (s.model != null) {
        total += s.model.memoryBytes();
      }
    }
    return total;
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
    List<LoadedModel> all = new ArrayList<>();
    synchronized (this) {
      for (Slot s : new ArrayList<>(slots.values())) {
        if (s.model != null && s.users == 0) {
          all.add(remove(s));
        }
      }
    }
    all.forEach(LoadedModel::close);
  }

  private record Key(String name, int version) {}

  /** A cache entry: its load, once done its model, and who uses it. Fields guarded by the cache. */
  private static final class Slot {
    final Key key;
    final CompletableFuture<LoadedModel> ready = new CompletableFuture<>();
    LoadedModel model;
    int users;
    long lastUsed;
    boolean removed;

    Slot(Key key) {
      this.key = key;
    }
  }

  /** A request's use of a loaded model; closing it lets the cache unload the model again. */
  final class Lease implements AutoCloseable {
    private final Slot slot;
    private final LoadedModel model;
    private boolean closed;

    private Lease(Slot slot, LoadedModel model) {
      this.slot = slot;
      this.model = model;
    }

    LoadedModel model() {
      return model;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        release(slot);
      }
    }
  }
}

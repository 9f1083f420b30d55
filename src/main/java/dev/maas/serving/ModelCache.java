package dev.maas.serving;

import dev.maas.errors.BusyException;
import dev.maas.errors.DomainException;
import dev.maas.registry.ModelRegistry;
import dev.maas.registry.ModelVersion;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model versions held in memory. A version is loaded (its SHA-256 and file checked by the
 * registry) and warmed up on first use; concurrent first uses wait for the same load, and requests
 * to loaded versions never wait for a load. At most {@code maxConcurrentLoads} versions load at
 * once. A load that fails for a reason other than the version itself (gone, corrupt) is answered as
 * busy and not tried again before a backoff (1 s, doubling to 60 s) ends; nothing of it stays in
 * the cache. Requests hold a {@link Lease} while they use a model, and nothing is unloaded while
 * leased. Loaded models stay within a byte budget, least recently used idle model out first, and a
 * version that no alias points at any more and that is not the latest is unloaded once it has been
 * idle for {@code unloadAfter}, by a {@link #sweep()} that the owner runs every {@link
 * #sweepInterval()} (the cache starts no thread of its own, and reads time from the clock it is
 * given).
 */
final class ModelCache implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelCache.class);

  private final ModelRegistry registry;
  private final ServingMetrics metrics;
  private final long budgetBytes;
  private final long unloadAfterNanos;
  private final int maxBatchRows;
  private final long maxBatchWaitNanos;
  private final LongSupplier nanoClock;
  private final Map<Key, Slot> slots = new ConcurrentHashMap<>();
  private final Semaphore loads;
  private final long loadWaitNanos;
  private volatile long warmUpNanos;

  /** Versions whose last load failed for a reason other than their own (not corrupt, not gone). */
  private final Map<Key, Failure> failures = new ConcurrentHashMap<>();

  private final Object evictions = new Object();

  /** Bytes and count of the loaded models in {@link #slots}: kept as they change, read cheaply. */
  private final AtomicLong loadedBytes = new AtomicLong();

  private final AtomicInteger loaded = new AtomicInteger();

  ModelCache(
      ModelRegistry registry,
      ServingMetrics metrics,
      long budgetBytes,
      long unloadAfterNanos,
      int maxBatchRows,
      long maxBatchWaitNanos,
      LongSupplier nanoClock) {
    this(
        registry,
        metrics,
        budgetBytes,
        unloadAfterNanos,
        maxBatchRows,
        maxBatchWaitNanos,
        4,
        TimeUnit.SECONDS.toNanos(30),
        nanoClock);
  }

  /**
   * @param maxConcurrentLoads how many versions may load at once; a first request waits for its
   *     turn at most {@code loadWaitNanos}, then is refused as busy
   */
  ModelCache(
      ModelRegistry registry,
      ServingMetrics metrics,
      long budgetBytes,
      long unloadAfterNanos,
      int maxBatchRows,
      long maxBatchWaitNanos,
      int maxConcurrentLoads,
      long loadWaitNanos,
      LongSupplier nanoClock) {
    this.loads = new Semaphore(maxConcurrentLoads, true);
    this.loadWaitNanos = loadWaitNanos;
    this.registry = registry;
    this.nanoClock = nanoClock;
    this.metrics = metrics;
    this.budgetBytes = budgetBytes;
    this.unloadAfterNanos = unloadAfterNanos;
    this.maxBatchRows = maxBatchRows;
    this.maxBatchWaitNanos = maxBatchWaitNanos;
    Gauge.builder(ServingMeterNames.MODELS_LOADED, this, ModelCache::loadedCount)
        .description("Model versions loaded in memory")
        .register(metrics.registry());
    Gauge.builder(ServingMeterNames.MODEL_MEMORY, this, ModelCache::memoryBytes)
        .description("Native memory held by loaded models")
        .baseUnit("bytes")
        .register(metrics.registry());
    Gauge.builder(ServingMeterNames.MODEL_MEMORY_BUDGET, () -> budgetBytes)
        .description("The loaded models' memory budget (maas.serving.cache-size)")
        .baseUnit("bytes")
        .register(metrics.registry());
  }

  /**
   * How often to {@link #sweep()}: often enough to honour {@code unloadAfter} within a quarter of
   * it, but at most every 50 ms and at least every 5 s.
   */
  /**
   * How long a freshly loaded version is warmed with direct calls before its first request is
   * answered ({@code maas.serving.warmup.after-load}); 0 makes one call.
   */
  ModelCache warmUpFor(long nanos) {
    warmUpNanos = Math.max(0, nanos);
    return this;
  }

  Duration sweepInterval() {
    return Duration.ofNanos(
        Math.max(
            TimeUnit.MILLISECONDS.toNanos(50), Math.min(unloadAfterNanos / 4, 5_000_000_000L)));
  }

  /**
   * The loaded model of {@code version}, loading and warming it up first if needed. The caller must
   * close the lease when its request is done. Takes no lock when the version is loaded.
   */
  Lease acquire(ModelVersion version) {
    return acquire(version, true);
  }

  /**
   * Loads and warms {@code version} ahead of its requests, when it is not loaded and fits in what
   * the budget has left (its file's size counted twice, about what a loaded model holds): for the
   * warm-up and for versions an alias points at anew. Not counted as a cache request.
   *
   * @return whether it is loaded now
   */
  boolean preload(ModelVersion version) {
    if (isLoaded(version.name(), version.version())) {
      return true;
    }
    if (loadedBytes.get() + 2 * version.artifactSize() > budgetBytes) {
      return false;
    }
    try (Lease lease = acquire(version, false)) {
      return lease != null;
    }
  }

  /**
   * The lease of {@code version} if it is loaded now, else null; never loads, and is not counted as
   * a cache request (the lean prediction path counts its hit with {@link #countHit} once it has
   * answered, and hands anything else to the regular path, which acquires and counts).
   */
  Lease leaseIfLoaded(ModelVersion version) {
    Slot slot = slots.get(new Key(version.name(), version.version()));
    if (slot == null || slot.model == null || !slot.enter()) {
      return null;
    }
    LoadedModel model = slot.model;
    if (model == null) {
      release(slot);
      return null;
    }
    slot.lastUsed = nanoClock.getAsLong();
    return new Lease(slot, model);
  }

  /** Counts a cache hit (see {@link #leaseIfLoaded}). */
  void countHit() {
    metrics.cacheRequest(true);
  }

  /** {@link #acquire}, not counted as a cache request: for the warm-up's own use. */
  Lease acquireUncounted(ModelVersion version) {
    return acquire(version, false);
  }

  private Lease acquire(ModelVersion version, boolean counted) {
    Key key = new Key(version.name(), version.version());
    while (true) {
      Slot slot = slots.get(key);
      boolean load = false;
      if (slot == null) {
        refuseWhileBackingOff(key);
        Slot fresh = new Slot(key);
        slot = slots.putIfAbsent(key, fresh);
        if (slot == null) {
          slot = fresh;
          load = true;
        }
      }
      if (!slot.enter()) {
        slots.remove(key, slot); // unloaded just now: load it afresh
        continue;
      }
      slot.lastUsed = nanoClock.getAsLong();
      if (counted) {
        metrics.cacheRequest(!load);
      }
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
  }

  /** A version whose load failed is not tried again before its backoff ends. */
  private void refuseWhileBackingOff(Key key) {
    Failure f = failures.get(key);
    long left = f == null ? 0 : f.retryAt - nanoClock.getAsLong();
    if (left > 0) {
      throw new BusyException(
          "model '"
              + key.name
              + "' version "
              + key.version
              + " failed to load ("
              + f.reason
              + "); it is tried again in "
              + Math.max(1, TimeUnit.NANOSECONDS.toSeconds(left + 999_999_999))
              + " s",
          Duration.ofNanos(left));
    }
  }

  private void load(Slot slot, ModelVersion version) {
    boolean turn;
    try {
      turn = loads.tryAcquire(loadWaitNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      turn = false;
    }
    if (!turn) {
      slots.remove(slot.key, slot);
      slot.ready.completeExceptionally(
          new BusyException(
              "too many models are loading at once (maas.serving.max-concurrent-loads); try again",
              Duration.ofSeconds(1)));
      return;
    }
    try {
      loadWithTurn(slot, version);
    } finally {
      loads.release();
    }
  }

  private void loadWithTurn(Slot slot, ModelVersion version) {
    LoadedModel loaded = null;
    try {
      long start = System.nanoTime();
      loaded =
          new LoadedModel(
              version,
              registry.load(version.name(), version.version()),
              metrics.forVersion(
                  version.name(), version.version(), version.family(), aliased(version)),
              maxBatchRows,
              maxBatchWaitNanos);
      loaded.warmUp(warmUpNanos);
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
      slots.remove(slot.key, slot);
      if (e instanceof DomainException) {
        slot.ready.completeExceptionally(e); // gone or corrupt: retrying cannot help
        return;
      }
      log.error("loading model '{}' version {} failed", version.name(), version.version(), e);
      Failure f =
          failures.merge(
              slot.key,
              new Failure(1, 0, String.valueOf(e)),
              (was, now) -> new Failure(was.attempts + 1, 0, now.reason));
      long backoff =
          Math.min(MAX_BACKOFF_NANOS, FIRST_BACKOFF_NANOS << Math.min(f.attempts - 1, 20));
      failures.put(slot.key, new Failure(f.attempts, nanoClock.getAsLong() + backoff, f.reason));
      slot.ready.completeExceptionally(
          new BusyException(
              "model '"
                  + version.name()
                  + "' version "
                  + version.version()
                  + " failed to load ("
                  + e
                  + "); it is tried again in "
                  + TimeUnit.NANOSECONDS.toSeconds(backoff)
                  + " s",
              Duration.ofNanos(backoff)));
      return;
    }
    failures.remove(slot.key);
    slot.accounted.set(loaded.memoryBytes());
    loadedBytes.addAndGet(slot.accounted.get());
    this.loaded.incrementAndGet();
    slot.model = loaded;
    slot.ready.complete(loaded);
    evictOverBudget(slot);
  }

  private void release(Slot slot) {
    slot.lastUsed = nanoClock.getAsLong();
    LoadedModel m = slot.model;
    if (m != null) {
      // prediction buffers come and go: account what the model holds now, while still a user
      long now = m.memoryBytes();
      loadedBytes.addAndGet(now - slot.accounted.getAndSet(now));
    }
    slot.users.decrementAndGet();
    if (loadedBytes.get() > budgetBytes) {
      // a load went over the budget while every other model was in use: catch up now
      evictOverBudget(null);
    }
  }

  /**
   * Unloads idle models, least recently used first, until the loaded ones fit the budget. The order
   * is that of the last-used times read once, before sorting: other threads keep changing them, and
   * a sort over values that change under it may fail ("Comparison method violates its general
   * contract"). A model used since it was read is skipped by {@link #retire}, never unloaded.
   */
  void evictOverBudget(Slot keep) {
    List<LoadedModel> unload = new ArrayList<>();
    synchronized (evictions) {
      long total = loadedBytes.get();
      if (total <= budgetBytes) {
        return;
      }
      List<Idle> idle = new ArrayList<>();
      for (Slot s : slots.values()) {
        if (s != keep && s.model != null && s.users.get() == 0) {
          idle.add(new Idle(s, s.lastUsed));
        }
      }
      idle.sort(Comparator.comparingLong(Idle::lastUsed));
      for (Idle i : idle) {
        if (total <= budgetBytes) {
          break;
        }
        LoadedModel m = retire(i.slot());
        if (m != null) {
          total = loadedBytes.get();
          unload.add(m);
        }
      }
      if (total > budgetBytes) {
        log.warn(
            "loaded models hold {} bytes, over the budget of {}, and none more is idle",
            total,
            budgetBytes);
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
    long now = nanoClock.getAsLong();
    for (Slot s : slots.values()) {
      if (s.model == null
          || s.users.get() != 0
          || now - s.lastUsed < unloadAfterNanos
          || referenced(s.key)) {
        continue;
      }
      LoadedModel unload = retire(s);
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

  /** {@link #sweep()}, logging a failure instead of throwing it: for a scheduled sweep. */
  void sweepQuietly() {
    try {
      sweep();
    } catch (RuntimeException e) {
      log.warn("sweeping the model cache failed", e);
    }
  }

  /** Whether an alias points at the version now. */
  private boolean aliased(ModelVersion version) {
    return registry
        .findModel(version.name())
        .map(m -> m.aliases().containsValue(version.version()))
        .orElse(false);
  }

  /** Whether an alias points at the version, or it is its model's latest. */
  private boolean referenced(Key key) {
    if (registry.findVersion(key.name, key.version).isEmpty()) {
      return false;
    }
    return registry
        .findModel(key.name)
        .map(m -> m.latestVersion() == key.version || m.aliases().containsValue(key.version))
        .orElse(false);
  }

  /**
   * Takes an idle, loaded slot out of the cache for good and returns its model to close; null when
   * a request uses it or it is gone already.
   */
  private LoadedModel retire(Slot s) {
    if (s.model == null || !s.users.compareAndSet(0, Slot.RETIRED)) {
      return null;
    }
    slots.remove(s.key, s);
    loadedBytes.addAndGet(-s.accounted.getAndSet(0));
    loaded.decrementAndGet();
    return s.model;
  }

  /** Whether the version is loaded and warmed up. */
  boolean isLoaded(String name, int version) {
    Slot s = slots.get(new Key(name, version));
    return s != null && s.model != null && s.users.get() != Slot.RETIRED;
  }

  int loadedCount() {
    return loaded.get();
  }

  long memoryBytes() {
    return loadedBytes.get();
  }

  @Override
  public void close() {
    for (Slot s : slots.values()) {
      LoadedModel m = retire(s);
      if (m != null) {
        m.close();
      }
    }
  }

  private record Key(String name, int version) {}

  /** The first wait after a failed load, doubled after each further failure up to the most. */
  static final long FIRST_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

  static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(60);

  /** A version's failed loads in a row, when it may be tried again, and why the last failed. */
  private record Failure(int attempts, long retryAt, String reason) {}

  /** A slot and its last-used time as read once, for a sort that cannot change under it. */
  private record Idle(Slot slot, long lastUsed) {}

  /**
   * A cache entry: its load, once done its model, and how many requests use it ({@link #RETIRED}
   * once it is out of the cache: nobody may enter it again).
   */
  private static final class Slot {
    static final int RETIRED = -1;
    final Key key;
    final CompletableFuture<LoadedModel> ready = new CompletableFuture<>();
    final AtomicInteger users = new AtomicInteger();

    /** The bytes of its model counted in the cache's total, as last measured. */
    final AtomicLong accounted = new AtomicLong();

    volatile LoadedModel model;
    volatile long lastUsed;

    Slot(Key key) {
      this.key = key;
    }

    /** Counts a user in, unless the slot is retired. */
    boolean enter() {
      while (true) {
        int n = users.get();
        if (n == RETIRED) {
          return false;
        }
        if (users.compareAndSet(n, n + 1)) {
          return true;
        }
      }
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

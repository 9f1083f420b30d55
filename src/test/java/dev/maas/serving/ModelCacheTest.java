package dev.maas.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maas.errors.BusyException;
import dev.maas.registry.FileRegistryStore;
import dev.maas.registry.ModelRegistry;
import dev.maas.registry.ModelVersion;
import dev.maas.registry.Provenance;
import dev.maas.serving.ServingFixtures.Fixture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;

class ModelCacheTest {
  private static final Fixture MLP = ServingFixtures.everyFamily().get(2);

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private ModelRegistry registry;
  private ModelCache cache;

  /** The cache's clock in nanoseconds: a tick on every read, and jumps when a test says. */
  private final AtomicLong now = new AtomicLong();

  @BeforeEach
  void registry() {
    Path root = Path.of("target", "test-data", "model-cache-" + UUID.randomUUID());
    registry =
        new ModelRegistry(new FileRegistryStore(root, Clock.systemUTC(), Provenance.current()));
  }

  @AfterEach
  void close() {
    if (cache != null) {
      cache.close();
    }
  }

  private ModelCache cache(long budget, long unloadAfterMillis) {
    cache =
        new ModelCache(
            registry,
            new ServingMetrics(meters),
            budget,
            TimeUnit.MILLISECONDS.toNanos(unloadAfterMillis),
            64,
            0,
            now::incrementAndGet);
    return cache;
  }

  private ModelVersion version(String name) {
    return registry.importVersion(name, MLP.file());
  }

  @Test
  void aVersionIsLoadedOnceAndWarmedUpBeforeItsFirstRequestIsServed() {
    ModelCache cache = cache(1 << 30, 60_000);
    ModelVersion v = version("cached");

    try (ModelCache.Lease first = cache.acquire(v);
        ModelCache.Lease second = cache.acquire(v)) {
      assertThat(first.model()).isSameAs(second.model());
      assertThat(first.model().memoryBytes()).isGreaterThan(first.model().model().parameterCount());
    }
    assertThat(meters.counter("maas.model.cache.requests", "result", "miss").count()).isEqualTo(1);
    assertThat(meters.counter("maas.model.cache.requests", "result", "hit").count()).isEqualTo(1);
    assertThat(meters.get("maas.models.loaded").gauge().value()).isEqualTo(1);
  }

  @Test
  void overTheBudgetTheLeastRecentlyUsedIdleModelIsUnloadedButNeverOneInUse() {
    ModelVersion a = version("lru-a");
    ModelVersion b = version("lru-b");
    ModelVersion c = version("lru-c");
    long one;
    try (ModelCache probe =
            new ModelCache(
                registry,
                new ServingMetrics(new SimpleMeterRegistry()),
                1L << 30,
                Long.MAX_VALUE,
                64,
                0,
                System::nanoTime);
        ModelCache.Lease lease = probe.acquire(a)) {
      one = lease.model().memoryBytes();
    }
    ModelCache cache = cache(2 * one + one / 2, 60_000);

    ModelCache.Lease heldA = cache.acquire(a);
    cache.acquire(b).close();
    cache.acquire(c).close(); // over budget: b is idle and older than c; a is in use

    assertThat(cache.isLoaded("lru-a", 1)).isTrue();
    assertThat(cache.isLoaded("lru-b", 1)).isFalse();
    assertThat(cache.isLoaded("lru-c", 1)).isTrue();
    heldA.close(); // a was used last now, c before it
    cache.acquire(b).close();
    assertThat(cache.isLoaded("lru-c", 1)).isFalse();
    assertThat(cache.isLoaded("lru-a", 1)).isTrue();
    assertThat(meters.counter("maas.model.cache.evictions", "reason", "budget").count())
        .isEqualTo(2);
  }

  @Test
  void aVersionNoAliasPointsAtAndThatIsNotTheLatestIsUnloadedOnceIdle() {
    ModelCache cache = cache(1 << 30, 100);
    ModelVersion v1 = version("swap");
    ModelVersion v2 = version("swap");
    registry.setAlias("swap", "production", 1);
    cache.acquire(v1).close();
    cache.acquire(v2).close();

    advance(400);
    cache.sweep();
    assertThat(cache.isLoaded("swap", 1)).isTrue(); // the alias points at it
    assertThat(cache.isLoaded("swap", 2)).isTrue(); // the latest

    version("swap"); // version 3 is the latest now: nothing points at 2
    cache.acquire(v2).close(); // ... but it was just used
    advance(50);
    cache.sweep();
    assertThat(cache.isLoaded("swap", 2)).as("idle for 50 ms of 100 only").isTrue();
    advance(60);
    cache.sweep();
    assertThat(cache.isLoaded("swap", 2)).isFalse();
    assertThat(cache.isLoaded("swap", 1)).isTrue();
    assertThat(meters.counter("maas.model.cache.evictions", "reason", "unreferenced").count())
        .isEqualTo(1);
  }

  @Test
  void aVersionInUseIsNeverSweptHoweverLongItIsHeld() {
    ModelCache cache = cache(1 << 30, 100);
    ModelVersion v1 = version("held");
    version("held");
    try (ModelCache.Lease lease = cache.acquire(v1)) {
      advance(10_000);
      cache.sweep();
      assertThat(cache.isLoaded("held", 1)).isTrue();
    }
    cache.sweep();
    assertThat(cache.isLoaded("held", 1)).as("just released: not idle yet").isTrue();
    advance(100);
    cache.sweep();
    assertThat(cache.isLoaded("held", 1)).isFalse();
  }

  @Test
  void theSweepRunsOftenEnoughForTheIdleTimeWithinBounds() {
    assertThat(cache(1 << 30, 100).sweepInterval()).isEqualTo(Duration.ofMillis(50));
    cache.close();
    assertThat(cache(1 << 30, 8_000).sweepInterval()).isEqualTo(Duration.ofSeconds(2));
    cache.close();
    assertThat(cache(1 << 30, 3_600_000).sweepInterval()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aFailedLoadIsAnsweredBusyWithItsCauseAndTriedAgainOnlyAfterABackoff() {
    ModelVersion steady = version("steady");
    ModelVersion v = version("flaky");
    ModelRegistry flaky = Mockito.spy(registry);
    Mockito.doThrow(new IllegalStateException("native allocation failed"))
        .doCallRealMethod()
        .when(flaky)
        .load("flaky", 1);
    cache =
        new ModelCache(
            flaky,
            new ServingMetrics(meters),
            1 << 30,
            TimeUnit.SECONDS.toNanos(60),
            64,
            0,
            now::incrementAndGet);
    cache.acquire(steady).close();

    assertThatThrownBy(() -> cache.acquire(v))
        .isInstanceOfSatisfying(
            BusyException.class, e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1)))
        .hasMessageContaining("native allocation failed");
    assertThat(cache.isLoaded("flaky", 1)).isFalse();
    assertThatThrownBy(() -> cache.acquire(v))
        .isInstanceOf(BusyException.class)
        .hasMessageContaining("tried again in 1 s");
    Mockito.verify(flaky, Mockito.times(1)).load("flaky", 1);
    assertThat(cache.isLoaded("steady", 1)).isTrue();

    advance(1001);
    try (ModelCache.Lease lease = cache.acquire(v)) {
      assertThat(lease.model().name()).isEqualTo("flaky");
    }
    assertThat(cache.isLoaded("flaky", 1)).isTrue();
  }

  @Test
  void loadsAreBoundedAndRequestsToLoadedVersionsDoNotWaitForThem() throws Exception {
    ModelVersion hot = version("hot");
    ModelVersion slow = version("slow");
    ModelVersion next = version("next");
    ModelRegistry blocking = Mockito.spy(registry);
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Mockito.doAnswer(
            call -> {
              loading.countDown();
              release.await();
              return call.callRealMethod();
            })
        .when(blocking)
        .load("slow", 1);
    cache =
        new ModelCache(
            blocking,
            new ServingMetrics(meters),
            1 << 30,
            TimeUnit.SECONDS.toNanos(60),
            64,
            0,
            1,
            TimeUnit.MILLISECONDS.toNanos(50),
            now::incrementAndGet);
    cache.acquire(hot).close();
    CompletableFuture<Void> slowLoad =
        CompletableFuture.runAsync(() -> cache.acquire(slow).close());
    assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();

    try (ModelCache.Lease lease = cache.acquire(hot)) { // a hit while a load runs
      assertThat(lease.model().name()).isEqualTo("hot");
    }
    assertThatThrownBy(() -> cache.acquire(next))
        .isInstanceOf(BusyException.class)
        .hasMessageContaining("max-concurrent-loads");
    release.countDown();
    slowLoad.get(10, TimeUnit.SECONDS);
    cache.acquire(next).close(); // no backoff: it never failed, it waited
    assertThat(cache.isLoaded("slow", 1)).isTrue();
    assertThat(cache.isLoaded("next", 1)).isTrue();
  }

  private void advance(long millis) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }
}

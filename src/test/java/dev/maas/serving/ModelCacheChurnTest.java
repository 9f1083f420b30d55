package dev.maas.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.registry.FileRegistryStore;
import dev.maas.registry.ModelRegistry;
import dev.maas.registry.ModelVersion;
import dev.maas.registry.Provenance;
import dev.maas.serving.ServingFixtures.Fixture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Many models under churn: 500 small models in one registry, a cache budget that holds a fifth of
 * them, 16 clients predicting on random models through the whole serving path. Every request must
 * succeed, and the cache must end within its budget.
 */
@Tag("slow")
class ModelCacheChurnTest {
  private static final Fixture MLP = ServingFixtures.everyFamily().get(2);
  private static final int MODELS = 500;
  private static final int CLIENTS = 16;
  private static final int REQUESTS = 100_000;

  @Test
  void everyRequestSucceedsWhileModelsAreLoadedAndEvictedAndTheCacheEndsWithinItsBudget()
      throws Exception {
    Path root = Path.of("target", "test-data", "model-cache-churn-" + UUID.randomUUID());
    ModelRegistry registry =
        new ModelRegistry(new FileRegistryStore(root, Clock.systemUTC(), Provenance.current()));
    long start = System.nanoTime();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < MODELS; i++) {
      names.add("churn-" + i);
      registry.importVersion(names.get(i), MLP.file());
    }
    long imported = System.nanoTime();

    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ServingMetrics metrics = new ServingMetrics(meters);
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
        ModelCache.Lease lease = probe.acquire(registry.version(names.get(0), 1))) {
      one = lease.model().memoryBytes();
    }
    long budget = one * MODELS / 5;
    ModelCache cache =
        new ModelCache(registry, metrics, budget, Long.MAX_VALUE, 64, 0, System::nanoTime);
    Predictor predictor = new Predictor(registry, cache, metrics);

    AtomicInteger next = new AtomicInteger();
    AtomicInteger succeeded = new AtomicInteger();
    Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    double[] row = MLP.rows()[0];
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        done.add(
            clients.submit(
                () -> {
                  while (next.getAndIncrement() < REQUESTS) {
                    String name = names.get(ThreadLocalRandom.current().nextInt(MODELS));
                    long t0 = System.nanoTime();
                    try {
                      ModelVersion v = predictor.resolve(Protocol.REST, name, null, null);
                      try (ModelCache.Lease lease = predictor.lease(Protocol.REST, v)) {
                        Batcher.Answer answer =
                            predictor.predict(
                                Protocol.REST,
                                lease.model(),
                                () -> new Rows(row.clone(), 1, row.length));
                        assertThat(answer.predictions().rows()).isEqualTo(1);
                        predictor.succeeded(Protocol.REST, lease.model(), t0);
                        succeeded.incrementAndGet();
                      }
                    } catch (Throwable e) {
                      failures.add(e);
                    }
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get(5, TimeUnit.MINUTES);
      }
    } finally {
      clients.shutdownNow();
    }
    long served = System.nanoTime();
    double hits = meters.counter("maas.model.cache.requests", "result", "hit").count();
    System.out.printf(
        "churn: %d models imported in %d ms; %d requests by %d clients in %d ms (%.0f req/s),"
            + " hit ratio %.2f, %d loaded of budget %d bytes (%d per model)%n",
        MODELS,
        TimeUnit.NANOSECONDS.toMillis(imported - start),
        REQUESTS,
        CLIENTS,
        TimeUnit.NANOSECONDS.toMillis(served - imported),
        REQUESTS * 1e9 / (served - imported),
        hits / REQUESTS,
        cache.loadedCount(),
        budget,
        one);

    assertThat(failures).as("failed requests").isEmpty();
    assertThat(succeeded.get()).isEqualTo(REQUESTS);
    assertThat(cache.memoryBytes()).isLessThanOrEqualTo(budget).isGreaterThan(0);
    long loaded = 0;
    for (String name : names) {
      if (cache.isLoaded(name, 1)) {
        loaded++;
      }
    }
    assertThat(loaded).isEqualTo(cache.loadedCount()).isLessThanOrEqualTo(MODELS / 5);
    cache.close();
  }
}

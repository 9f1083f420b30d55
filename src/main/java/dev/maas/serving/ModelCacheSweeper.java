package dev.maas.serving;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Runs {@link ModelCache#sweep()} every {@link ModelCache#sweepInterval()} on a daemon thread. */
final class ModelCacheSweeper implements AutoCloseable {
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "maas-model-sweeper");
            t.setDaemon(true);
            return t;
          });

  ModelCacheSweeper(ModelCache cache) {
    long every = cache.sweepInterval().toNanos();
    executor.scheduleWithFixedDelay(cache::sweepQuietly, every, every, TimeUnit.NANOSECONDS);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}

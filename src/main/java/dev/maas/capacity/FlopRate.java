package dev.maas.capacity;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This machine's FLOP rate for the fallback forecast: a short ND4J matrix-product benchmark (float
 * 256 x 256 products for about half a second, after a warm-up), run once in the background at start
 * so that start-up is not delayed.
 */
final class FlopRate {
  private static final Logger log = LoggerFactory.getLogger(FlopRate.class);
  static final int SIZE = 256;

  private final CompletableFuture<Double> rate;

  private FlopRate(CompletableFuture<Double> rate) {
    this.rate = rate;
  }

  /** Starts the benchmark on a daemon thread. */
  static FlopRate measureInBackground() {
    CompletableFuture<Double> future = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                double r = benchmark(0.5);
                log.info(
                    "ND4J matrix-product benchmark: {} GFLOP/s", String.format("%.2f", r / 1e9));
                future.complete(r);
              } catch (RuntimeException | LinkageError e) {
                future.completeExceptionally(e);
              }
            },
            "flop-benchmark");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
    return new FlopRate(future);
  }

  /** A fixed rate (tests, or the benchmark switched off). */
  static FlopRate fixed(double flopsPerSecond) {
    return new FlopRate(CompletableFuture.completedFuture(flopsPerSecond));
  }

  /** FLOPs per second, waiting for the benchmark to finish if needed; NaN if it failed. */
  double flopsPerSecond() {
    try {
      return rate.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Double.NaN;
    } catch (ExecutionException | TimeoutException e) {
      return Double.NaN;
    }
  }

  /** The rate if known now, else NaN (for a gauge, which must not block). */
  double flopsPerSecondNow() {
    Double r = rate.getNow(null);
    return r == null ? Double.NaN : r;
  }

  /**
   * Times 2 n^3 FLOP matrix products in five rounds of {@code seconds / 5} and keeps the fastest
   * round, so that a burst of other work at start (JIT, other threads) does not lower the rate.
   */
  static double benchmark(double seconds) {
    try (INDArray a = Nd4j.rand(DataType.FLOAT, SIZE, SIZE);
        INDArray b = Nd4j.rand(DataType.FLOAT, SIZE, SIZE);
        INDArray c = Nd4j.create(DataType.FLOAT, SIZE, SIZE)) {
      for (int i = 0; i < 5; i++) {
        a.mmuli(b, c);
      }
      long budget = (long) (seconds / 5 * 1e9);
      double best = 0;
      for (int round = 0; round < 5; round++) {
        long start = System.nanoTime();
        long products = 0;
        long elapsed;
        do {
          for (int i = 0; i < 5; i++) {
            a.mmuli(b, c);
          }
          products += 5;
          elapsed = System.nanoTime() - start;
        } while (elapsed < budget);
        best = Math.max(best, 2.0 * SIZE * SIZE * SIZE * products / (elapsed / 1e9));
      }
      return best;
    }
  }
}

package dev.maas.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maas.compute.Predictions;
import dev.maas.compute.TrainedModel;
import dev.maas.errors.InvalidException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BatcherTest {
  /** A linear model with one input: its answer tells which row it was given. */
  private static TrainedModel model;

  @BeforeAll
  static void train() {
    model =
        ServingFixtures.regression(
                "linear_regression",
                new dev.maas.compute.LinearRegressionSpec(
                    dev.maas.compute.LinearRegressionSpec.Solver.LEAST_SQUARES),
                new int[] {3},
                1)
            .model();
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void concurrentRequestsAreMergedIntoFewerCallsAndEachGetsItsOwnRows() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Batcher batcher =
        new Batcher(
            (features, rows) -> {
              calls.incrementAndGet();
              sleep(2);
              return model.predict(features, rows);
            },
            (rows, nanos) -> {},
            64,
            TimeUnit.MILLISECONDS.toNanos(1));
    int threads = 16;
    int perThread = 20;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> wrong = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int seed = t;
      wrong.add(
          pool.submit(
              () -> {
                start.await();
                int mismatches = 0;
                for (int i = 0; i < perThread; i++) {
                  double[] row = {seed, i, seed - i};
                  batcher.arriving();
                  Predictions got = batcher.predict(row, 1).predictions();
                  double expected = model.predict(row, 1).value(0, 0);
                  if (Math.abs(got.value(0, 0) - expected) > 1e-9) {
                    mismatches++;
                  }
                }
                return mismatches;
              }));
    }
    start.countDown();
    int mismatches = 0;
    for (Future<Integer> f : wrong) {
      mismatches += f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();

    assertThat(mismatches).isZero();
    assertThat(calls.get()).isLessThan(threads * perThread / 2);
  }

  @Test
  void aLoneRequestRunsAtOnceWithoutWaitingForTheBatchWindow() {
    Batcher batcher =
        new Batcher(model::predict, (rows, nanos) -> {}, 64, TimeUnit.SECONDS.toNanos(5));
    batcher.arriving();
    long start = System.nanoTime();
    Batcher.Answer answer = batcher.predict(new double[] {1, 2, 3}, 1);

    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(1));
    assertThat(answer.waitNanos()).isLessThan(TimeUnit.SECONDS.toNanos(1));
    assertThat(answer.batchRows()).isEqualTo(1);
  }

  @Test
  void aFailedCallFailsEveryRequestInItAndTheNextCallStillRuns() {
    AtomicInteger calls = new AtomicInteger();
    Batcher batcher =
        new Batcher(
            (features, rows) -> {
              if (calls.incrementAndGet() == 1) {
                throw InvalidException.listing("instances[0][0] is not a finite number");
              }
              return model.predict(features, rows);
            },
            (rows, nanos) -> {},
            64,
            0);
    batcher.arriving();
    assertThatThrownBy(() -> batcher.predict(new double[] {1, 2, 3}, 1))
        .isInstanceOf(InvalidException.class);
    batcher.arriving();
    assertThat(batcher.predict(new double[] {1, 2, 3}, 1).predictions().rows()).isEqualTo(1);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

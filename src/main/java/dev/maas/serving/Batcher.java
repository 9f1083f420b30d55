package dev.maas.serving;

import dev.maas.compute.Predictions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Merges concurrent predictions of one model version into fewer native calls, with no thread of its
 * own: the request that finds the model idle runs the call itself, taking every request queued
 * behind it (up to {@code maxRows} rows); when it is done it hands the model to the next queued
 * request, which runs the next merged call. A lone request therefore runs at once, on its own
 * thread, and pays no wait. A leader waits up to {@code maxWait} only while other requests for the
 * model are {@linkplain #arriving() arriving} (resolved and being parsed), to take them along.
 */
final class Batcher {
  /** One native call: predicts {@code rows} rows of {@code features}. */
  interface Compute {
    Predictions predict(double[] features, int rows);
  }

  /** Told of every native call: the rows it took and how long it ran. */
  interface Observer {
    void batch(int rows, long computeNanos);
  }

  /** A request's answer and where its time went. */
  record Answer(Predictions predictions, long waitNanos, int batchRows) {}

  /** The most merged calls one leader runs before it hands the model to a queued request. */
  static final int MAX_CALLS_IN_A_ROW = 4;

  /** How often a leader that waits for arriving requests looks again. */
  private static final long ARRIVAL_POLL_NANOS = 20_000;

  private final Compute compute;
  private final Observer observer;
  private final int maxRows;
  private final long maxWaitNanos;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queuedRows = new AtomicInteger();
  private final AtomicInteger arriving = new AtomicInteger();
  private final AtomicBoolean busy = new AtomicBoolean();

  Batcher(Compute compute, Observer observer, int maxRows, long maxWaitNanos) {
    this.compute = compute;
    this.observer = observer;
    this.maxRows = maxRows;
    this.maxWaitNanos = maxWaitNanos;
  }

  /**
   * Counts a request that will call {@link #predict} (or {@link #abandon}) soon; leaders wait for
   * such requests to join their call.
   */
  void arriving() {
    arriving.incrementAndGet();
  }

  /** An {@link #arriving()} request that will not predict after all (its body was invalid). */
  void abandon() {
    arriving.decrementAndGet();
  }

  /** Predicts for an {@link #arriving()} request, merged with whatever else is queued. */
  Answer predict(double[] features, int rows) {
    Pending mine = new Pending(features, rows, Thread.currentThread());
    queuedRows.addAndGet(rows);
    queue.add(mine);
    arriving.decrementAndGet();
    while (true) {
      if (mine.done) {
        return mine.answer();
      }
      if (mine.lead || busy.compareAndSet(false, true)) {
        mine.lead = false;
        lead();
        continue;
      }
      LockSupport.park(this);
    }
  }

  /**
   * Runs merged calls while holding {@link #busy}, then passes the model on. A leader whose call is
   * done takes the next one itself when requests queued meanwhile, up to {@link
   * #MAX_CALLS_IN_A_ROW} calls: it is already running, where waking a parked request to lead costs
   * a thread switch on every call, which on a busy machine is slower than the call itself.
   */
  private void lead() {
    try {
      int calls = 0;
      do {
        awaitArrivals();
        List<Pending> batch = drain();
        if (!batch.isEmpty()) {
          run(batch);
        }
      } while (++calls < MAX_CALLS_IN_A_ROW && !queue.isEmpty());
    } finally {
      busy.set(false);
      handOver();
    }
  }

  private void awaitArrivals() {
    if (maxWaitNanos <= 0 || arriving.get() == 0) {
      return;
    }
    long deadline = System.nanoTime() + maxWaitNanos;
    long now;
    while (arriving.get() > 0
        && queuedRows.get() < maxRows
        && (now = System.nanoTime()) < deadline) {
      // Sleep rather than spin: the arriving requests need the cores to get here.
      LockSupport.parkNanos(Math.min(ARRIVAL_POLL_NANOS, deadline - now));
    }
  }

  /** The head of the queue and those behind it while they fit in {@code maxRows}. */
  private List<Pending> drain() {
    List<Pending> batch = new ArrayList<>();
    int rows = 0;
    Pending next;
    while ((next = queue.peek()) != null && (batch.isEmpty() || rows + next.rows <= maxRows)) {
      queue.poll();
      queuedRows.addAndGet(-next.rows);
      batch.add(next);
      rows += next.rows;
    }
    return batch;
  }

  private void run(List<Pending> batch) {
    long start = System.nanoTime();
    int rows = 0;
    for (Pending p : batch) {
      rows += p.rows;
    }
    Predictions all;
    try {
      all = compute.predict(merged(batch, rows), rows);
    } catch (RuntimeException | Error e) {
      // Every request of the call, the leader's own among them if it was taken, answers with it.
      for (Pending p : batch) {
        p.fail(e);
      }
      return;
    }
    long computeNanos = System.nanoTime() - start;
    observer.batch(rows, computeNanos);
    int from = 0;
    for (Pending p : batch) {
      p.complete(new Answer(all.rows(from, p.rows), start - p.enqueued, rows));
      from += p.rows;
    }
  }

  private static double[] merged(List<Pending> batch, int rows) {
    if (batch.size() == 1) {
      return batch.get(0).features;
    }
    int rowLength = batch.get(0).features.length / batch.get(0).rows;
    double[] all = new double[rows * rowLength];
    int at = 0;
    for (Pending p : batch) {
      System.arraycopy(p.features, 0, all, at, p.features.length);
      at += p.features.length;
    }
    return all;
  }

  /** Gives the model to the first queued request, if any and if nobody took it meanwhile. */
  private void handOver() {
    while (!queue.isEmpty() && busy.compareAndSet(false, true)) {
      Pending next = queue.peek();
      if (next != null) {
        next.lead = true;
        LockSupport.unpark(next.thread);
        return;
      }
      busy.set(false);
    }
  }

  private static final class Pending {
    final double[] features;
    final int rows;
    final Thread thread;
    final long enqueued = System.nanoTime();
    volatile boolean lead;
    volatile boolean done;
    private Answer answer;
    private Throwable failure;

    Pending(double[] features, int rows, Thread thread) {
      this.features = features;
      this.rows = rows;
      this.thread = thread;
    }

    void complete(Answer value) {
      answer = value;
      done = true;
      LockSupport.unpark(thread);
    }

    void fail(Throwable e) {
      failure = e;
      done = true;
      LockSupport.unpark(thread);
    }

    Answer answer() {
      if (failure instanceof RuntimeException e) {
        throw e;
      }
      if (failure instanceof Error e) {
        throw e;
      }
      return answer;
    }
  }
}

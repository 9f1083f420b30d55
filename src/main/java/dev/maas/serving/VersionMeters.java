package dev.maas.serving;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one loaded model version: each event is recorded in the full figures kept in the
 * server and in the few series the scrape carries. An error outcome's scraped counter is registered
 * on its first error. {@link #close()} removes the scraped ones when the version is unloaded.
 */
final class VersionMeters implements AutoCloseable {
  /** The full figures of a version, in {@link ServingFigures}. */
  record Full(
      Counter success,
      Counter clientError,
      Counter serverError,
      Counter rows,
      Timer latency,
      Timer waiting,
      Timer compute,
      DistributionSummary batchSize) {}

  private final ServingMetrics metrics;
  private final Tags tags;
  private final Full full;
  private final Counter success;
  private final Counter rows;
  private final Timer latency;
  private final Timer waiting;
  private final DistributionSummary batchSize;
  private final List<Meter> scraped;
  private volatile Counter clientError;
  private volatile Counter serverError;
  private volatile boolean closed;

  VersionMeters(
      ServingMetrics metrics, Tags tags, Full full, List<Meter> scraped, boolean detailed) {
    this.metrics = metrics;
    this.tags = tags;
    this.full = full;
    this.scraped = new CopyOnWriteArrayList<>(scraped);
    this.success = (Counter) scraped.get(0);
    this.rows = (Counter) scraped.get(1);
    this.latency = (Timer) scraped.get(2);
    this.waiting = detailed ? (Timer) scraped.get(4) : null;
    this.batchSize = detailed ? (DistributionSummary) scraped.get(5) : null;
  }

  Full full() {
    return full;
  }

  void success(long latencyNanos) {
    full.success().increment();
    full.latency().record(latencyNanos, TimeUnit.NANOSECONDS);
    success.increment();
    latency.record(latencyNanos, TimeUnit.NANOSECONDS);
  }

  void clientError() {
    full.clientError().increment();
    Counter c = clientError;
    if (c == null) {
      c = clientError = scrapedOutcome("client_error");
    }
    c.increment();
  }

  void serverError() {
    full.serverError().increment();
    Counter c = serverError;
    if (c == null) {
      c = serverError = scrapedOutcome("server_error");
    }
    c.increment();
  }

  void predicted(int n, long waitNanos) {
    full.rows().increment(n);
    full.waiting().record(waitNanos, TimeUnit.NANOSECONDS);
    rows.increment(n);
    if (waiting != null) {
      waiting.record(waitNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** One native call: its rows and how long it ran (a scraped compute reads the full one). */
  void call(int n, long nanos) {
    full.compute().record(nanos, TimeUnit.NANOSECONDS);
    full.batchSize().record(n);
    if (batchSize != null) {
      batchSize.record(n);
    }
  }

  private synchronized Counter scrapedOutcome(String outcome) {
    Counter c = ServingMetrics.outcome(tags, outcome, metrics.registry());
    if (closed) {
      metrics.registry().remove(c);
    } else {
      scraped.add(c);
    }
    return c;
  }

  /** Removes the scraped meters; the full figures stay. */
  @Override
  public synchronized void close() {
    closed = true;
    for (Meter m : scraped) {
      metrics.registry().remove(m);
    }
  }
}

package dev.maas.serving;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one loaded model version: each event is recorded in the full figures kept in the
 * server and in the few series the scrape carries, which exist at zero from the load on (every
 * outcome included). {@link #close()} removes the scraped ones when the version is unloaded.
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
  private final String model;
  private final Full full;
  private final Counter success;
  private final Counter rows;
  private final Timer latency;
  private final Timer waiting;
  private final DistributionSummary batchSize;
  private final Counter clientError;
  private final Counter serverError;
  private final List<Meter> scraped;
  private final boolean detailed;
  private boolean closed;

  /**
   * {@code scraped}: success, rows, latency, client errors, server errors, and when {@code
   * detailed} compute, wait and batch size.
   */
  VersionMeters(
      ServingMetrics metrics, String model, Full full, List<Meter> scraped, boolean detailed) {
    this.metrics = metrics;
    this.model = model;
    this.full = full;
    this.scraped = List.copyOf(scraped);
    this.detailed = detailed;
    this.success = (Counter) scraped.get(0);
    this.rows = (Counter) scraped.get(1);
    this.latency = (Timer) scraped.get(2);
    this.clientError = (Counter) scraped.get(3);
    this.serverError = (Counter) scraped.get(4);
    this.waiting = detailed ? (Timer) scraped.get(6) : null;
    this.batchSize = detailed ? (DistributionSummary) scraped.get(7) : null;
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
    clientError.increment();
  }

  void serverError() {
    full.serverError().increment();
    serverError.increment();
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

  /** Removes the scraped meters; the full figures stay. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Meter m : scraped) {
      metrics.registry().remove(m);
    }
    if (detailed) {
      metrics.unloaded(model);
    }
  }
}

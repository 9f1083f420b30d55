package dev.maas.serving;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The meters of one loaded model version: each event is recorded in the full figures kept in the
 * server and in the few series the scrape carries. The request counter carries the {@link Protocol}
 * of the request, every outcome at zero from the start: REST's from the load on, gRPC's from the
 * version's first gRPC request (most versions are never called over gRPC, and the budget counts
 * every series). Rows, latency and wait are the version's whatever the protocol (the cardinality
 * budget), and so are the per-call series (compute, batch size): a merged native call serves
 * requests of both. {@link #close()} removes the scraped ones when the version is unloaded.
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

  /** A version's scraped request counters for one protocol, every outcome from zero. */
  private final class ByProtocol {
    final Counter success;
    final Counter clientError;
    final Counter serverError;

    ByProtocol(Protocol protocol) {
      Tags t = tags.and("protocol", protocol.tag());
      this.success = keep(ServingMetrics.outcome(t, "success", metrics.registry()));
      this.clientError = keep(ServingMetrics.outcome(t, "client_error", metrics.registry()));
      this.serverError = keep(ServingMetrics.outcome(t, "server_error", metrics.registry()));
    }
  }

  private final ServingMetrics metrics;
  private final String model;
  private final Tags tags;
  private final Full full;
  private final boolean detailed;
  private final Counter rows;
  private final Timer latency;
  private final Timer waiting;
  private final DistributionSummary batchSize;
  private final List<Meter> scraped;
  private final ByProtocol[] byProtocol = new ByProtocol[Protocol.values().length];
  private volatile boolean closed;

  /** Makes the twin the warm-up's requests are metered in; null in a twin. */
  private final Supplier<VersionMeters> twin;

  private volatile VersionMeters synthetic;

  /**
   * {@code perCall}: the scraped per-call meters, registered already (none unless detailed; the
   * batch size summary last).
   */
  VersionMeters(
      ServingMetrics metrics,
      String model,
      Tags tags,
      Full full,
      List<Meter> perCall,
      boolean detailed,
      Supplier<VersionMeters> twin) {
    this.metrics = metrics;
    this.twin = twin;
    this.model = model;
    this.tags = tags;
    this.full = full;
    this.detailed = detailed;
    this.scraped = new CopyOnWriteArrayList<>(perCall);
    this.batchSize =
        detailed && !perCall.isEmpty()
            ? (DistributionSummary) perCall.get(perCall.size() - 1)
            : null;
    this.rows = keep(metrics.scrapedRows(tags));
    this.latency = keep(metrics.scrapedLatency(tags, detailed));
    this.waiting = detailed ? keep(metrics.scrapedWait(tags)) : null;
    register(Protocol.REST);
  }

  Full full() {
    return full;
  }

  void success(Protocol protocol, long latencyNanos) {
    VersionMeters m = sink();
    m.full.success().increment();
    m.full.latency().record(latencyNanos, TimeUnit.NANOSECONDS);
    m.of(protocol).success.increment();
    m.latency.record(latencyNanos, TimeUnit.NANOSECONDS);
  }

  void clientError(Protocol protocol) {
    VersionMeters m = sink();
    m.full.clientError().increment();
    m.of(protocol).clientError.increment();
  }

  void serverError(Protocol protocol) {
    VersionMeters m = sink();
    m.full.serverError().increment();
    m.of(protocol).serverError.increment();
  }

  void predicted(int n, long waitNanos) {
    VersionMeters m = sink();
    m.full.rows().increment(n);
    m.full.waiting().record(waitNanos, TimeUnit.NANOSECONDS);
    m.rows.increment(n);
    if (m.waiting != null) {
      m.waiting.record(waitNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** One native call: its rows and how long it ran (a scraped compute reads the full one). */
  void call(int n, long nanos) {
    VersionMeters m = sink();
    m.full.compute().record(nanos, TimeUnit.NANOSECONDS);
    m.full.batchSize().record(n);
    if (m.batchSize != null) {
      m.batchSize.record(n);
    }
  }

  /**
   * These meters, or on a thread that serves a warm-up request ({@link SyntheticTraffic}) their
   * twin in {@link ServingMetrics#synthetic()}: the same code runs, and no client's figure moves.
   */
  private VersionMeters sink() {
    if (twin == null || !SyntheticTraffic.active()) {
      return this;
    }
    VersionMeters s = synthetic;
    if (s == null) {
      synchronized (this) {
        s = synthetic;
        if (s == null) {
          s = twin.get();
          synthetic = s;
        }
      }
    }
    return s;
  }

  private ByProtocol of(Protocol protocol) {
    ByProtocol p = byProtocol[protocol.ordinal()];
    return p != null ? p : register(protocol);
  }

  private synchronized ByProtocol register(Protocol protocol) {
    ByProtocol p = byProtocol[protocol.ordinal()];
    if (p == null) {
      p = new ByProtocol(protocol);
      byProtocol[protocol.ordinal()] = p;
    }
    return p;
  }

  /** Keeps a newly registered scraped meter for {@link #close()}, or removes it if closed. */
  private synchronized <M extends Meter> M keep(M meter) {
    if (closed) {
      metrics.registry().remove(meter);
    } else {
      scraped.add(meter);
    }
    return meter;
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
    VersionMeters s = synthetic;
    if (s != null) {
      s.close();
    }
  }
}

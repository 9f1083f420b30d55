package dev.maas.capacity;

import dev.maas.serving.ServingMeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.search.Search;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Reads what serving recorded, by meter name ({@link ServingMeterNames}) and tags (serving
 * registers the meters; capacity only reads them): requests, rows, latency, waiting and compute
 * time, batch sizes and loaded-model memory per model version.
 */
final class ServingMeters {
  static final String PREDICTIONS = ServingMeterNames.PREDICTIONS;
  static final String ROWS = ServingMeterNames.ROWS;
  static final String LATENCY = ServingMeterNames.LATENCY;
  static final String WAIT = ServingMeterNames.WAIT;
  static final String COMPUTE = ServingMeterNames.COMPUTE;
  static final String BATCH_SIZE = ServingMeterNames.BATCH_SIZE;
  static final String MODEL_MEMORY = ServingMeterNames.MODEL_MEMORY;

  /** A model version as its tags name it. */
  record Key(String model, String version) {}

  /**
   * What was measured for one version; times in seconds, NaN where nothing was recorded.
   *
   * @param family the family tag, or null
   * @param requests requests of every outcome
   * @param serverErrors requests with outcome server_error
   * @param clientErrors requests with outcome client_error
   * @param rows rows predicted
   * @param latencyP50 median whole-request latency, from the histogram
   * @param latencyP99 99th percentile whole-request latency, from the histogram
   * @param waitP99 99th percentile of the time spent queued and in the batch window
   * @param computeSeconds total time of the ND4J calls
   * @param computeCalls ND4J calls (merged batches)
   * @param batchedRows rows in those calls
   * @param memoryBytes bytes the loaded version holds, if serving reports it per version
   */
  record Measured(
      String family,
      double requests,
      double serverErrors,
      double clientErrors,
      double rows,
      double latencyP50,
      double latencyP99,
      double waitP99,
      double computeSeconds,
      double computeCalls,
      double batchedRows,
      double memoryBytes) {

    /** Seconds of ND4J compute per predicted row, or NaN before any batch. */
    double computeSecondsPerRow() {
      return batchedRows > 0 ? computeSeconds / batchedRows : Double.NaN;
    }
  }

  private final MeterRegistry registry;

  ServingMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Every model version that served, in the order first seen. */
  Set<Key> served() {
    Set<Key> out = new LinkedHashSet<>();
    for (String name : List.of(PREDICTIONS, ROWS)) {
      for (Meter m : registry.find(name).meters()) {
        String model = m.getId().getTag("model");
        String version = m.getId().getTag("version");
        if (model != null && version != null) {
          out.add(new Key(model, version));
        }
      }
    }
    return out;
  }

  Measured read(Key key) {
    String family = null;
    double requests = 0;
    double serverErrors = 0;
    double clientErrors = 0;
    for (Counter c : find(PREDICTIONS, key).counters()) {
      family = family != null ? family : c.getId().getTag("family");
      requests += c.count();
      String outcome = c.getId().getTag("outcome");
      if ("server_error".equals(outcome)) {
        serverErrors += c.count();
      } else if ("client_error".equals(outcome)) {
        clientErrors += c.count();
      }
    }
    double rows = 0;
    for (Counter c : find(ROWS, key).counters()) {
      family = family != null ? family : c.getId().getTag("family");
      rows += c.count();
    }
    Collection<Timer> latency = find(LATENCY, key).timers();
    double[] p = quantiles(latency, 0.5, 0.99);
    double waitP99 = quantiles(find(WAIT, key).timers(), 0.99)[0];
    double computeSeconds = 0;
    double computeCalls = 0;
    for (Timer t : find(COMPUTE, key).timers()) {
      computeSeconds += t.totalTime(TimeUnit.SECONDS);
      computeCalls += t.count();
    }
    double batchedRows = 0;
    for (DistributionSummary s : find(BATCH_SIZE, key).summaries()) {
      batchedRows += s.totalAmount();
    }
    double memory = Double.NaN;
    for (Gauge g : find(MODEL_MEMORY, key).gauges()) {
      memory = (Double.isNaN(memory) ? 0 : memory) + g.value();
    }
    return new Measured(
        family,
        requests,
        serverErrors,
        clientErrors,
        rows,
        p[0],
        p[1],
        waitP99,
        computeSeconds,
        computeCalls,
        batchedRows,
        memory);
  }

  private Search find(String name, Key key) {
    return registry.find(name).tag("model", key.model()).tag("version", key.version());
  }

  /** Quantiles in seconds of the merged histograms of {@code timers}; NaN when none recorded. */
  static double[] quantiles(Collection<Timer> timers, double... qs) {
    List<CountAtBucket[]> histograms = new ArrayList<>();
    double total = 0;
    for (Timer t : timers) {
      var snapshot = t.takeSnapshot();
      histograms.add(snapshot.histogramCounts());
      total += snapshot.count();
    }
    double[][] merged = Quantiles.merge(histograms, b -> b.bucket(TimeUnit.SECONDS));
    double[] out = new double[qs.length];
    for (int i = 0; i < qs.length; i++) {
      out[i] = Quantiles.quantile(qs[i], merged[0], merged[1], total);
    }
    return out;
  }
}

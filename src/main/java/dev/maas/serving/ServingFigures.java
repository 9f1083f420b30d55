package dev.maas.serving;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The full serving figures of every model version that served, kept in the server and never
 * scraped: requests by outcome, rows, and detailed latency, wait, compute and batch-size
 * histograms, under the names of {@link ServingMeterNames}. The scrape carries a budgeted subset
 * ({@code maas.metrics.*}); the capacity report reads these. They outlive a version's unloading, so
 * a version evicted and loaded again keeps its history.
 */
public final class ServingFigures {
  private final MeterRegistry registry;

  /**
   * A registry of its own that is never scraped, with the percentile histograms it is asked for.
   */
  ServingFigures() {
    this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  ServingFigures(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The registry the figures are in, to read by meter name and tags. */
  public MeterRegistry registry() {
    return registry;
  }
}

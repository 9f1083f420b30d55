package dev.maas.serving;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code maas.metrics.*}: how much of each loaded model version's serving meters the scrape
 * carries. By default a version has a handful of series (requests by outcome, rows and one latency
 * histogram with {@code latencyBuckets}); detailed versions add the full latency, wait and
 * batch-size histograms and the compute time. The capacity report reads full figures kept in the
 * server either way.
 *
 * @param detail which versions get detailed histograms: {@code none}, {@code aliased} (versions an
 *     alias points at when they are loaded, and {@code detailedModels}) or {@code all}
 * @param detailedModels model names whose versions always get detailed histograms
 * @param latencyBuckets the upper bounds of the latency histogram every version has (at most 10,
 *     ascending)
 */
@ConfigurationProperties("maas.metrics")
@Validated
public record MetricsProperties(
    @DefaultValue("aliased") Detail detail,
    @DefaultValue List<String> detailedModels,
    @DefaultValue("100ms") List<Duration> latencyBuckets) {

  /** Which versions get detailed histograms. */
  public enum Detail {
    NONE,
    ALIASED,
    ALL
  }

  public MetricsProperties {
    detailedModels = detailedModels == null ? List.of() : List.copyOf(detailedModels);
    if (latencyBuckets == null || latencyBuckets.isEmpty() || latencyBuckets.size() > 10) {
      throw new IllegalArgumentException(
          "maas.metrics.latency-buckets must hold 1 to 10 durations");
    }
    for (int i = 0; i < latencyBuckets.size(); i++) {
      if (latencyBuckets.get(i).isNegative()
          || latencyBuckets.get(i).isZero()
          || (i > 0 && latencyBuckets.get(i).compareTo(latencyBuckets.get(i - 1)) <= 0)) {
        throw new IllegalArgumentException(
            "maas.metrics.latency-buckets must be positive and ascending, not " + latencyBuckets);
      }
    }
    latencyBuckets = List.copyOf(latencyBuckets);
  }

  /** The defaults, for code that builds serving without Spring. */
  static MetricsProperties defaults() {
    return new MetricsProperties(Detail.ALIASED, List.of(), List.of(Duration.ofMillis(100)));
  }

  /**
   * Whether a version of {@code model} gets detailed histograms; {@code aliased}: an alias names
   * it.
   */
  boolean detailed(String model, boolean aliased) {
    return switch (detail) {
      case NONE -> false;
      case ALL -> true;
      case ALIASED -> aliased || detailedModels.contains(model);
    };
  }
}

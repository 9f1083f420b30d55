package dev.maas.serving;

import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code maas.serving.*}: the prediction endpoints' model cache, batching and request limits.
 *
 * @param cacheSize native memory the loaded models may hold together; the least recently used idle
 *     model is unloaded first when a load would go over it (a single model larger than the budget
 *     is still served, alone)
 * @param maxConcurrentLoads how many model versions may load at once; a first request waits for its
 *     turn up to {@code loadWait}, then is answered 429 (requests to loaded versions never wait for
 *     loads)
 * @param loadWait how long a request for a version that is not loaded waits for a turn to load it
 *     while {@code maxConcurrentLoads} others load, before it is answered 429 with Retry-After
 * @param maxBatchRows the most rows one merged prediction call takes
 * @param maxBatchWait how long a merged call waits for requests already in flight to join it; a
 *     lone request never waits
 * @param maxInstances the most instances one prediction request may carry
 * @param maxRequestSize the largest prediction request body
 * @param unloadAfter how long a loaded version that no alias points at any more, and that is not
 *     the latest, stays loaded without serving a request before it is unloaded
 * @param warmup the warm-up the server runs before it says it is ready
 */
@ConfigurationProperties("maas.serving")
@Validated
public record ServingProperties(
    @DefaultValue("1GB") DataSize cacheSize,
    @DefaultValue("4") @Min(1) int maxConcurrentLoads,
    @DefaultValue("30s") Duration loadWait,
    @DefaultValue("64") @Min(1) int maxBatchRows,
    @DefaultValue("1ms") Duration maxBatchWait,
    @DefaultValue("10000") @Min(1) int maxInstances,
    @DefaultValue("16MB") DataSize maxRequestSize,
    @DefaultValue("60s") Duration unloadAfter,
    @DefaultValue Warmup warmup) {

  /**
   * {@code maas.serving.warmup.*}: before the readiness probe says ready, the server loads the
   * versions in use of its most recently updated models (those an alias points at, and the one a
   * request naming neither gets) and sends them synthetic prediction requests through its own HTTP
   * port until the JIT compilers have gone quiet, so that clients get full speed from their first
   * request; none of it is metered. While it runs it loads a version an alias comes to point at
   * before its first request.
   *
   * @param enabled whether the server warms up before it is ready
   * @param duration the most time the warm-up at start spends, loading included; it ends sooner
   *     once compilation has been quiet for 3/4 s
   * @param concurrency connections the warm-up at start sends requests on at once (as many as the
   *     clients' is best: the batcher's merged path is compiled too)
   * @param maxModels the most recently updated models whose versions in use are loaded and warmed
   *     (within the cache's budget), at start and when an alias moves
   * @param afterLoad how long a version loaded while serving is warmed with direct calls before its
   *     first request is answered
   * @param readyWithin the warm-up at start ends at the latest this long after the JVM started (so
   *     that a fast start leaves it more time and the time to ready stays bounded), though it
   *     always sends requests for at least a second; 0 for no such bound
   */
  public record Warmup(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("10s") Duration duration,
      @DefaultValue("32") @Min(1) int concurrency,
      @DefaultValue("8") @Min(0) int maxModels,
      @DefaultValue("100ms") Duration afterLoad,
      @DefaultValue("9s") Duration readyWithin) {
    public Warmup {
      if (duration.isNegative() || afterLoad.isNegative() || readyWithin.isNegative()) {
        throw new IllegalArgumentException(
            "maas.serving.warmup.duration, after-load and ready-within must not be negative");
      }
    }
  }

  public ServingProperties {
    if (cacheSize.toBytes() < 1 || maxRequestSize.toBytes() < 1) {
      throw new IllegalArgumentException(
          "maas.serving.cache-size and max-request-size must be at least 1B");
    }
    if (maxBatchWait.isNegative() || unloadAfter.isNegative() || loadWait.isNegative()) {
      throw new IllegalArgumentException(
          "maas.serving.max-batch-wait, unload-after and load-wait must not be negative");
    }
  }
}

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
   * version each model serves by default and sends it synthetic prediction requests through its own
   * HTTP port, so that the JIT has compiled the request path, JSON reading and writing and the
   * model's calls before clients come; a version loaded later is warmed with direct calls.
   *
   * @param enabled whether the server warms up before it is ready
   * @param duration how long the warm-up at start sends requests, once the models are loaded (the
   *     time to ready grows by this)
   * @param concurrency connections the warm-up at start sends requests on at once
   * @param maxModels the most models warmed at start (the most recently updated first), within the
   *     cache's budget
   * @param afterLoad how long a version loaded while serving is warmed with direct calls before its
   *     first request is answered
   */
  public record Warmup(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("3s") Duration duration,
      @DefaultValue("8") @Min(1) int concurrency,
      @DefaultValue("4") @Min(0) int maxModels,
      @DefaultValue("100ms") Duration afterLoad) {
    public Warmup {
      if (duration.isNegative() || afterLoad.isNegative()) {
        throw new IllegalArgumentException(
            "maas.serving.warmup.duration and after-load must not be negative");
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

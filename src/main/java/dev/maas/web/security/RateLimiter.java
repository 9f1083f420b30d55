package dev.maas.web.security;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per API key (Bucket4j): {@code burst} requests at once, refilled at {@code
 * requestsPerSecond}. One limiter counts a key's requests over every protocol (HTTP and gRPC). Keys
 * are configured, so the map of buckets is bounded.
 */
final class RateLimiter {
  private final int requestsPerSecond;
  private final int burst;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  RateLimiter(int requestsPerSecond, int burst) {
    this.requestsPerSecond = requestsPerSecond;
    this.burst = burst;
  }

  /** Takes a token for {@code caller}: 0 when it had one, else the seconds until it will. */
  long take(String caller) {
    ConsumptionProbe probe =
        buckets.computeIfAbsent(caller, k -> newBucket()).tryConsumeAndReturnRemaining(1);
    if (probe.isConsumed()) {
      return 0;
    }
    return Math.max(1, (long) Math.ceil(probe.getNanosToWaitForRefill() / 1_000_000_000.0));
  }

  /** What a refused request is told. */
  String refusal(String caller, long seconds) {
    return "API key '"
        + caller
        + "' is over its rate limit of "
        + requestsPerSecond
        + " requests per second (burst "
        + burst
        + "); retry after "
        + seconds
        + " s";
  }

  private Bucket newBucket() {
    return Bucket.builder()
        .addLimit(
            Bandwidth.builder()
                .capacity(burst)
                .refillGreedy(requestsPerSecond, Duration.ofSeconds(1))
                .build())
        .build();
  }
}

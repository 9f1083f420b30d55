package dev.maas.web.security;

import dev.maas.web.Callers;
import dev.maas.web.ErrorResponses;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A token bucket per API key (Bucket4j): {@code burst} requests at once, refilled at {@code
 * requestsPerSecond}; a request with an empty bucket is answered 429 with {@code Retry-After}.
 * Requests without a key (open endpoints) are not counted. Keys are configured, so the map of
 * buckets is bounded.
 */
final class RateLimitFilter extends OncePerRequestFilter {
  private final int requestsPerSecond;
  private final int burst;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  RateLimitFilter(int requestsPerSecond, int burst) {
    this.requestsPerSecond = requestsPerSecond;
    this.burst = burst;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Optional<String> caller = Callers.current();
    if (caller.isPresent() && request.getAttribute(WarmupKey.ATTRIBUTE) == null) {
      ConsumptionProbe probe =
          buckets.computeIfAbsent(caller.get(), k -> newBucket()).tryConsumeAndReturnRemaining(1);
      if (!probe.isConsumed()) {
        long seconds =
            Math.max(1, (long) Math.ceil(probe.getNanosToWaitForRefill() / 1_000_000_000.0));
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        ErrorResponses.write(
            request,
            response,
            HttpStatus.TOO_MANY_REQUESTS,
            "API key '"
                + caller.get()
                + "' is over its rate limit of "
                + requestsPerSecond
                + " requests per second (burst "
                + burst
                + "); retry after "
                + seconds
                + " s");
        return;
      }
    }
    chain.doFilter(request, response);
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

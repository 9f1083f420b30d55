package dev.maas.web.security;

import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * API keys for transports other than HTTP (the gRPC server): the same keys, roles and rate limit
 * (one bucket per key across protocols) and the same messages as the HTTP filters give.
 */
public final class ApiKeyCheck {
  /** What a check decided. */
  public enum Outcome {
    ALLOWED,
    UNAUTHENTICATED,
    PERMISSION_DENIED,
    RATE_LIMITED
  }

  /**
   * A check's decision: the caller's key name when known, and for a refusal what to tell the caller
   * ({@code retryAfterSeconds} for {@link Outcome#RATE_LIMITED}).
   */
  public record Verdict(Outcome outcome, String caller, String message, long retryAfterSeconds) {
    static Verdict allowed(String caller) {
      return new Verdict(Outcome.ALLOWED, caller, null, 0);
    }
  }

  private static final String BEARER = "bearer ";

  private final boolean enabled;
  private final ApiKeys keys;
  private final RateLimiter limiter;

  ApiKeyCheck(boolean enabled, ApiKeys keys, RateLimiter limiter) {
    this.enabled = enabled;
    this.keys = keys;
    this.limiter = limiter;
  }

  ApiKeys keys() {
    return keys;
  }

  /** The per-key rate limit, or null when off. */
  RateLimiter limiter() {
    return limiter;
  }

  /**
   * Whether {@code authorization} (the {@code Bearer <key>} credentials, or null) may call an
   * operation of the {@code predict} role, named {@code operation} in a refusal. With security off
   * every call is allowed.
   */
  public Verdict predict(String authorization, String operation) {
    if (!enabled) {
      return Verdict.allowed(null);
    }
    if (authorization == null) {
      return new Verdict(
          Outcome.UNAUTHENTICATED,
          null,
          "an API key is required: send 'authorization: Bearer <key>'",
          0);
    }
    Optional<ApiKey> key = Optional.empty();
    if (authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      String presented = authorization.substring(BEARER.length()).trim();
      key = presented.isEmpty() ? Optional.empty() : keys.authenticate(presented);
    }
    if (key.isEmpty()) {
      return new Verdict(
          Outcome.UNAUTHENTICATED,
          null,
          "the API key is not valid; send 'authorization: Bearer <key>' with a configured key",
          0);
    }
    String name = key.get().name();
    if (!key.get().roles().contains(Role.PREDICT)) {
      String roles =
          key.get().roles().stream()
              .map(r -> r.name().toLowerCase(Locale.ROOT))
              .sorted()
              .collect(Collectors.joining(", "));
      return new Verdict(
          Outcome.PERMISSION_DENIED,
          name,
          "API key '" + name + "' (roles: " + roles + ") may not call " + operation,
          0);
    }
    if (limiter != null) {
      long seconds = limiter.take(name);
      if (seconds > 0) {
        return new Verdict(Outcome.RATE_LIMITED, name, limiter.refusal(name, seconds), seconds);
      }
    }
    return Verdict.allowed(name);
  }
}

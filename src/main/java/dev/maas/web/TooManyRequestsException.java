package dev.maas.web;

import java.time.Duration;
import org.springframework.http.HttpStatus;

/** The server is at capacity (e.g. the training queue is full): 429 with {@code Retry-After}. */
public class TooManyRequestsException extends ApiException {
  private final Duration retryAfter;

  public TooManyRequestsException(String message, Duration retryAfter) {
    super(HttpStatus.TOO_MANY_REQUESTS, message);
    this.retryAfter = retryAfter;
  }

  /** How long the client should wait before trying again. */
  public Duration retryAfter() {
    return retryAfter;
  }
}

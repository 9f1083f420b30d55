package dev.maas.errors;

import java.time.Duration;

/** The server is at capacity (e.g. the training queue is full); trying again later may succeed. */
public final class BusyException extends DomainException {
  private final Duration retryAfter;

  public BusyException(String message, Duration retryAfter) {
    super(message);
    this.retryAfter = retryAfter;
  }

  /** How long the caller should wait before trying again. */
  public Duration retryAfter() {
    return retryAfter;
  }
}

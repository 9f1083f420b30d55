package dev.maas.web;

import org.springframework.http.HttpStatus;

/**
 * The root of maas' small exception tree: an error a client caused or can act on, with the HTTP
 * status it maps to. {@link ProblemDetailsAdvice} turns it into an RFC 9457 problem details body.
 */
public abstract class ApiException extends RuntimeException {
  private final HttpStatus status;

  protected ApiException(HttpStatus status, String message) {
    super(message);
    this.status = status;
  }

  public HttpStatus status() {
    return status;
  }
}

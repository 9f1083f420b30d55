package dev.maas.web;

import org.springframework.http.HttpStatus;

/** A request body over its configured limit: 413. */
public class PayloadTooLargeException extends ApiException {
  public PayloadTooLargeException(String message) {
    super(HttpStatus.CONTENT_TOO_LARGE, message);
  }
}

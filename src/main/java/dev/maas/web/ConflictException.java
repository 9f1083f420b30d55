package dev.maas.web;

import org.springframework.http.HttpStatus;

/**
 * A request that contradicts the current state, e.g. deleting a version an alias points at: 409.
 */
public class ConflictException extends ApiException {
  public ConflictException(String message) {
    super(HttpStatus.CONFLICT, message);
  }
}

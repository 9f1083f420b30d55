package dev.maas.errors;

/**
 * A request that contradicts the current state, e.g. deleting a version an alias points at, or
 * using a dataset or version whose stored bytes are corrupt.
 */
public non-sealed class ConflictException extends DomainException {
  public ConflictException(String message) {
    super(message);
  }
}

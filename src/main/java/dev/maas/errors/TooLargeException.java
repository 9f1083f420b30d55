package dev.maas.errors;

/** Input over its configured size limit (a body, an upload, a dataset). */
public final class TooLargeException extends DomainException {
  public TooLargeException(String message) {
    super(message);
  }
}

package dev.maas.errors;

/** An unknown model, version, alias, dataset or job. */
public final class NotFoundException extends DomainException {
  public NotFoundException(String message) {
    super(message);
  }
}

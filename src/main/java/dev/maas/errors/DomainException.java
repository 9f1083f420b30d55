package dev.maas.errors;

/**
 * The root of maas' small exception tree: a failure the caller caused or can act on, as opposed to
 * a bug or a broken disk. Its message is written for the caller and names what is wrong.
 */
public abstract sealed class DomainException extends RuntimeException
    permits NotFoundException,
        ConflictException,
        InvalidException,
        TooLargeException,
        BusyException {

  protected DomainException(String message) {
    super(message);
  }
}

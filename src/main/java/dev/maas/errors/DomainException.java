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

  /**
   * What a message quotes of a caller's input: {@code text} itself, or its first 40 characters and
   * an ellipsis, so that a huge value does not make a huge answer.
   */
  public static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "…";
  }
}

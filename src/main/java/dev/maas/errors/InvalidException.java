package dev.maas.errors;

import java.util.List;

/**
 * Input that breaks a rule: a malformed name, body, parameter, spec or data. Two kinds: a parser
 * stops at the first rule broken ({@link #InvalidException(String)}), while a validation collects
 * every problem it finds ({@link #listing(List)}) so that the caller can fix them all at once.
 */
public final class InvalidException extends DomainException {
  private final List<String> problems;
  private final boolean listsProblems;

  /** The first rule broken, the message naming it. */
  public InvalidException(String message) {
    super(message);
    this.problems = List.of(message);
    this.listsProblems = false;
  }

  private InvalidException(List<String> problems) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
    this.listsProblems = true;
  }

  /** Every problem a validation found, each naming its field; at least one. */
  public static InvalidException listing(List<String> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("an invalid request has at least one problem");
    }
    return new InvalidException(problems);
  }

  /** The one problem a validation found. */
  public static InvalidException listing(String problem) {
    return listing(List.of(problem));
  }

  /**
   * Each problem, naming its field, e.g. {@code "training.epochs must be at least 1"}; for a
   * parser's refusal, its message alone.
   */
  public List<String> problems() {
    return problems;
  }

  /** Whether this lists every problem a validation found, rather than a parser's first refusal. */
  public boolean listsProblems() {
    return listsProblems;
  }
}

package dev.maas.compute;

import java.util.List;

/** A spec, training parameters or data that cannot be trained, with every problem found. */
public class InvalidRequestException extends IllegalArgumentException {
  private final List<String> problems;

  public InvalidRequestException(List<String> problems) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public InvalidRequestException(String problem) {
    this(List.of(problem));
  }

  /** Each problem, naming its field, e.g. {@code "training.epochs must be at least 1"}. */
  public List<String> problems() {
    return problems;
  }
}

package dev.maas.compute;

import dev.maas.errors.InvalidException;
import java.util.ArrayList;
import java.util.List;

/** Collects every problem of a request, each naming its field, to report them all at once. */
public final class Problems {
  private final List<String> messages = new ArrayList<>();

  /** Records {@code field + " " + message} when {@code ok} is false. */
  public Problems require(boolean ok, String field, String message) {
    if (!ok) {
      add(field, message);
    }
    return this;
  }

  /** Records a problem of {@code field}. */
  public Problems add(String field, String message) {
    messages.add(field + " " + message);
    return this;
  }

  public boolean isEmpty() {
    return messages.isEmpty();
  }

  public List<String> messages() {
    return List.copyOf(messages);
  }

  /** Throws {@link InvalidException} listing every problem, if there is any. */
  public void throwIfAny() {
    if (!messages.isEmpty()) {
      throw InvalidException.listing(messages);
    }
  }
}

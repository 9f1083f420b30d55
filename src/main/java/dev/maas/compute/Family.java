package dev.maas.compute;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/** The five model families maas trains. */
public enum Family {
  LINEAR_REGRESSION,
  LOGISTIC_REGRESSION,
  MLP,
  CNN,
  RNN;

  /** The name used on the wire and in model files, e.g. {@code linear_regression}. */
  @JsonValue
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Parses a wire name; throws {@link IllegalArgumentException} naming the accepted values. */
  @JsonCreator
  public static Family fromWireName(String name) {
    return Arrays.stream(values())
        .filter(f -> f.wireName().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown family '" + name + "'; expected one of " + Arrays.toString(values())));
  }

  @Override
  public String toString() {
    return wireName();
  }
}

package dev.maas.compute;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a model predicts: real values or one class out of several. */
public enum Task {
  REGRESSION,
  CLASSIFICATION;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

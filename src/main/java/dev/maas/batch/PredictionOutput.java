package dev.maas.batch;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;

/**
 * Which prediction columns a job writes for a classifier: the label, one probability column per
 * class, or both. A regression model writes its value(s) whichever is asked.
 */
enum PredictionOutput {
  LABELS,
  PROBABILITIES,
  BOTH;

  @JsonValue
  String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  static PredictionOutput of(String wire) {
    return Arrays.stream(values())
        .filter(s -> s.wireName().equals(wire))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown output '" + wire + "'"));
  }

  boolean labels() {
    return this != PROBABILITIES;
  }

  boolean probabilities() {
    return this != LABELS;
  }
}

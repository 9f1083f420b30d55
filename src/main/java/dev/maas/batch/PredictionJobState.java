package dev.maas.batch;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;

/** The life of a prediction job: queued, running, then one of the three final states. */
enum PredictionJobState {
  QUEUED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  @JsonValue
  String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  static PredictionJobState of(String wire) {
    return Arrays.stream(values())
        .filter(s -> s.wireName().equals(wire))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown job state '" + wire + "'"));
  }

  boolean finished() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}

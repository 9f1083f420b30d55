package dev.maas.training;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;

/** The life of a training job: queued, running, then one of the three final states. */
enum JobState {
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
  static JobState of(String wire) {
    return Arrays.stream(values())
        .filter(s -> s.wireName().equals(wire))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown job state '" + wire + "'"));
  }

  boolean finished() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}

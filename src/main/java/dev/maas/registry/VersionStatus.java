package dev.maas.registry;

import com.fasterxml.jackson.annotation.JsonValue;

/** Whether a version's artifact can be served. */
public enum VersionStatus {
  /** The artifact is present and its SHA-256 matched when last checked. */
  READY,
  /** The artifact or its metadata is missing, unreadable or does not match its SHA-256. */
  CORRUPT;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

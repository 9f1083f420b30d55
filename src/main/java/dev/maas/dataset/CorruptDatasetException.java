package dev.maas.dataset;

import dev.maas.errors.ConflictException;

/** A dataset whose data file is missing or does not match its SHA-256: never used. */
public class CorruptDatasetException extends ConflictException {
  public CorruptDatasetException(String id, String why) {
    super("dataset " + id + " is corrupt: " + why);
  }
}

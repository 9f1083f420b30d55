package dev.maas.registry;

import dev.maas.errors.ConflictException;

/** A version whose artifact is missing or does not match its SHA-256: never served. */
public class CorruptArtifactException extends ConflictException {
  public CorruptArtifactException(String name, int version, String why) {
    super("model '" + name + "' version " + version + " is corrupt: " + why);
  }
}

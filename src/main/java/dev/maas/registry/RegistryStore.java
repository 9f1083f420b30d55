package dev.maas.registry;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where registered models, their versions, aliases and artifacts live. The embedded default is
 * {@link FileRegistryStore}; a shared database and object store can implement this for several
 * replicas. Implementations are thread-safe, number versions without gaps under concurrent
 * registrations, and keep every alias pointing at an existing version.
 *
 * <p>Methods take valid names (see {@link Names}); unknown models, versions and aliases throw
 * {@link dev.maas.errors.NotFoundException}, state conflicts {@link
 * dev.maas.errors.ConflictException}.
 */
public interface RegistryStore {

  /**
   * Stores {@code artifact} as the next version of {@code name}, creating the model if new. A draft
   * whose {@link VersionDraft#registeringJob} already registered a version of {@code name} gets
   * that version back and stores nothing: a job registers once, even when it runs again after a
   * restart or a takeover that came between its registration and its end.
   */
  ModelVersion register(String name, VersionDraft draft, byte[] artifact);

  Optional<RegisteredModel> model(String name);

  /** Every registered model, by name. */
  List<RegisteredModel> models();

  /** The versions of a model, by number. */
  List<ModelVersion> versions(String name);

  Optional<ModelVersion> version(String name, int version);

  /**
   * The artifact's bytes after checking its SHA-256; a mismatch marks the version CORRUPT and
   * throws {@link CorruptArtifactException}.
   */
  byte[] artifact(String name, int version);

  /**
   * Marks a version CORRUPT, e.g. when its file passed the SHA-256 check but cannot be decoded; it
   * is never served again and can only be deleted.
   */
  void markCorrupt(String name, int version);

  RegisteredModel updateModel(String name, String description, Map<String, String> tags);

  ModelVersion updateVersion(
      String name, int version, String description, Map<String, String> tags);

  /** Deletes a model with all its versions and aliases. */
  void deleteModel(String name);

  /** Deletes a version; refused while an alias points at it. */
  void deleteVersion(String name, int version);

  /** Points {@code alias} at an existing version, atomically replacing where it pointed. */
  RegisteredModel setAlias(String name, String alias, int version);

  RegisteredModel deleteAlias(String name, String alias);

  /** What the last start-up scan found wrong: unreadable metadata, missing artifacts. */
  List<String> problems();
}

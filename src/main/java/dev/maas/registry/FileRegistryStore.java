package dev.maas.registry;

import dev.maas.errors.ConflictException;
import dev.maas.errors.NotFoundException;
import dev.maas.registry.StoredRecords.StoredModel;
import dev.maas.registry.StoredRecords.StoredVersion;
import dev.maas.storage.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The embedded registry store: one folder per model under {@code <root>/models}, the files are the
 * truth and an in-memory index is rebuilt from them at start.
 *
 * <pre>
 * models/churn/model.json           description, tags, aliases, latest version, times
 * models/churn/3/model.maas         the artifact
 * models/churn/3/version.json       the version's metadata, written last: its presence commits it
 * </pre>
 *
 * Every file is written atomically and durably ({@link DurableFiles}). Changes to one model are
 * serialized by a lock per model, so numbers are gapless and aliases never dangle; different models
 * proceed in parallel.
 */
public final class FileRegistryStore implements RegistryStore {
  private static final Logger log = LoggerFactory.getLogger(FileRegistryStore.class);
  static final String MODEL_FILE = "model.json";
  static final String VERSION_FILE = "version.json";
  static final String ARTIFACT_FILE = "model.maas";

  private final Path models;
  private final Clock clock;
  private final Provenance provenance;
  private final JsonMapper json = JsonMapper.builder().build();

  /** By name, so that listing is in name order without sorting thousands of names each time. */
  private final ConcurrentSkipListMap<String, Entry> index = new ConcurrentSkipListMap<>();

  private final List<String> problems = new CopyOnWriteArrayList<>();

  /**
   * The start-up scan, which fills {@link #index}: it runs in the background while the rest of the
   * server starts (thousands of models take a second or more to read), and every method waits for
   * it, so nothing ever sees a half-filled index. {@link #awaitOpen} fails if the scan did.
   */
  private final CompletableFuture<Void> scan;

  /**
   * Set once {@link #scan} has succeeded: the methods' check costs one volatile read after that.
   */
  private volatile boolean open;

  /**
   * One model's state. Every change holds its monitor; the two reads every prediction makes, {@link
   * #model} and {@link #version}, do not, so concurrent requests never queue on a model's monitor:
   * the fields are volatile, the versions a concurrent map, and a new version is put in before the
   * model names it latest.
   */
  private static final class Entry {
    volatile RegisteredModel model;
    final ConcurrentSkipListMap<Integer, ModelVersion> versions = new ConcurrentSkipListMap<>();
    volatile boolean deleted;
  }

  /**
   * Opens (creating if needed) the store under {@code root} and starts scanning it in the
   * background; {@link #awaitOpen} waits for the scan.
   */
  public FileRegistryStore(Path root, Clock clock, Provenance provenance) {
    this.models = root.resolve("models");
    this.clock = clock;
    this.provenance = provenance;
    try {
      Files.createDirectories(models);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the registry under " + root, e);
    }
    this.scan =
        CompletableFuture.runAsync(
            this::scan,
            task -> {
              Thread t = new Thread(task, "registry-open");
              t.setDaemon(true);
              t.start();
            });
  }

  private void scan() {
    try {
      RegistryScan scan = RegistryScan.of(models, json);
      scan.models()
          .forEach(
              (name, found) -> {
                Entry entry = new Entry();
                entry.versions.putAll(found.versions());
                entry.model = found.model();
                index.put(name, entry);
              });
      problems.addAll(scan.problems());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the registry under " + models.getParent(), e);
    }
  }

  /**
   * Waits until the start-up scan has read every model; throws what stopped it if it failed (an
   * unreadable {@code models} folder), so that the server does not start on a partial registry.
   */
  public void awaitOpen() {
    if (open) {
      return;
    }
    try {
      scan.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
    open = true;
  }

  // ---- writes --------------------------------------------------------------------------------

  @Override
  public ModelVersion register(String name, VersionDraft draft, byte[] artifact) {
    awaitOpen();
    String sha256 = sha256(artifact);
    while (true) {
      Entry entry = index.computeIfAbsent(name, n -> new Entry());
      synchronized (entry) {
        if (entry.deleted) {
          continue; // deleted concurrently: start again with a fresh entry
        }
        String job = draft.registeringJob();
        for (ModelVersion earlier :
            job == null ? List.<ModelVersion>of() : entry.versions.values()) {
          if (earlier.lineage() != null && job.equals(earlier.lineage().trainingJobId())) {
            return earlier; // this job registered already: once per job, whoever asks again
          }
        }
        try {
          Instant now = clock.instant();
          Path dir = models.resolve(name);
          Files.createDirectories(dir);
          int number = (entry.model == null ? 0 : entry.model.latestVersion()) + 1;
          Path versionDir = dir.resolve(Integer.toString(number));
          if (Files.exists(versionDir)) {
            // Not in the index, so never committed: an unfinished registration's leftovers.
            DurableFiles.deleteTree(versionDir);
          }
          Files.createDirectory(versionDir);
          ModelVersion v = draft.ready(name, number, provenance, artifact.length, sha256, now);
          try {
            DurableFiles.writeAtomically(versionDir.resolve(ARTIFACT_FILE), artifact);
            DurableFiles.writeAtomically(
                versionDir.resolve(VERSION_FILE), json.writeValueAsBytes(StoredVersion.of(v)));
            DurableFiles.syncDirectory(dir);
          } catch (IOException | RuntimeException e) {
            DurableFiles.deleteTree(versionDir); // keep numbers gapless
            throw e;
          }
          RegisteredModel before = entry.model;
          RegisteredModel after =
              before == null
                  ? new RegisteredModel(name, null, Map.of(), Map.of(), now, now, number)
                  : new RegisteredModel(
                      name,
                      before.description(),
                      before.tags(),
                      before.aliases(),
                      before.createdAt(),
                      now,
                      number);
          writeModel(after);
          entry.versions.put(number, v);
          entry.model = after;
          return v;
        } catch (IOException e) {
          throw new UncheckedIOException("cannot register a version of '" + name + "'", e);
        }
      }
    }
  }

  private void writeModel(RegisteredModel model) throws IOException {
    DurableFiles.writeAtomically(
        models.resolve(model.name()).resolve(MODEL_FILE),
        json.writeValueAsBytes(StoredModel.of(model)));
  }

  /** Runs {@code change} on an existing model's entry under its lock. */
  private <T> T change(String name, java.util.function.Function<Entry, T> change) {
    Entry entry = index.get(name);
    if (entry == null) {
      throw unknownModel(name);
    }
    synchronized (entry) {
      if (entry.deleted || entry.model == null) {
        throw unknownModel(name);
      }
      return change.apply(entry);
    }
  }

  private RegisteredModel save(Entry entry, RegisteredModel model) {
    try {
      writeModel(model);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write model '" + model.name() + "'", e);
    }
    entry.model = model;
    return model;
  }

  @Override
  public RegisteredModel updateModel(String name, String description, Map<String, String> tags) {
    awaitOpen();
    return change(
        name,
        e -> {
          RegisteredModel m = e.model;
          return save(
              e,
              new RegisteredModel(
                  name,
                  description == null ? m.description() : description,
                  tags == null ? m.tags() : tags,
                  m.aliases(),
                  m.createdAt(),
                  clock.instant(),
                  m.latestVersion()));
        });
  }

  @Override
  public ModelVersion updateVersion(
      String name, int version, String description, Map<String, String> tags) {
    awaitOpen();
    return change(
        name,
        e -> {
          ModelVersion v = existing(e, name, version);
          if (v.status() == VersionStatus.CORRUPT) {
            throw new CorruptArtifactException(name, version, "it cannot be changed, only deleted");
          }
          ModelVersion updated =
              v.withLabels(
                  description == null ? v.description() : description,
                  tags == null ? v.tags() : tags);
          try {
            Path file =
                models.resolve(name).resolve(Integer.toString(version)).resolve(VERSION_FILE);
            DurableFiles.writeAtomically(
                file,
                json.writeValueAsBytes(StoredVersion.of(updated.withStatus(VersionStatus.READY))));
          } catch (IOException ex) {
            throw new UncheckedIOException("cannot update " + name + " version " + version, ex);
          }
          e.versions.put(version, updated);
          return updated;
        });
  }

  @Override
  public void deleteModel(String name) {
    awaitOpen();
    change(
        name,
        e -> {
          try {
            DurableFiles.deleteByRename(models.resolve(name));
          } catch (IOException ex) {
            throw new UncheckedIOException("cannot delete model '" + name + "'", ex);
          }
          e.deleted = true;
          index.remove(name, e);
          return null;
        });
  }

  @Override
  public void deleteVersion(String name, int version) {
    awaitOpen();
    change(
        name,
        e -> {
          existing(e, name, version);
          List<String> pointing =
              e.model.aliases().entrySet().stream()
                  .filter(a -> a.getValue() == version)
                  .map(Map.Entry::getKey)
                  .sorted()
                  .toList();
          if (!pointing.isEmpty()) {
            throw new ConflictException(
                "model '"
                    + name
                    + "' version "
                    + version
                    + " is the target of alias "
                    + String.join(", ", pointing)
                    + "; move or delete the alias first");
          }
          Path dir = models.resolve(name).resolve(Integer.toString(version));
          try {
            // Metadata first: without it a half-deleted folder is an unfinished registration.
            Files.deleteIfExists(dir.resolve(VERSION_FILE));
            DurableFiles.deleteTree(dir);
            DurableFiles.syncDirectory(models.resolve(name));
          } catch (IOException ex) {
            throw new UncheckedIOException("cannot delete " + name + " version " + version, ex);
          }
          e.versions.remove(version);
          RegisteredModel m = e.model;
          save(
              e,
              new RegisteredModel(
                  name,
                  m.description(),
                  m.tags(),
                  m.aliases(),
                  m.createdAt(),
                  clock.instant(),
                  m.latestVersion()));
          return null;
        });
  }

  @Override
  public RegisteredModel setAlias(String name, String alias, int version) {
    awaitOpen();
    return change(
        name,
        e -> {
          existing(e, name, version);
          Map<String, Integer> aliases = new LinkedHashMap<>(e.model.aliases());
          aliases.put(alias, version);
          return withAliases(e, aliases);
        });
  }

  @Override
  public RegisteredModel deleteAlias(String name, String alias) {
    awaitOpen();
    return change(
        name,
        e -> {
          if (!e.model.aliases().containsKey(alias)) {
            throw new NotFoundException("model '" + name + "' has no alias '" + alias + "'");
          }
          Map<String, Integer> aliases = new LinkedHashMap<>(e.model.aliases());
          aliases.remove(alias);
          return withAliases(e, aliases);
        });
  }

  private RegisteredModel withAliases(Entry e, Map<String, Integer> aliases) {
    RegisteredModel m = e.model;
    return save(
        e,
        new RegisteredModel(
            m.name(),
            m.description(),
            m.tags(),
            aliases,
            m.createdAt(),
            clock.instant(),
            m.latestVersion()));
  }

  // ---- reads ---------------------------------------------------------------------------------

  @Override
  public Optional<RegisteredModel> model(String name) {
    awaitOpen();
    Entry e = index.get(name);
    if (e == null) {
      return Optional.empty();
    }
    RegisteredModel model = e.model;
    return e.deleted ? Optional.empty() : Optional.ofNullable(model);
  }

  @Override
  public List<RegisteredModel> models() {
    awaitOpen();
    List<RegisteredModel> out = new ArrayList<>(index.size());
    for (Entry e : index.values()) {
      RegisteredModel model = e.model;
      if (model != null && !e.deleted) {
        out.add(model);
      }
    }
    return out;
  }

  @Override
  public List<ModelVersion> versions(String name) {
    awaitOpen();
    return change(name, e -> List.copyOf(e.versions.values()));
  }

  @Override
  public Optional<ModelVersion> version(String name, int version) {
    awaitOpen();
    Entry e = index.get(name);
    if (e == null) {
      return Optional.empty();
    }
    ModelVersion v = e.versions.get(version);
    return e.deleted ? Optional.empty() : Optional.ofNullable(v);
  }

  @Override
  public byte[] artifact(String name, int version) {
    awaitOpen();
    ModelVersion v = change(name, e -> existing(e, name, version));
    if (v.status() == VersionStatus.CORRUPT) {
      throw new CorruptArtifactException(name, version, "its files failed the start-up checks");
    }
    Path file = models.resolve(name).resolve(Integer.toString(version)).resolve(ARTIFACT_FILE);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      markCorrupt(name, version);
      throw new CorruptArtifactException(name, version, "the artifact cannot be read");
    }
    if (!sha256(bytes).equals(v.artifactSha256())) {
      markCorrupt(name, version);
      throw new CorruptArtifactException(name, version, "its SHA-256 does not match");
    }
    return bytes;
  }

  @Override
  public void markCorrupt(String name, int version) {
    awaitOpen();
    log.error("registry: model '{}' version {} is corrupt", name, version);
    change(
        name,
        e -> {
          ModelVersion v = e.versions.get(version);
          if (v != null) {
            e.versions.put(version, v.withStatus(VersionStatus.CORRUPT));
          }
          return null;
        });
  }

  @Override
  public List<String> problems() {
    awaitOpen();
    return List.copyOf(problems);
  }

  private static ModelVersion existing(Entry e, String name, int version) {
    ModelVersion v = e.versions.get(version);
    if (v == null) {
      throw new NotFoundException("model '" + name + "' has no version " + version);
    }
    return v;
  }

  private static NotFoundException unknownModel(String name) {
    return new NotFoundException("no model named '" + name + "'");
  }

  static String sha256(byte[] bytes) {
    return DurableFiles.sha256(bytes);
  }
}

package dev.maas.registry;

import dev.maas.errors.ConflictException;
import dev.maas.errors.NotFoundException;
import dev.maas.registry.StoredRecords.StoredModel;
import dev.maas.registry.StoredRecords.StoredVersion;
import dev.maas.storage.DurableFiles;
import dev.maas.storage.SharedStore;
import dev.maas.storage.Sql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The shared registry store: models and versions in PostgreSQL ({@code models}, {@code
 * model_versions}), artifacts in the bucket under {@code models/<name>/<random>.maas}.
 *
 * <p>Every change locks the model's row ({@code SELECT ... FOR UPDATE}) and works from the
 * database's state, so version numbers are gapless and never reused, and aliases never dangle,
 * whichever replica makes the change. Each change bumps the model's {@code revision} and notifies
 * channel {@value #CHANNEL} with the model's name.
 *
 * <p>Reads come from an in-memory copy of the database, as the embedded store's do, so that a
 * prediction never waits on the database: the copy is reloaded for a model after this replica
 * changes it, when a notification names it, and for every model whose revision moved when the copy
 * is compared with the database every {@code pollInterval} (the fallback for a lost notification).
 */
public final class SharedRegistryStore implements RegistryStore, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SharedRegistryStore.class);
  static final String CHANNEL = "maas_registry";

  private final SharedStore shared;
  private final Clock clock;
  private final Provenance provenance;
  private final JsonMapper json = JsonMapper.builder().build();
  private final Map<String, Entry> index = new ConcurrentHashMap<>();
  private final Object[] reloadLocks = newLocks(64);
  private final Set<String> corrupt = ConcurrentHashMap.newKeySet();
  private final List<String> problems = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService poller;

  /** One model as last read from the database; replaced whole, never changed. */
  private record Entry(
      RegisteredModel model,
      Map<Integer, ModelVersion> versions,
      Map<Integer, String> keys,
      long revision) {}

  public SharedRegistryStore(
      SharedStore shared, Clock clock, Provenance provenance, Duration pollInterval) {
    this.shared = shared;
    this.clock = clock;
    this.provenance = provenance;
    shared.subscribe(CHANNEL, this::reloadQuietly);
    refresh();
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "maas-registry-poll");
              t.setDaemon(true);
              return t;
            });
    long every = pollInterval.toMillis();
    poller.scheduleWithFixedDelay(this::refreshQuietly, every, every, TimeUnit.MILLISECONDS);
  }

  // ---- the in-memory copy ----------------------------------------------------------------------

  /**
   * Compares every model's revision with the copy's, reloading what moved and dropping the gone.
   */
  void refresh() {
    Map<String, Long> revisions =
        Sql.read(
            shared.data(),
            c -> {
              Map<String, Long> out = new HashMap<>();
              try (PreparedStatement s = c.prepareStatement("SELECT name, revision FROM models");
                  ResultSet r = s.executeQuery()) {
                while (r.next()) {
                  out.put(r.getString(1), r.getLong(2));
                }
              }
              return out;
            });
    for (Map.Entry<String, Long> m : revisions.entrySet()) {
      Entry e = index.get(m.getKey());
      if (e == null || e.revision() < m.getValue()) {
        reload(m.getKey());
      }
    }
    for (String name : new ArrayList<>(index.keySet())) {
      if (!revisions.containsKey(name)) {
        reload(name);
      }
    }
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      log.warn("registry: cannot compare with the database: {}", e.toString());
    }
  }

  private void reloadQuietly(String name) {
    try {
      reload(name);
    } catch (RuntimeException e) {
      log.warn("registry: cannot reload model '{}': {}", name, e.toString());
    }
  }

  /**
   * Reads one model again; drops it from the copy when it is gone. Reloads of one name run one at a
   * time, read and update together: a reload that read the model just before it was deleted (a
   * notification, the poller) cannot put it back after the deleting reload dropped it.
   */
  private void reload(String name) {
    synchronized (reloadLocks[Math.floorMod(name.hashCode(), reloadLocks.length)]) {
      Entry fresh = Sql.transaction(shared.data(), c -> read(c, name));
      index.compute(
          name,
          (n, old) -> {
            if (fresh == null) {
              return null;
            }
            return old != null && old.revision() > fresh.revision() ? old : fresh;
          });
    }
  }

  /** One model's rows, or null when there is none. */
  private Entry read(Connection c, String name) throws SQLException {
    RegisteredModel model;
    long revision;
    try (PreparedStatement s =
        Sql.prepare(c, "SELECT record, revision FROM models WHERE name = ?", name)) {
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) {
          return null;
        }
        model = json.readValue(r.getString(1), StoredModel.class).toModel();
        revision = r.getLong(2);
      }
    }
    Map<Integer, ModelVersion> versions = new java.util.TreeMap<>();
    Map<Integer, String> keys = new HashMap<>();
    try (PreparedStatement s =
        Sql.prepare(
            c,
            "SELECT version, record, object_key FROM model_versions WHERE model = ?"
                + " ORDER BY version",
            name)) {
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          int number = r.getInt(1);
          try {
            ModelVersion v = json.readValue(r.getString(2), StoredVersion.class).toVersion();
            if (corrupt.contains(name + "/" + number)) {
              v = v.withStatus(VersionStatus.CORRUPT);
            }
            versions.put(number, v);
            keys.put(number, r.getString(3));
          } catch (RuntimeException e) {
            String problem = "model '" + name + "' version " + number + ": " + e.getMessage();
            if (!problems.contains(problem)) {
              problems.add(problem);
              log.error("registry: {}", problem);
            }
          }
        }
      }
    }
    return new Entry(
        model, java.util.Collections.unmodifiableMap(versions), Map.copyOf(keys), revision);
  }

  // ---- writes --------------------------------------------------------------------------------

  /** The model's current record, its row locked until the transaction ends. */
  private static Optional<RegisteredModel> lock(Connection c, String name, JsonMapper json)
      throws SQLException {
    try (PreparedStatement s =
        Sql.prepare(c, "SELECT record FROM models WHERE name = ? FOR UPDATE", name)) {
      try (ResultSet r = s.executeQuery()) {
        return r.next()
            ? Optional.of(json.readValue(r.getString(1), StoredModel.class).toModel())
            : Optional.empty();
      }
    }
  }

  private void write(Connection c, RegisteredModel model) throws SQLException {
    Sql.update(
        c,
        "UPDATE models SET record = ?, latest_version = ?, revision = nextval('registry_revision')"
            + " WHERE name = ?",
        json.writeValueAsString(StoredModel.of(model)),
        model.latestVersion(),
        model.name());
    Sql.notify(c, CHANNEL, model.name());
  }

  /** Runs {@code change} on an existing model, its row locked, then reloads the copy. */
  private <T> T change(String name, Change<T> change) {
    T result =
        Sql.transaction(
            shared.data(),
            c -> {
              RegisteredModel m = lock(c, name, json).orElseThrow(() -> unknownModel(name));
              return change.apply(c, m);
            });
    reload(name);
    return result;
  }

  @FunctionalInterface
  private interface Change<T> {
    T apply(Connection c, RegisteredModel model) throws SQLException;
  }

  @Override
  public ModelVersion register(String name, VersionDraft draft, byte[] artifact) {
    String sha256 = DurableFiles.sha256(artifact);
    String key = "models/" + name + "/" + UUID.randomUUID() + ".maas";
    try {
      shared.objects().put(key, artifact);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store the artifact of '" + name + "'", e);
    }
    boolean[] reused = {false};
    try {
      ModelVersion registered =
          Sql.transaction(
              shared.data(),
              c -> {
                Instant now = clock.instant();
                Sql.update(
                    c,
                    "INSERT INTO models (name, record, latest_version, revision)"
                        + " VALUES (?, ?, 0, nextval('registry_revision'))"
                        + " ON CONFLICT (name) DO NOTHING",
                    name,
                    json.writeValueAsString(
                        StoredModel.of(
                            new RegisteredModel(name, null, Map.of(), Map.of(), now, now, 0))));
                RegisteredModel before = lock(c, name, json).orElseThrow();
                String job = draft.registeringJob();
                if (job != null) {
                  List<String> earlier =
                      Sql.strings(
                          c,
                          "SELECT record FROM model_versions WHERE model = ?"
                              + " AND (record::jsonb -> 'lineage' ->> 'trainingJobId') = ?",
                          name,
                          job);
                  if (!earlier.isEmpty()) {
                    // This job registered already (another replica that held it, or this one
                    // before a restart): once per job, whoever asks again.
                    reused[0] = true;
                    return json.readValue(earlier.get(0), StoredVersion.class).toVersion();
                  }
                }
                int number = before.latestVersion() + 1;
                ModelVersion v =
                    draft.ready(name, number, provenance, artifact.length, sha256, now);
                Sql.update(
                    c,
                    "INSERT INTO model_versions (model, version, record, object_key)"
                        + " VALUES (?, ?, ?, ?)",
                    name,
                    number,
                    json.writeValueAsString(StoredVersion.of(v)),
                    key);
                write(
                    c,
                    new RegisteredModel(
                        name,
                        before.description(),
                        before.tags(),
                        before.aliases(),
                        before.createdAt(),
                        now,
                        number));
                return v;
              });
      reload(name);
      if (reused[0]) {
        deleteObject(key); // the job's earlier version stands; this upload is not needed
      }
      return registered;
    } catch (RuntimeException e) {
      deleteObject(key);
      throw e;
    }
  }

  @Override
  public RegisteredModel updateModel(String name, String description, Map<String, String> tags) {
    return change(
        name,
        (c, m) -> {
          RegisteredModel updated =
              new RegisteredModel(
                  name,
                  description == null ? m.description() : description,
                  tags == null ? m.tags() : tags,
                  m.aliases(),
                  m.createdAt(),
                  clock.instant(),
                  m.latestVersion());
          write(c, updated);
          return updated;
        });
  }

  @Override
  public ModelVersion updateVersion(
      String name, int version, String description, Map<String, String> tags) {
    if (corrupt.contains(name + "/" + version)) {
      existingVersion(name, version);
      throw new CorruptArtifactException(name, version, "it cannot be changed, only deleted");
    }
    return change(
        name,
        (c, m) -> {
          ModelVersion v = versionRow(c, name, version);
          ModelVersion updated =
              v.withLabels(
                  description == null ? v.description() : description,
                  tags == null ? v.tags() : tags);
          Sql.update(
              c,
              "UPDATE model_versions SET record = ? WHERE model = ? AND version = ?",
              json.writeValueAsString(StoredVersion.of(updated.withStatus(VersionStatus.READY))),
              name,
              version);
          write(c, m);
          return updated;
        });
  }

  private ModelVersion versionRow(Connection c, String name, int version) throws SQLException {
    try (PreparedStatement s =
        Sql.prepare(
            c,
            "SELECT record FROM model_versions WHERE model = ? AND version = ?",
            name,
            version)) {
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) {
          throw new NotFoundException("model '" + name + "' has no version " + version);
        }
        return json.readValue(r.getString(1), StoredVersion.class).toVersion();
      }
    }
  }

  private List<String> objectKeys(Connection c, String name, Integer version) throws SQLException {
    List<String> keys = new ArrayList<>();
    try (PreparedStatement s =
        version == null
            ? Sql.prepare(c, "SELECT object_key FROM model_versions WHERE model = ?", name)
            : Sql.prepare(
                c,
                "SELECT object_key FROM model_versions WHERE model = ? AND version = ?",
                name,
                version)) {
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          keys.add(r.getString(1));
        }
      }
    }
    return keys;
  }

  @Override
  public void deleteModel(String name) {
    List<String> keys =
        change(
            name,
            (c, m) -> {
              List<String> gone = objectKeys(c, name, null);
              Sql.update(c, "DELETE FROM models WHERE name = ?", name);
              Sql.notify(c, CHANNEL, name);
              return gone;
            });
    keys.forEach(this::deleteObject);
  }

  @Override
  public void deleteVersion(String name, int version) {
    List<String> keys =
        change(
            name,
            (c, m) -> {
              versionRow(c, name, version);
              List<String> pointing =
                  m.aliases().entrySet().stream()
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
              List<String> gone = objectKeys(c, name, version);
              Sql.update(
                  c, "DELETE FROM model_versions WHERE model = ? AND version = ?", name, version);
              write(
                  c,
                  new RegisteredModel(
                      name,
                      m.description(),
                      m.tags(),
                      m.aliases(),
                      m.createdAt(),
                      clock.instant(),
                      m.latestVersion()));
              return gone;
            });
    keys.forEach(this::deleteObject);
  }

  @Override
  public RegisteredModel setAlias(String name, String alias, int version) {
    return change(
        name,
        (c, m) -> {
          versionRow(c, name, version);
          Map<String, Integer> aliases = new LinkedHashMap<>(m.aliases());
          aliases.put(alias, version);
          return withAliases(c, m, aliases);
        });
  }

  @Override
  public RegisteredModel deleteAlias(String name, String alias) {
    return change(
        name,
        (c, m) -> {
          if (!m.aliases().containsKey(alias)) {
            throw new NotFoundException("model '" + name + "' has no alias '" + alias + "'");
          }
          Map<String, Integer> aliases = new LinkedHashMap<>(m.aliases());
          aliases.remove(alias);
          return withAliases(c, m, aliases);
        });
  }

  private RegisteredModel withAliases(Connection c, RegisteredModel m, Map<String, Integer> aliases)
      throws SQLException {
    RegisteredModel updated =
        new RegisteredModel(
            m.name(),
            m.description(),
            m.tags(),
            aliases,
            m.createdAt(),
            clock.instant(),
            m.latestVersion());
    write(c, updated);
    return updated;
  }

  private void deleteObject(String key) {
    try {
      shared.objects().delete(key);
    } catch (IOException e) {
      log.warn("registry: cannot delete object {}: {}", key, e.toString());
    }
  }

  // ---- reads ---------------------------------------------------------------------------------

  @Override
  public Optional<RegisteredModel> model(String name) {
    Entry e = index.get(name);
    return e == null ? Optional.empty() : Optional.of(e.model());
  }

  @Override
  public List<RegisteredModel> models() {
    List<RegisteredModel> out = new ArrayList<>();
    for (String name : new TreeSet<>(index.keySet())) {
      model(name).ifPresent(out::add);
    }
    return out;
  }

  @Override
  public List<ModelVersion> versions(String name) {
    Entry e = index.get(name);
    if (e == null) {
      throw unknownModel(name);
    }
    return List.copyOf(e.versions().values());
  }

  @Override
  public Optional<ModelVersion> version(String name, int version) {
    Entry e = index.get(name);
    return e == null ? Optional.empty() : Optional.ofNullable(e.versions().get(version));
  }

  private Entry existingVersion(String name, int version) {
    Entry e = index.get(name);
    if (e == null) {
      throw unknownModel(name);
    }
    if (!e.versions().containsKey(version)) {
      throw new NotFoundException("model '" + name + "' has no version " + version);
    }
    return e;
  }

  @Override
  public byte[] artifact(String name, int version) {
    Entry e = existingVersion(name, version);
    ModelVersion v = e.versions().get(version);
    if (v.status() == VersionStatus.CORRUPT) {
      throw new CorruptArtifactException(name, version, "its files failed the checks");
    }
    byte[] bytes;
    try {
      bytes = shared.objects().get(e.keys().get(version));
    } catch (IOException ex) {
      markCorrupt(name, version);
      throw new CorruptArtifactException(name, version, "the artifact cannot be read");
    }
    if (!DurableFiles.sha256(bytes).equals(v.artifactSha256())) {
      markCorrupt(name, version);
      throw new CorruptArtifactException(name, version, "its SHA-256 does not match");
    }
    return bytes;
  }

  /** Marks a version CORRUPT on this replica (as the embedded store does, until a restart). */
  @Override
  public void markCorrupt(String name, int version) {
    log.error("registry: model '{}' version {} is corrupt", name, version);
    corrupt.add(name + "/" + version);
    index.computeIfPresent(
        name,
        (n, e) -> {
          ModelVersion v = e.versions().get(version);
          if (v == null) {
            return e;
          }
          Map<Integer, ModelVersion> versions = new java.util.TreeMap<>(e.versions());
          versions.put(version, v.withStatus(VersionStatus.CORRUPT));
          return new Entry(
              e.model(), java.util.Collections.unmodifiableMap(versions), e.keys(), e.revision());
        });
  }

  @Override
  public List<String> problems() {
    return List.copyOf(problems);
  }

  private static NotFoundException unknownModel(String name) {
    return new NotFoundException("no model named '" + name + "'");
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }

  private static Object[] newLocks(int n) {
    Object[] locks = new Object[n];
    for (int i = 0; i < n; i++) {
      locks[i] = new Object();
    }
    return locks;
  }
}

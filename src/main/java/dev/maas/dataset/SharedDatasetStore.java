package dev.maas.dataset;

import dev.maas.errors.NotFoundException;
import dev.maas.storage.DurableFiles;
import dev.maas.storage.SharedStore;
import dev.maas.storage.Sql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The shared dataset store: metadata in PostgreSQL ({@code datasets}), the columnar data in the
 * bucket as {@code datasets/<id>/data.bin}, uploaded (in parts) before the row that commits the
 * dataset is inserted, so a dataset is there whole or not at all.
 *
 * <p>Datasets are immutable, so each replica keeps the data it has read in a local cache under
 * {@code <maas.storage.path>/cache/datasets}; every read checks the cached file's SHA-256 against
 * the database's, downloading it again once when it does not match.
 */
public final class SharedDatasetStore implements DatasetStore {
  private static final Logger log = LoggerFactory.getLogger(SharedDatasetStore.class);

  private final SharedStore shared;
  private final Path cache;
  private final Path scratch;
  private final Clock clock;
  private final JsonMapper json = JsonMapper.builder().build();
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Dataset> known = new ConcurrentHashMap<>();

  /** A store over {@code shared}, caching data under {@code local}. */
  public SharedDatasetStore(SharedStore shared, Path local, Clock clock) {
    this.shared = shared;
    this.cache = local.resolve("cache").resolve("datasets");
    this.scratch = local.resolve("cache").resolve("uploads");
    this.clock = clock;
    try {
      Files.createDirectories(cache);
      Files.createDirectories(scratch);
      DurableFiles.deleteTree(scratch);
      Files.createDirectories(scratch);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the dataset cache under " + local, e);
    }
  }

  private static String key(String id) {
    return "datasets/" + id + "/data.bin";
  }

  @Override
  public Dataset create(String name, Dataset.Lineage lineage, DataWriter writer)
      throws IOException {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    String id = "ds-" + HexFormat.of().formatHex(bytes);
    Path data = scratch.resolve(id + DurableFiles.TEMPORARY_SUFFIX);
    try {
      TableLayout layout = writer.write(data);
      Dataset d =
          new Dataset(
              id,
              name,
              layout.rows(),
              DurableFiles.sha256(data),
              Files.size(data),
              layout.columns(),
              layout.shape(),
              clock.instant(),
              lineage);
      shared.objects().put(key(id), data);
      try {
        Sql.transaction(
            shared.data(),
            c ->
                Sql.update(
                    c,
                    "INSERT INTO datasets (id, record, created_at, object_key) VALUES (?, ?, ?, ?)",
                    id,
                    json.writeValueAsString(d),
                    Timestamp.from(d.createdAt()),
                    key(id)));
      } catch (RuntimeException e) {
        shared.objects().delete(key(id));
        throw e;
      }
      Files.move(data, cache.resolve(id + ".bin"), StandardCopyOption.REPLACE_EXISTING);
      known.put(id, d);
      return d;
    } finally {
      Files.deleteIfExists(data);
    }
  }

  @Override
  public Path scratchFile() {
    return scratch.resolve(".upload-" + UUID.randomUUID() + DurableFiles.TEMPORARY_SUFFIX);
  }

  @Override
  public Optional<Dataset> find(String id) {
    Dataset cached = known.get(id);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<Dataset> found =
        Sql.read(
            shared.data(),
            c -> {
              try (PreparedStatement s =
                      Sql.prepare(c, "SELECT record FROM datasets WHERE id = ?", id);
                  ResultSet r = s.executeQuery()) {
                return r.next()
                    ? Optional.of(json.readValue(r.getString(1), Dataset.class))
                    : Optional.<Dataset>empty();
              }
            });
    found.ifPresent(d -> known.put(id, d));
    return found;
  }

  @Override
  public List<Dataset> list() {
    return Sql.read(
        shared.data(),
        c -> {
          List<Dataset> out = new ArrayList<>();
          try (PreparedStatement s =
                  c.prepareStatement("SELECT id, record FROM datasets ORDER BY created_at, id");
              ResultSet r = s.executeQuery()) {
            while (r.next()) {
              try {
                out.add(json.readValue(r.getString(2), Dataset.class));
              } catch (RuntimeException e) {
                log.warn(
                    "datasets: {} is unreadable and skipped: {}", r.getString(1), e.toString());
              }
            }
          }
          return out;
        });
  }

  @Override
  public boolean delete(String id) throws IOException {
    known.remove(id);
    int deleted =
        Sql.transaction(shared.data(), c -> Sql.update(c, "DELETE FROM datasets WHERE id = ?", id));
    Files.deleteIfExists(cache.resolve(id + ".bin"));
    if (deleted == 0) {
      return false;
    }
    shared.objects().delete(key(id));
    return true;
  }

  @Override
  public TableData read(String id) throws IOException {
    Dataset d = existing(id);
    Path data = local(d);
    if (!DurableFiles.sha256(data).equals(d.sha256())) {
      Files.deleteIfExists(data);
      data = local(d);
      if (!DurableFiles.sha256(data).equals(d.sha256())) {
        Files.deleteIfExists(data);
        throw new CorruptDatasetException(id, "its data does not match its SHA-256");
      }
    }
    return TableData.read(d, data);
  }

  @Override
  public TableData readRows(String id, int offset, int limit) throws IOException {
    Dataset d = existing(id);
    Path data = local(d);
    try {
      return TableData.read(d, data, offset, limit);
    } catch (IOException e) {
      throw new CorruptDatasetException(id, e.getMessage());
    }
  }

  private Dataset existing(String id) {
    return find(id).orElseThrow(() -> new NotFoundException("dataset " + id + " does not exist"));
  }

  /** The dataset's data in the local cache, downloaded when missing or of the wrong size. */
  private Path local(Dataset d) throws IOException {
    Path file = cache.resolve(d.id() + ".bin");
    if (Files.exists(file) && Files.size(file) == d.sizeBytes()) {
      return file;
    }
    try {
      shared.objects().download(key(d.id()), file);
    } catch (java.io.FileNotFoundException e) {
      throw new CorruptDatasetException(d.id(), "its data object is missing");
    }
    if (Files.size(file) != d.sizeBytes()) {
      Files.deleteIfExists(file);
      throw new CorruptDatasetException(d.id(), "its data object is missing or truncated");
    }
    return file;
  }
}

package dev.maas.dataset;

import dev.maas.storage.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Comparator;
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
 * The embedded dataset store: one folder per dataset under {@code <root>/datasets}; the files are
 * the truth and the in-memory index is rebuilt from them at start.
 *
 * <pre>
 * datasets/ds-1a2b…/data.bin       the columnar data ({@link TableWriter})
 * datasets/ds-1a2b…/dataset.json   the metadata, with the data's SHA-256
 * </pre>
 *
 * A dataset is assembled in a {@code .tmp} folder (each file forced to disk) and renamed into place
 * in one atomic step, so it is there whole or not at all; leftovers are removed at start.
 */
public final class FileDatasetStore implements DatasetStore {
  private static final Logger log = LoggerFactory.getLogger(FileDatasetStore.class);
  static final String DATA_FILE = "data.bin";
  static final String METADATA_FILE = "dataset.json";

  private final Path datasets;
  private final Clock clock;
  private final JsonMapper json = JsonMapper.builder().build();
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Dataset> index = new ConcurrentHashMap<>();

  /** Opens (creating if needed) the store under {@code root} and scans it. */
  public FileDatasetStore(Path root, Clock clock) {
    this.datasets = root.resolve("datasets");
    this.clock = clock;
    try {
      Files.createDirectories(datasets);
      scan();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the dataset store under " + root, e);
    }
  }

  private void scan() throws IOException {
    try (var entries = Files.list(datasets)) {
      for (Path p : entries.toList()) {
        String name = p.getFileName().toString();
        if (DurableFiles.isLeftover(p)) {
          log.info("datasets: removing leftover {}", name);
          DurableFiles.deleteTree(p);
        } else if (Files.isDirectory(p)) {
          try {
            Dataset d = json.readValue(Files.readAllBytes(p.resolve(METADATA_FILE)), Dataset.class);
            index.put(d.id(), d);
          } catch (IOException | RuntimeException e) {
            log.warn("datasets: {} is unreadable and skipped: {}", name, e.getMessage());
          }
        }
      }
    }
    log.info("datasets: {} found", index.size());
  }

  @Override
  public Dataset create(String name, Dataset.Lineage lineage, DataWriter writer)
      throws IOException {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    String id = "ds-" + HexFormat.of().formatHex(bytes);
    Path staging = datasets.resolve(id + DurableFiles.TEMPORARY_SUFFIX);
    try {
      Files.createDirectory(staging);
      Path data = staging.resolve(DATA_FILE);
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
      DurableFiles.writeNew(staging.resolve(METADATA_FILE), json.writeValueAsBytes(d));
      DurableFiles.syncDirectory(staging);
      Files.move(staging, datasets.resolve(id), StandardCopyOption.ATOMIC_MOVE);
      DurableFiles.syncDirectory(datasets);
      index.put(id, d);
      return d;
    } finally {
      DurableFiles.deleteTree(staging);
    }
  }

  @Override
  public Path scratchFile() {
    return datasets.resolve(".upload-" + UUID.randomUUID() + DurableFiles.TEMPORARY_SUFFIX);
  }

  @Override
  public Optional<Dataset> find(String id) {
    return Optional.ofNullable(index.get(id));
  }

  @Override
  public List<Dataset> list() {
    return index.values().stream()
        .sorted(Comparator.comparing(Dataset::createdAt).thenComparing(Dataset::id))
        .toList();
  }

  @Override
  public boolean delete(String id) throws IOException {
    if (index.remove(id) == null) {
      return false;
    }
    DurableFiles.deleteByRename(datasets.resolve(id));
    return true;
  }

  @Override
  public TableData read(String id) throws IOException {
    Dataset d = existing(id);
    Path data = dataFile(d);
    if (!DurableFiles.sha256(data).equals(d.sha256())) {
      throw new CorruptDatasetException(id, "its data does not match its SHA-256");
    }
    return TableData.read(d, data);
  }

  @Override
  public TableData readRows(String id, int offset, int limit) throws IOException {
    Dataset d = existing(id);
    Path data = dataFile(d);
    try {
      return TableData.read(d, data, offset, limit);
    } catch (IOException e) {
      throw new CorruptDatasetException(id, e.getMessage());
    }
  }

  private Dataset existing(String id) {
    Dataset d = index.get(id);
    if (d == null) {
      throw new dev.maas.errors.NotFoundException("dataset " + id + " does not exist");
    }
    return d;
  }

  /** The dataset's data file, after checking that it is there in full. */
  private Path dataFile(Dataset d) throws IOException {
    Path data = datasets.resolve(d.id()).resolve(DATA_FILE);
    if (!Files.exists(data) || Files.size(data) != d.sizeBytes()) {
      throw new CorruptDatasetException(d.id(), "its data file is missing or truncated");
    }
    return data;
  }
}

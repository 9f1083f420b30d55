package dev.maas.registry;

import dev.maas.registry.StoredRecords.StoredModel;
import dev.maas.registry.StoredRecords.StoredVersion;
import dev.maas.storage.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The registry's start-up scan of {@code models/}: reads every model and version folder, removes
 * what interrupted writes and deletes left behind (temporaries, renamed-away folders, version
 * folders without their metadata, which were never acknowledged), marks versions whose files are
 * unreadable or missing CORRUPT, drops aliases that point at missing versions, and says what it
 * found wrong. {@link FileRegistryStore} starts from what it found. Model folders are read in
 * parallel, each version folder listed once, so that thousands of models start in seconds.
 */
final class RegistryScan {
  private static final Logger log = LoggerFactory.getLogger(RegistryScan.class);
  private static final String MODEL_FILE = FileRegistryStore.MODEL_FILE;
  private static final String VERSION_FILE = FileRegistryStore.VERSION_FILE;
  private static final String ARTIFACT_FILE = FileRegistryStore.ARTIFACT_FILE;
  private static final Pattern VERSION_DIR = Pattern.compile("[1-9][0-9]{0,9}");

  /** The most threads that read model folders at start. */
  private static final int THREADS =
      Math.min(8, Math.max(1, Runtime.getRuntime().availableProcessors()));

  /** A model found on disk, with its versions by number. */
  record Found(RegisteredModel model, SortedMap<Integer, ModelVersion> versions) {}

  private final Path models;
  private final JsonMapper json;
  private final Map<String, Found> found = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();

  private RegistryScan(Path models, JsonMapper json) {
    this.models = models;
    this.json = json;
  }

  /** Scans {@code models} (which exists). */
  static RegistryScan of(Path models, JsonMapper json) throws IOException {
    RegistryScan scan = new RegistryScan(models, json);
    scan.scan();
    return scan;
  }

  /** The models found, by name. */
  Map<String, Found> models() {
    return Collections.unmodifiableMap(found);
  }

  /** What was wrong: unreadable metadata, missing artifacts, dropped aliases. */
  List<String> problems() {
    return List.copyOf(problems);
  }

  private void scan() throws IOException {
    long start = System.nanoTime();
    List<Path> dirs = new ArrayList<>();
    try (var entries = Files.list(models)) {
      for (Path dir : entries.toList()) {
        if (DurableFiles.isLeftover(dir)) {
          removeLeftover(dir);
        } else {
          dirs.add(dir);
        }
      }
    }
    dirs.sort(null);
    ModelScan[] scanned = new ModelScan[dirs.size()];
    forEach(dirs.size(), i -> scanned[i] = scanModel(dirs.get(i)));
    int versions = 0;
    for (ModelScan m : scanned) {
      problems.addAll(m.problems());
      if (m.found() != null) {
        found.put(m.found().model().name(), m.found());
        versions += m.found().versions().size();
      }
    }
    log.info(
        "registry: {} models, {} versions scanned in {} ms{}",
        found.size(),
        versions,
        (System.nanoTime() - start) / 1_000_000,
        problems.isEmpty() ? "" : "; problems: " + problems);
  }

  /** What one model folder holds: the model (null if nothing), and what was wrong. */
  private record ModelScan(Found found, List<String> problems) {}

  private interface Task {
    void run(int i) throws IOException;
  }

  /**
   * Runs {@code task} for 0 to {@code n - 1} on up to {@link #THREADS} threads: thousands of
   * models' small files are read in parallel at start.
   */
  private static void forEach(int n, Task task) throws IOException {
    int threads = Math.min(THREADS, n / 64 + 1);
    AtomicInteger next = new AtomicInteger();
    Callable<Void> worker =
        () -> {
          for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
            task.run(i);
          }
          return null;
        };
    if (threads <= 1) {
      try {
        worker.call();
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return;
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "registry-scan");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<Void>> all = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        all.add(pool.submit(worker));
      }
      for (Future<Void> f : all) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while scanning the registry", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private void removeLeftover(Path p) throws IOException {
    log.info("registry: removing leftover {}", p.getFileName());
    DurableFiles.deleteTree(p);
  }

  private ModelScan scanModel(Path dir) throws IOException {
    String name = dir.getFileName().toString();
    List<String> problems = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return new ModelScan(null, problems);
    }
    SortedMap<Integer, ModelVersion> versions = new TreeMap<>();
    Path modelFile = dir.resolve(MODEL_FILE);
    RegisteredModel model = null;
    try {
      model = json.readValue(Files.readAllBytes(modelFile), StoredModel.class).toModel();
    } catch (IOException | RuntimeException e) {
      problems.add(
          "model '" + name + "': " + MODEL_FILE + " is unreadable (" + e.getMessage() + ")");
    }
    int latest = model == null ? 0 : model.latestVersion();
    try (var children = Files.list(dir)) {
      for (Path child : children.toList()) {
        String file = child.getFileName().toString();
        if (DurableFiles.isLeftover(child)) {
          removeLeftover(child);
        } else if (VERSION_DIR.matcher(file).matches() && Files.isDirectory(child)) {
          ModelVersion v = scanVersion(name, Integer.parseInt(file), child, problems);
          if (v != null) {
            versions.put(v.version(), v);
            latest = Math.max(latest, v.version());
          }
        }
      }
    }
    if (model == null && versions.isEmpty()) {
      return new ModelScan(null, problems);
    }
    if (model == null) {
      Instant created = versions.get(versions.firstKey()).createdAt();
      model = new RegisteredModel(name, null, Map.of(), Map.of(), created, created, latest);
    }
    Map<String, Integer> aliases = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> a : model.aliases().entrySet()) {
      if (versions.containsKey(a.getValue())) {
        aliases.put(a.getKey(), a.getValue());
      } else {
        problems.add(
            "model '"
                + name
                + "': alias '"
                + a.getKey()
                + "' pointed at missing version "
                + a.getValue()
                + " and was dropped");
      }
    }
    RegisteredModel scanned =
        new RegisteredModel(
            name,
            model.description(),
            model.tags(),
            aliases,
            model.createdAt(),
            model.updatedAt(),
            latest);
    return new ModelScan(new Found(scanned, versions), problems);
  }

  /**
   * Reads one version folder, listed once; an unfinished registration (no metadata yet) is removed.
   */
  private ModelVersion scanVersion(String name, int number, Path dir, List<String> problems)
      throws IOException {
    boolean hasMetadata = false;
    boolean hasArtifact = false;
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        String file = f.getFileName().toString();
        if (DurableFiles.isLeftover(f)) {
          removeLeftover(f);
        } else if (file.equals(VERSION_FILE)) {
          hasMetadata = true;
        } else if (file.equals(ARTIFACT_FILE)) {
          hasArtifact = true;
        }
      }
    }
    if (!hasMetadata) {
      // version.json is written last: without it the registration was never acknowledged.
      log.info("registry: removing unfinished registration {} version {}", name, number);
      DurableFiles.deleteTree(dir);
      return null;
    }
    Path metadata = dir.resolve(VERSION_FILE);
    ModelVersion v;
    try {
      v = json.readValue(Files.readAllBytes(metadata), StoredVersion.class).toVersion();
    } catch (IOException | RuntimeException e) {
      problems.add(
          "model '"
              + name
              + "' version "
              + number
              + ": "
              + VERSION_FILE
              + " is unreadable ("
              + firstLine(e.getMessage())
              + ")");
      return placeholder(name, number, dir);
    }
    Path artifact = dir.resolve(ARTIFACT_FILE);
    if (!hasArtifact || Files.size(artifact) != v.artifactSize()) {
      problems.add("model '" + name + "' version " + number + ": artifact missing or truncated");
      return v.withStatus(VersionStatus.CORRUPT);
    }
    return v;
  }

  private ModelVersion placeholder(String name, int number, Path dir) throws IOException {
    Instant time = Files.getLastModifiedTime(dir).toInstant();
    return new ModelVersion(
        name,
        number,
        null,
        null,
        null,
        null,
        null,
        null,
        List.of(),
        null,
        null,
        0,
        null,
        VersionStatus.CORRUPT,
        time,
        Map.of(),
        null);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}

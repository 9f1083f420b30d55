package dev.maas.comparison;

import dev.maas.storage.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The embedded comparison store: one JSON file per comparison under {@code <storage>/comparisons},
 * written atomically and durably, and an empty {@code <id>.cancel} file beside it once a cancel is
 * asked for. One process owns the folder, so every running comparison is its own after a restart.
 */
final class FileComparisonStore implements ComparisonStore {
  private static final Logger log = LoggerFactory.getLogger(FileComparisonStore.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Path folder;

  FileComparisonStore(Path storage) {
    this.folder = storage.resolve("comparisons");
    try {
      Files.createDirectories(folder);
      try (Stream<Path> files = Files.list(folder)) {
        for (Path p : files.toList()) {
          if (DurableFiles.isLeftover(p)) {
            DurableFiles.deleteTree(p);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the comparison store at " + folder, e);
    }
  }

  private Path file(String id) {
    if (!id.matches("[A-Za-z0-9-]{1,64}")) {
      throw new IllegalArgumentException("not a comparison id: " + id);
    }
    return folder.resolve(id + ".json");
  }

  @Override
  public void save(ComparisonRecord record) {
    try {
      DurableFiles.writeAtomically(file(record.id()), JSON.writeValueAsBytes(record));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save comparison " + record.id(), e);
    }
  }

  @Override
  public Optional<ComparisonRecord> load(String id) {
    if (!id.matches("[A-Za-z0-9-]{1,64}")) {
      return Optional.empty();
    }
    Path p = file(id);
    if (!Files.exists(p)) {
      return Optional.empty();
    }
    return read(p);
  }

  private Optional<ComparisonRecord> read(Path p) {
    try {
      return Optional.of(JSON.readValue(Files.readAllBytes(p), ComparisonRecord.class));
    } catch (IOException | JacksonException e) {
      log.error("skipping unreadable comparison file {}: {}", p, e.toString());
      return Optional.empty();
    }
  }

  @Override
  public List<ComparisonRecord> loadAll() {
    List<ComparisonRecord> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path p : files.toList()) {
        if (p.getFileName().toString().endsWith(".json")) {
          read(p).ifPresent(out::add);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the comparison store at " + folder, e);
    }
    out.sort(
        Comparator.comparing(ComparisonRecord::createdAt)
            .thenComparing(ComparisonRecord::id)
            .reversed());
    return out;
  }

  @Override
  public void requestCancel(String id) {
    try {
      Path mark = folder.resolve(file(id).getFileName().toString().replace(".json", ".cancel"));
      if (!Files.exists(mark)) {
        DurableFiles.writeAtomically(mark, new byte[0]);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot mark comparison " + id + " cancelled", e);
    }
  }

  @Override
  public boolean cancelRequested(String id) {
    return Files.exists(
        folder.resolve(file(id).getFileName().toString().replace(".json", ".cancel")));
  }

  @Override
  public boolean claim(String id) {
    return true;
  }

  @Override
  public List<String> orphans() {
    return List.of();
  }
}

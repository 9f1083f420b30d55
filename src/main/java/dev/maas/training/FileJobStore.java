package dev.maas.training;

import dev.maas.storage.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The embedded job store: one JSON file per job under {@code <storage>/jobs}, written atomically.
 */
final class FileJobStore implements JobStore {
  private static final Logger log = LoggerFactory.getLogger(FileJobStore.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Path folder;

  FileJobStore(Path storage) {
    this.folder = storage.resolve("jobs");
    try {
      Files.createDirectories(folder);
      try (Stream<Path> files = Files.list(folder)) {
        for (Path p : files.toList()) {
          if (DurableFiles.isLeftover(p)) {
            Files.deleteIfExists(p);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the job store at " + folder, e);
    }
  }

  @Override
  public void save(JobRecord record) {
    try {
      DurableFiles.writeAtomically(
          folder.resolve(record.job().id() + ".json"), JSON.writeValueAsBytes(record));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save job " + record.job().id(), e);
    }
  }

  @Override
  public List<JobRecord> loadAll() {
    List<JobRecord> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path p : files.sorted().toList()) {
        if (!p.getFileName().toString().endsWith(".json")) {
          continue;
        }
        try {
          out.add(JSON.readValue(Files.readAllBytes(p), JobRecord.class));
        } catch (IOException | JacksonException e) {
          log.error("skipping unreadable job file {}: {}", p, e.toString());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the job store at " + folder, e);
    }
    return out;
  }
}

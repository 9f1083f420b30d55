package dev.maas.training;

import dev.maas.storage.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps checkpoints as files {@code <storage>/jobs/<job-id>/epoch-<n>.ckpt}, each written with
 * {@link DurableFiles#writeAtomically}; at start it removes the temporary files a crash left
 * behind.
 */
final class FileCheckpointStore implements CheckpointStore {
  private static final Logger log = LoggerFactory.getLogger(FileCheckpointStore.class);
  private static final Pattern FILE = Pattern.compile("epoch-(\\d{1,9})\\.ckpt");
  private static final Pattern JOB = Pattern.compile("job-[0-9a-zA-Z-]{1,100}");
  static final int KEPT = 2;

  private final Path folder;

  FileCheckpointStore(Path storage) {
    this.folder = storage.resolve("jobs");
    try {
      Files.createDirectories(folder);
      for (String job : jobs()) {
        try (Stream<Path> files = Files.list(folder.resolve(job))) {
          for (Path p : files.toList()) {
            if (p.getFileName().toString().endsWith(DurableFiles.TEMPORARY_SUFFIX)) {
              Files.deleteIfExists(p);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the checkpoint store at " + folder, e);
    }
  }

  private Path job(String jobId) {
    if (!JOB.matcher(jobId).matches()) {
      throw new IllegalArgumentException("not a job id: " + jobId);
    }
    return folder.resolve(jobId);
  }

  @Override
  public void save(String jobId, int epoch, byte[] checkpoint) throws IOException {
    Path dir = job(jobId);
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      DurableFiles.syncDirectory(folder);
    }
    DurableFiles.writeAtomically(dir.resolve("epoch-" + epoch + ".ckpt"), checkpoint);
    List<Integer> stored = epochs(jobId);
    for (int old : stored.subList(Math.min(KEPT, stored.size()), stored.size())) {
      Files.deleteIfExists(dir.resolve("epoch-" + old + ".ckpt"));
    }
  }

  @Override
  public List<Integer> epochs(String jobId) {
    Path dir = job(jobId);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Integer> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        Matcher m = FILE.matcher(p.getFileName().toString());
        if (m.matches()) {
          out.add(Integer.parseInt(m.group(1)));
        }
      }
    } catch (IOException e) {
      log.warn("cannot list the checkpoints of {}: {}", jobId, e.toString());
      return List.of();
    }
    out.sort(Comparator.reverseOrder());
    return out;
  }

  @Override
  public byte[] read(String jobId, int epoch) throws IOException {
    return Files.readAllBytes(job(jobId).resolve("epoch-" + epoch + ".ckpt"));
  }

  @Override
  public void discard(String jobId, int epoch) {
    try {
      Files.deleteIfExists(job(jobId).resolve("epoch-" + epoch + ".ckpt"));
    } catch (IOException e) {
      log.warn("cannot remove checkpoint {} of {}: {}", epoch, jobId, e.toString());
    }
  }

  @Override
  public void delete(String jobId) {
    try {
      Path dir = job(jobId);
      if (Files.exists(dir)) {
        DurableFiles.deleteTree(dir);
        DurableFiles.syncDirectory(folder);
      }
    } catch (IOException | UncheckedIOException e) {
      log.warn("cannot remove the checkpoints of {}: {}", jobId, e.toString());
    }
  }

  @Override
  public List<String> jobs() {
    try (Stream<Path> files = Files.list(folder)) {
      return files
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(n -> JOB.matcher(n).matches())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the checkpoint store at " + folder, e);
    }
  }
}

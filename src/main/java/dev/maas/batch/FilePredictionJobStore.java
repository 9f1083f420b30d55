package dev.maas.batch;

import dev.maas.storage.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The embedded prediction job store: one JSON file per prediction job under {@code
 * <storage>/prediction-jobs}, and beside it a folder per running job with one file per committed
 * chunk of predictions, each written atomically and durably, so that a restarted job continues
 * after its last committed chunk. Each chunk names its own row count, so a job continues correctly
 * when the server restarts with another chunk size.
 *
 * <pre>
 * chunk file: "MAASPCH1"  int32 rows  int32 width  then rows x width float64 (little-endian)
 * </pre>
 */
final class FilePredictionJobStore implements PredictionJobStore {
  private static final Logger log = LoggerFactory.getLogger(FilePredictionJobStore.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final byte[] MAGIC = "MAASPCH1".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER = 16;

  private final Path folder;

  FilePredictionJobStore(Path storage) {
    this.folder = storage.resolve("prediction-jobs");
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
      throw new UncheckedIOException("cannot open the prediction job store at " + folder, e);
    }
  }

  @Override
  public void save(PredictionJobRecord record) {
    try {
      DurableFiles.writeAtomically(
          folder.resolve(record.job().id() + ".json"), JSON.writeValueAsBytes(record));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save prediction job " + record.job().id(), e);
    }
  }

  @Override
  public List<PredictionJobRecord> loadAll() {
    List<PredictionJobRecord> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path p : files.sorted().toList()) {
        if (!p.getFileName().toString().endsWith(".json")) {
          continue;
        }
        try {
          out.add(JSON.readValue(Files.readAllBytes(p), PredictionJobRecord.class));
        } catch (IOException | JacksonException e) {
          log.error("skipping unreadable prediction job file {}: {}", p, e.toString());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the prediction job store at " + folder, e);
    }
    return out;
  }

  private Path chunks(String job) {
    return folder.resolve(job);
  }

  private Path chunk(String job, int index) {
    return chunks(job).resolve(String.format("chunk-%08d.bin", index));
  }

  /**
   * How many chunks of the job are committed: chunk files 0, 1, ... without a gap (a chunk is
   * written only after the one before it).
   */
  @Override
  public int committedChunks(String job) {
    int n = 0;
    while (Files.exists(chunk(job, n))) {
      n++;
    }
    return n;
  }

  @Override
  public void writeChunk(String job, int index, int rows, int width, double[] values)
      throws IOException {
    Files.createDirectories(chunks(job));
    DurableFiles.writeAtomically(chunk(job, index), encode(rows, width, values));
  }

  /** A chunk's bytes: header, then its values. */
  static byte[] encode(int rows, int width, double[] values) {
    ByteBuffer b = ByteBuffer.allocate(HEADER + values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putInt(rows).putInt(width);
    b.asDoubleBuffer().put(values);
    return b.array();
  }

  /**
   * The rows of the job's committed chunks, from each chunk's header: a job continues after them,
   * whatever chunk size the server now has.
   */
  @Override
  public long committedRows(String job) throws IOException {
    long rows = 0;
    int n = committedChunks(job);
    for (int i = 0; i < n; i++) {
      try (var channel = java.nio.channels.FileChannel.open(chunk(job, i))) {
        ByteBuffer b = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining() && channel.read(b) >= 0) {
          // reads the header
        }
        rows += header(job, i, b.flip()).rows();
      }
    }
    return rows;
  }

  /** A chunk's size: its rows and the values per row. */
  record ChunkHeader(int rows, int width) {}

  static ChunkHeader header(String job, int index, ByteBuffer b) throws IOException {
    byte[] magic = new byte[MAGIC.length];
    if (b.remaining() < HEADER) {
      throw new IOException("chunk " + index + " of job " + job + " is truncated");
    }
    b.get(magic);
    int rows = b.getInt();
    int width = b.getInt();
    if (!Arrays.equals(magic, MAGIC) || rows <= 0 || width <= 0) {
      throw new IOException("chunk " + index + " of job " + job + " is not what was written");
    }
    return new ChunkHeader(rows, width);
  }

  /**
   * Reads back chunk {@code index}: its rows (as many as it was written with) x {@code width}
   * values.
   */
  @Override
  public double[] readChunk(String job, int index, int width) throws IOException {
    return decode(job, index, Files.readAllBytes(chunk(job, index)), width);
  }

  /** A chunk's values, after checking its header and size. */
  static double[] decode(String job, int index, byte[] bytes, int width) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    ChunkHeader h = header(job, index, b);
    if (h.width() != width || bytes.length != HEADER + (long) h.rows() * width * 8) {
      throw new IOException("chunk " + index + " of job " + job + " has the wrong size");
    }
    double[] values = new double[h.rows() * width];
    b.asDoubleBuffer().get(values);
    return values;
  }

  /** Removes the job's chunks, once its result is stored or it has stopped for good. */
  @Override
  public void deleteChunks(String job) {
    try {
      if (Files.exists(chunks(job))) {
        DurableFiles.deleteByRename(chunks(job));
      }
    } catch (IOException e) {
      log.warn("cannot remove the chunks of prediction job {}: {}", job, e.toString());
    }
  }
}

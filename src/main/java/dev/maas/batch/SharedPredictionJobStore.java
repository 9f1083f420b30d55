package dev.maas.batch;

import dev.maas.storage.DurableFiles;
import dev.maas.storage.JobTable;
import dev.maas.storage.SharedStore;
import dev.maas.storage.Sql;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The shared prediction job store: one row per job in {@code prediction_jobs} (the record as the
 * JSON {@link FilePredictionJobStore} writes); each committed chunk an object {@code
 * prediction-jobs/<job>/<index>-<random>.bin} in the bucket (the same bytes as a chunk file),
 * committed by its row in {@code prediction_chunks} with its rows and SHA-256 (checked on read).
 * Claims, leases, cancels and hand-back go through {@link JobTable}, as for training jobs: any
 * replica's worker claims a job nobody holds, or one whose holder died, and continues it after its
 * last committed chunk.
 */
final class SharedPredictionJobStore implements PredictionJobStore, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SharedPredictionJobStore.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final SharedStore shared;
  private final JobTable table;

  SharedPredictionJobStore(SharedStore shared, Duration lease) {
    this.shared = shared;
    this.table = new JobTable(shared, "prediction_jobs", "prediction", lease);
  }

  @Override
  public boolean distributed() {
    return true;
  }

  JobTable table() {
    return table;
  }

  @Override
  public void save(PredictionJobRecord record) {
    trySave(record);
  }

  @Override
  public boolean trySave(PredictionJobRecord record) {
    PredictionJobView job = record.job();
    boolean written =
        table.save(
            job.id(),
            write(record),
            job.state().name(),
            job.state().finished(),
            record.owner(),
            record.idempotencyKey(),
            job.createdAt());
    if (!written) {
      log.warn(
          "prediction job {}: another replica holds it now, or it has ended; this one's update is"
              + " dropped",
          job.id());
    }
    return written;
  }

  @Override
  public Optional<PredictionJobRecord> load(String id) {
    return table.load(id).map(SharedPredictionJobStore::read);
  }

  @Override
  public List<PredictionJobRecord> loadAll() {
    List<PredictionJobRecord> out = new ArrayList<>();
    for (String[] row : table.loadAll()) {
      try {
        out.add(read(row[1]));
      } catch (RuntimeException e) {
        log.error("skipping unreadable prediction job {}: {}", row[0], e.toString());
      }
    }
    return out;
  }

  @Override
  public void close() {
    table.close();
  }

  static PredictionJobRecord read(String json) {
    return JSON.readValue(json, PredictionJobRecord.class);
  }

  static String write(PredictionJobRecord record) {
    return JSON.writeValueAsString(record);
  }

  /** The rows of each committed chunk, in order, up to the first gap. */
  private List<Integer> chunkRows(String job) {
    return Sql.read(
        shared.data(),
        c -> {
          List<Integer> rows = new ArrayList<>();
          try (PreparedStatement s =
                  Sql.prepare(
                      c,
                      "SELECT chunk, rows FROM prediction_chunks WHERE job_id = ? ORDER BY chunk",
                      job);
              ResultSet r = s.executeQuery()) {
            while (r.next() && r.getInt(1) == rows.size()) {
              rows.add(r.getInt(2));
            }
          }
          return rows;
        });
  }

  @Override
  public int committedChunks(String job) {
    return chunkRows(job).size();
  }

  @Override
  public void writeChunk(String job, int index, int rows, int width, double[] values)
      throws IOException {
    byte[] bytes = FilePredictionJobStore.encode(rows, width, values);
    String key = "prediction-jobs/" + job + "/" + index + "-" + UUID.randomUUID() + ".bin";
    shared.objects().put(key, bytes);
    List<String> replaced;
    try {
      replaced =
          Sql.transaction(
              shared.data(),
              c -> {
                // A replica that lost the job (its lease expired and another claimed it, or the
                // job ended) commits nothing more: the job's holder writes its chunks.
                List<String> held =
                    Sql.strings(
                        c,
                        "SELECT id FROM prediction_jobs WHERE id = ? AND (state NOT IN"
                            + " ('QUEUED', 'RUNNING') OR (lease_holder <> ? AND lease_until >="
                            + " now())) FOR SHARE",
                        job,
                        shared.replica());
                if (!held.isEmpty()) {
                  throw new LostJobException(job);
                }
                List<String> gone =
                    Sql.strings(
                        c,
                        "DELETE FROM prediction_chunks WHERE job_id = ? AND chunk = ?"
                            + " RETURNING object_key",
                        job,
                        index);
                Sql.update(
                    c,
                    "INSERT INTO prediction_chunks (job_id, chunk, rows, width, sha256,"
                        + " object_key) VALUES (?, ?, ?, ?, ?, ?)",
                    job,
                    index,
                    rows,
                    width,
                    DurableFiles.sha256(bytes),
                    key);
                return gone;
              });
    } catch (RuntimeException e) {
      shared.objects().delete(key);
      throw e;
    }
    for (String old : replaced) {
      deleteObject(old);
    }
  }

  @Override
  public long committedRows(String job) {
    long total = 0;
    for (int rows : chunkRows(job)) {
      total += rows;
    }
    return total;
  }

  @Override
  public double[] readChunk(String job, int index, int width) throws IOException {
    String[] row =
        Sql.read(
            shared.data(),
            c -> {
              try (PreparedStatement s =
                      Sql.prepare(
                          c,
                          "SELECT object_key, sha256 FROM prediction_chunks"
                              + " WHERE job_id = ? AND chunk = ?",
                          job,
                          index);
                  ResultSet r = s.executeQuery()) {
                return r.next() ? new String[] {r.getString(1), r.getString(2)} : null;
              }
            });
    if (row == null) {
      throw new java.io.FileNotFoundException("chunk " + index + " of job " + job + " is missing");
    }
    byte[] bytes = shared.objects().get(row[0]);
    if (!DurableFiles.sha256(bytes).equals(row[1])) {
      throw new IOException("chunk " + index + " of job " + job + " does not match its SHA-256");
    }
    return FilePredictionJobStore.decode(job, index, bytes, width);
  }

  @Override
  public void deleteChunks(String job) {
    try {
      List<String> keys =
          Sql.transaction(
              shared.data(),
              c -> {
                List<String> gone =
                    Sql.strings(
                        c,
                        "DELETE FROM prediction_chunks WHERE job_id = ? RETURNING object_key",
                        job);
                return gone;
              });
      keys.forEach(this::deleteObject);
    } catch (Sql.StoreException e) {
      log.warn("cannot remove the chunks of prediction job {}: {}", job, e.toString());
    }
  }

  /** This replica no longer holds the job whose chunk it would commit. */
  static final class LostJobException extends RuntimeException {
    LostJobException(String job) {
      super("prediction job " + job + ": another replica holds it now, or it has ended");
    }
  }

  private void deleteObject(String key) {
    try {
      shared.objects().delete(key);
    } catch (IOException e) {
      log.warn("cannot delete object {}: {}", key, e.toString());
    }
  }
}

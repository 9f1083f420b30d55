package dev.maas.training;

import dev.maas.storage.DurableFiles;
import dev.maas.storage.SharedStore;
import dev.maas.storage.Sql;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared checkpoint store: each checkpoint an object {@code checkpoints/<job>/<epoch>-<random>}
 * in the bucket, committed by its row in {@code checkpoints} (with its SHA-256, checked on read),
 * so a job can carry on from it on any replica.
 */
final class SharedCheckpointStore implements CheckpointStore {
  private static final Logger log = LoggerFactory.getLogger(SharedCheckpointStore.class);
  private static final Pattern JOB = Pattern.compile("job-[0-9a-zA-Z-]{1,100}");

  private final SharedStore shared;

  SharedCheckpointStore(SharedStore shared) {
    this.shared = shared;
  }

  private static String checked(String jobId) {
    if (!JOB.matcher(jobId).matches()) {
      throw new IllegalArgumentException("not a job id: " + jobId);
    }
    return jobId;
  }

  @Override
  public void save(String jobId, int epoch, byte[] checkpoint) throws IOException {
    String key = "checkpoints/" + checked(jobId) + "/" + epoch + "-" + UUID.randomUUID();
    shared.objects().put(key, checkpoint);
    List<String> dropped;
    try {
      dropped =
          Sql.transaction(
              shared.data(),
              c -> {
                List<String> gone =
                    Sql.strings(
                        c,
                        "DELETE FROM checkpoints WHERE job_id = ? AND epoch = ?"
                            + " RETURNING object_key",
                        jobId,
                        epoch);
                Sql.update(
                    c,
                    "INSERT INTO checkpoints (job_id, epoch, sha256, size, object_key)"
                        + " VALUES (?, ?, ?, ?, ?)",
                    jobId,
                    epoch,
                    DurableFiles.sha256(checkpoint),
                    (long) checkpoint.length,
                    key);
                gone.addAll(
                    Sql.strings(
                        c,
                        "DELETE FROM checkpoints WHERE job_id = ? AND epoch NOT IN"
                            + " (SELECT epoch FROM checkpoints WHERE job_id = ?"
                            + " ORDER BY epoch DESC LIMIT ?) RETURNING object_key",
                        jobId,
                        jobId,
                        FileCheckpointStore.KEPT));
                return gone;
              });
    } catch (RuntimeException e) {
      shared.objects().delete(key);
      throw e;
    }
    for (String old : dropped) {
      deleteObject(old);
    }
  }

  @Override
  public List<Integer> epochs(String jobId) {
    return Sql.read(
        shared.data(),
        c -> {
          List<Integer> out = new ArrayList<>();
          try (PreparedStatement s =
                  Sql.prepare(
                      c,
                      "SELECT epoch FROM checkpoints WHERE job_id = ? ORDER BY epoch DESC",
                      checked(jobId));
              ResultSet r = s.executeQuery()) {
            while (r.next()) {
              out.add(r.getInt(1));
            }
          }
          return out;
        });
  }

  @Override
  public byte[] read(String jobId, int epoch) throws IOException {
    String[] row =
        Sql.read(
            shared.data(),
            c -> {
              try (PreparedStatement s =
                      Sql.prepare(
                          c,
                          "SELECT object_key, sha256 FROM checkpoints WHERE job_id = ? AND epoch = ?",
                          checked(jobId),
                          epoch);
                  ResultSet r = s.executeQuery()) {
                return r.next() ? new String[] {r.getString(1), r.getString(2)} : null;
              }
            });
    if (row == null) {
      throw new java.io.FileNotFoundException("job " + jobId + " has no checkpoint " + epoch);
    }
    byte[] bytes = shared.objects().get(row[0]);
    if (!DurableFiles.sha256(bytes).equals(row[1])) {
      throw new IOException("checkpoint " + epoch + " of " + jobId + " does not match its SHA-256");
    }
    return bytes;
  }

  @Override
  public void discard(String jobId, int epoch) {
    delete(jobId, epoch);
  }

  @Override
  public void delete(String jobId) {
    delete(jobId, null);
  }

  private void delete(String jobId, Integer epoch) {
    try {
      List<String> keys =
          Sql.transaction(
              shared.data(),
              c -> {
                return epoch == null
                    ? Sql.strings(
                        c,
                        "DELETE FROM checkpoints WHERE job_id = ? RETURNING object_key",
                        checked(jobId))
                    : Sql.strings(
                        c,
                        "DELETE FROM checkpoints WHERE job_id = ? AND epoch = ? RETURNING object_key",
                        checked(jobId),
                        epoch);
              });
      keys.forEach(this::deleteObject);
    } catch (Sql.StoreException e) {
      log.warn("cannot remove the checkpoints of {}: {}", jobId, e.toString());
    }
  }

  private void deleteObject(String key) {
    try {
      shared.objects().delete(key);
    } catch (IOException e) {
      log.warn("cannot delete checkpoint object {}: {}", key, e.toString());
    }
  }

  @Override
  public List<String> jobs() {
    return Sql.read(
        shared.data(),
        c -> {
          return Sql.strings(c, "SELECT DISTINCT job_id FROM checkpoints ORDER BY job_id");
        });
  }
}

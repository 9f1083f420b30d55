package dev.maas.training;

import dev.maas.storage.JobTable;
import dev.maas.storage.SharedStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The shared job store: one row per job in {@code training_jobs}, the record as JSON (the same
 * document {@link FileJobStore} writes) with its state, owner and idempotency key as columns;
 * claims, leases, cancels and hand-back through {@link JobTable}.
 *
 * <p>Every replica's workers {@link #claimNext claim} the oldest claimable job: one nobody holds
 * (new, or handed back by a replica that stopped cleanly) or one whose holder stopped renewing its
 * lease (it died), which then runs on from its latest checkpoint. A replica that lost a job's lease
 * no longer writes its record.
 */
final class SharedJobStore implements JobStore, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SharedJobStore.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final JobTable table;

  SharedJobStore(SharedStore shared, Duration lease) {
    this.table = new JobTable(shared, "training_jobs", "training", lease);
  }

  @Override
  public boolean distributed() {
    return true;
  }

  JobTable table() {
    return table;
  }

  @Override
  public boolean claim(String id) {
    return table.claim(id);
  }

  @Override
  public List<String> orphans() {
    return table.orphans();
  }

  @Override
  public Optional<JobRecord> load(String id) {
    return table.load(id).map(SharedJobStore::read);
  }

  @Override
  public void close() {
    table.close();
  }

  @Override
  public void save(JobRecord record) {
    JobView job = record.job();
    boolean written =
        table.save(
            job.id(),
            JSON.writeValueAsString(record),
            job.state().name(),
            job.state().finished(),
            record.owner(),
            record.idempotencyKey(),
            job.createdAt());
    if (!written) {
      log.warn(
          "training job {}: another replica holds it now, or it has ended; this one's update is"
              + " dropped",
          job.id());
    }
  }

  @Override
  public List<JobRecord> loadAll() {
    List<JobRecord> out = new ArrayList<>();
    for (String[] row : table.loadAll()) {
      try {
        out.add(read(row[1]));
      } catch (RuntimeException e) {
        log.error("skipping unreadable job {}: {}", row[0], e.toString());
      }
    }
    return out;
  }

  static JobRecord read(String json) {
    return JSON.readValue(json, JobRecord.class);
  }

  static String write(JobRecord record) {
    return JSON.writeValueAsString(record);
  }
}

package dev.maas.training;

import dev.maas.storage.SharedStore;
import dev.maas.storage.Sql;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The shared job store: one row per job in {@code training_jobs}, the record as JSON (the same
 * document {@link FileJobStore} writes) with its state, owner and idempotency key as columns.
 *
 * <p>Leases: the replica that saves or {@link #claim claims} an unfinished job holds it ({@code
 * lease_holder}, {@code lease_until}) and renews the leases of all its unfinished jobs every third
 * of {@code lease}. A replica that dies stops renewing; once its leases expire its jobs are {@link
 * #orphans orphans} that exactly one other replica claims (a conditional {@code UPDATE}) and runs
 * on from the latest checkpoint. A replica that lost a job's lease no longer writes its record.
 */
final class SharedJobStore implements JobStore, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SharedJobStore.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final SharedStore shared;
  private final long leaseMillis;
  private final java.util.concurrent.ScheduledExecutorService renewer;

  SharedJobStore(SharedStore shared, java.time.Duration lease) {
    this.shared = shared;
    this.leaseMillis = lease.toMillis();
    this.renewer =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "maas-job-leases");
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(1, leaseMillis / 3);
    renewer.scheduleWithFixedDelay(
        this::renew, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  private void renew() {
    try {
      Sql.transaction(
          shared.data(),
          c ->
              Sql.update(
                  c,
                  "UPDATE training_jobs SET lease_until = now() + ? * interval '1 millisecond'"
                      + " WHERE lease_holder = ? AND state IN ('QUEUED', 'RUNNING')",
                  leaseMillis,
                  shared.replica()));
    } catch (RuntimeException e) {
      log.warn("cannot renew the leases of this replica's training jobs: {}", e.toString());
    }
  }

  @Override
  public boolean claim(String id) {
    return Sql.transaction(
            shared.data(),
            c ->
                Sql.update(
                    c,
                    "UPDATE training_jobs SET lease_holder = ?,"
                        + " lease_until = now() + ? * interval '1 millisecond'"
                        + " WHERE id = ? AND state IN ('QUEUED', 'RUNNING') AND (lease_holder IS"
                        + " NULL OR lease_holder = ? OR lease_until < now())",
                    shared.replica(),
                    leaseMillis,
                    id,
                    shared.replica()))
        == 1;
  }

  @Override
  public List<String> orphans() {
    return Sql.read(
        shared.data(),
        c -> {
          List<String> out =
              Sql.strings(
                  c,
                  "SELECT id FROM training_jobs WHERE state IN ('QUEUED', 'RUNNING')"
                      + " AND lease_until < now() AND lease_holder <> ? ORDER BY created_at",
                  shared.replica());
          return out;
        });
  }

  @Override
  public java.util.Optional<JobRecord> load(String id) {
    return Sql.read(
        shared.data(),
        c -> {
          try (PreparedStatement s =
                  Sql.prepare(c, "SELECT record FROM training_jobs WHERE id = ?", id);
              ResultSet r = s.executeQuery()) {
            return r.next()
                ? java.util.Optional.of(JSON.readValue(r.getString(1), JobRecord.class))
                : java.util.Optional.<JobRecord>empty();
          }
        });
  }

  @Override
  public void close() {
    renewer.shutdownNow();
  }

  @Override
  public void save(JobRecord record) {
    JobView job = record.job();
    boolean finished = job.state().finished();
    int written =
        Sql.transaction(
            shared.data(),
            c ->
                Sql.update(
                    c,
                    "INSERT INTO training_jobs (id, record, state, owner, idempotency_key,"
                        + " created_at, lease_holder, lease_until)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, now() + ? * interval '1 millisecond')"
                        + " ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record,"
                        + " state = EXCLUDED.state, lease_holder = EXCLUDED.lease_holder,"
                        + " lease_until = EXCLUDED.lease_until"
                        + " WHERE training_jobs.lease_holder IS NULL"
                        + " OR training_jobs.lease_holder = ? OR training_jobs.lease_until < now()",
                    job.id(),
                    JSON.writeValueAsString(record),
                    job.state().name(),
                    record.owner(),
                    record.idempotencyKey(),
                    Timestamp.from(job.createdAt()),
                    finished ? null : shared.replica(),
                    finished ? 0L : leaseMillis,
                    shared.replica()));
    if (written == 0) {
      log.warn(
          "training job {}: another replica holds it now; this one's update is dropped", job.id());
    }
  }

  @Override
  public List<JobRecord> loadAll() {
    return Sql.read(
        shared.data(),
        c -> {
          List<JobRecord> out = new ArrayList<>();
          try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT id, record FROM training_jobs ORDER BY created_at, id");
              ResultSet r = s.executeQuery()) {
            while (r.next()) {
              try {
                out.add(JSON.readValue(r.getString(2), JobRecord.class));
              } catch (RuntimeException e) {
                log.error("skipping unreadable job {}: {}", r.getString(1), e.toString());
              }
            }
          }
          return out;
        });
  }
}

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
 */
final class SharedJobStore implements JobStore {
  private static final Logger log = LoggerFactory.getLogger(SharedJobStore.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final SharedStore shared;

  SharedJobStore(SharedStore shared) {
    this.shared = shared;
  }

  @Override
  public void save(JobRecord record) {
    JobView job = record.job();
    Sql.transaction(
        shared.data(),
        c ->
            Sql.update(
                c,
                "INSERT INTO training_jobs (id, record, state, owner, idempotency_key, created_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record,"
                    + " state = EXCLUDED.state",
                job.id(),
                JSON.writeValueAsString(record),
                job.state().name(),
                record.owner(),
                record.idempotencyKey(),
                Timestamp.from(job.createdAt())));
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

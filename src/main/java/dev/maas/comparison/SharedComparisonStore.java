package dev.maas.comparison;

import dev.maas.storage.SharedStore;
import dev.maas.storage.Sql;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The shared comparison store: one row per comparison in {@code comparisons} (the record as the
 * JSON {@link FileComparisonStore} writes), with the runner's lease and the cancel mark beside it,
 * so that every replica sees every comparison and one carries on those whose runner stopped.
 */
final class SharedComparisonStore implements ComparisonStore {
  private static final Logger log = LoggerFactory.getLogger(SharedComparisonStore.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final SharedStore shared;
  private final long leaseMillis;

  SharedComparisonStore(SharedStore shared, Duration lease) {
    this.shared = shared;
    this.leaseMillis = lease.toMillis();
  }

  @Override
  public void save(ComparisonRecord record) {
    Sql.transaction(
        shared.data(),
        c ->
            Sql.update(
                c,
                "INSERT INTO comparisons (id, record, state, owner, lease_holder, lease_until,"
                    + " created_at) VALUES (?, ?, ?, ?, ?, now() + ? * interval '1 millisecond',"
                    + " ?) ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record,"
                    + " state = EXCLUDED.state, lease_holder = EXCLUDED.lease_holder,"
                    + " lease_until = EXCLUDED.lease_until",
                record.id(),
                JSON.writeValueAsString(record),
                record.state(),
                record.owner(),
                shared.replica(),
                leaseMillis,
                Timestamp.from(record.createdAt())));
  }

  @Override
  public Optional<ComparisonRecord> load(String id) {
    return Sql.read(
        shared.data(),
        c -> {
          try (PreparedStatement s =
                  Sql.prepare(c, "SELECT record FROM comparisons WHERE id = ?", id);
              ResultSet r = s.executeQuery()) {
            return r.next() ? parse(id, r.getString(1)) : Optional.<ComparisonRecord>empty();
          }
        });
  }

  private static Optional<ComparisonRecord> parse(String id, String json) {
    try {
      return Optional.of(JSON.readValue(json, ComparisonRecord.class));
    } catch (RuntimeException e) {
      log.error("skipping unreadable comparison {}: {}", id, e.toString());
      return Optional.empty();
    }
  }

  @Override
  public List<ComparisonRecord> loadAll() {
    return Sql.read(
        shared.data(),
        c -> {
          List<ComparisonRecord> out = new ArrayList<>();
          try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT id, record FROM comparisons ORDER BY created_at DESC, id DESC");
              ResultSet r = s.executeQuery()) {
            while (r.next()) {
              parse(r.getString(1), r.getString(2)).ifPresent(out::add);
            }
          }
          return out;
        });
  }

  @Override
  public void requestCancel(String id) {
    Sql.transaction(
        shared.data(),
        c -> Sql.update(c, "UPDATE comparisons SET cancel_requested = true WHERE id = ?", id));
  }

  @Override
  public boolean cancelRequested(String id) {
    return Sql.read(
        shared.data(),
        c ->
            !Sql.strings(c, "SELECT id FROM comparisons WHERE id = ? AND cancel_requested", id)
                .isEmpty());
  }

  @Override
  public boolean claim(String id) {
    return Sql.transaction(
            shared.data(),
            c ->
                Sql.update(
                    c,
                    "UPDATE comparisons SET lease_holder = ?,"
                        + " lease_until = now() + ? * interval '1 millisecond'"
                        + " WHERE id = ? AND state = 'running' AND (lease_holder IS NULL"
                        + " OR lease_holder = ? OR lease_until < now())",
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
        c ->
            Sql.strings(
                c,
                "SELECT id FROM comparisons WHERE state = 'running' AND lease_until < now()"
                    + " ORDER BY created_at"));
  }
}

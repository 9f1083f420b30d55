package dev.maas.storage;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job table of the shared store ({@code training_jobs} or {@code prediction_jobs}) as every
 * replica's workers use it: submissions counted against per-key caps and the queue limit in the
 * submitting transaction, claims with {@code FOR UPDATE SKIP LOCKED}, leases renewed while a job
 * runs, cancels through any replica, and hand-back on shutdown.
 *
 * <p>A job row is claimable when it is unfinished and nobody holds its lease ({@code lease_holder}
 * is null: never claimed, or handed back) or its lease expired (its replica died). Every write of a
 * job's record is conditional on holding its lease, so a replica that lost a job writes nothing.
 *
 * <p>Notifications on {@value #CHANNEL}: {@code <kind>} when a job becomes claimable (a submission,
 * a hand-back), {@code cancel <kind> <id>} when a cancel is asked for a job another replica holds.
 */
public final class JobTable implements AutoCloseable {
  /** The channel of job notifications. */
  public static final String CHANNEL = "maas_jobs";

  private static final Logger log = LoggerFactory.getLogger(JobTable.class);
  private static final String UNFINISHED = "state IN ('QUEUED', 'RUNNING')";

  private final SharedStore shared;
  private final String table;
  private final String kind;
  private final long leaseMillis;
  private final ScheduledExecutorService renewer;
  private volatile Consumer<String> onCancel = id -> {};
  private final Object work = new Object();
  private boolean workSignalled;
  private volatile boolean stopped;

  /**
   * @param table {@code training_jobs} or {@code prediction_jobs}
   * @param kind {@code training} or {@code prediction}: names the notifications and the lock
   * @param lease how long a job stays held without renewal (renewed every third of it)
   */
  public JobTable(SharedStore shared, String table, String kind, Duration lease) {
    if (!table.matches("(training|prediction)_jobs")) {
      throw new IllegalArgumentException("not a job table: " + table);
    }
    this.shared = shared;
    this.table = table;
    this.kind = kind;
    this.leaseMillis = lease.toMillis();
    this.renewer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "maas-" + kind + "-leases");
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(1, leaseMillis / 3);
    renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    shared.subscribe(CHANNEL, this::notified);
  }

  /**
   * Starts {@code workers} workers on {@code executor}: each claims the oldest claimable job of the
   * cluster ({@link #claimNext}), hands it to {@code run} on its own thread, and claims the next;
   * an idle worker waits for a notification of new work, or {@code poll} when one is lost. They
   * stop at {@link #stopWorkers}.
   */
  public void startWorkers(
      java.util.concurrent.Executor executor, int workers, Duration poll, Consumer<Claimed> run) {
    long pollMillis = Math.max(1, poll.toMillis());
    for (int i = 0; i < workers; i++) {
      executor.execute(() -> claimLoop(pollMillis, run));
    }
  }

  /** The workers claim nothing more; each stops once its job returns. */
  public void stopWorkers() {
    stopped = true;
    wake();
  }

  private void claimLoop(long pollMillis, Consumer<Claimed> run) {
    while (!stopped) {
      Optional<Claimed> claimed;
      try {
        claimed = claimNext();
      } catch (RuntimeException e) {
        log.warn("cannot claim a {} job: {}", kind, e.toString());
        claimed = Optional.empty();
      }
      if (claimed.isPresent()) {
        try {
          run.accept(claimed.get());
        } catch (RuntimeException e) {
          log.error("a claimed {} job failed to run", kind, e);
        }
        continue;
      }
      synchronized (work) {
        try {
          if (!workSignalled && !stopped) {
            work.wait(pollMillis);
          }
        } catch (InterruptedException e) {
          return;
        }
        workSignalled = false;
      }
    }
  }

  /** Wakes the idle workers: a job may have become claimable. */
  private void wake() {
    synchronized (work) {
      workSignalled = true;
      work.notifyAll();
    }
  }

  /**
   * Called with a job's id when a cancel was asked for a job this replica holds: on the
   * notification, or at the next lease renewal when the notification was lost.
   */
  public void onCancel(Consumer<String> handler) {
    this.onCancel = handler;
  }

  private void notified(String payload) {
    if (payload.equals(kind)) {
      wake();
    } else if (payload.startsWith("cancel " + kind + " ")) {
      onCancel.accept(payload.substring(("cancel " + kind + " ").length()));
    }
  }

  /** How long a lease lasts. */
  public Duration lease() {
    return Duration.ofMillis(leaseMillis);
  }

  private void renew() {
    try {
      List<String> cancelled =
          Sql.transaction(
              shared.data(),
              c ->
                  Sql.strings(
                      c,
                      "UPDATE "
                          + table
                          + " SET lease_until = now() + ? * interval '1 millisecond'"
                          + " WHERE lease_holder = ? AND "
                          + UNFINISHED
                          + " RETURNING CASE WHEN cancel_requested THEN id END",
                      leaseMillis,
                      shared.replica()));
      for (String id : cancelled) {
        if (id != null) {
          onCancel.accept(id);
        }
      }
    } catch (RuntimeException e) {
      log.warn("cannot renew the leases of this replica's {} jobs: {}", kind, e.toString());
    }
  }

  /**
   * Takes one unfinished job for this replica: false when another live replica holds it (its lease
   * has not expired) or it has finished.
   */
  public boolean claim(String id) {
    return Sql.transaction(
            shared.data(),
            c ->
                Sql.update(
                    c,
                    "UPDATE "
                        + table
                        + " SET lease_holder = ?, lease_until = now() + ? * interval '1 millisecond'"
                        + " WHERE id = ? AND "
                        + UNFINISHED
                        + " AND (lease_holder IS NULL OR lease_holder = ? OR lease_until < now())",
                    shared.replica(),
                    leaseMillis,
                    id,
                    shared.replica()))
        == 1;
  }

  /** A job claimed by {@link #claimNext}: its record, and whether a cancel was asked for it. */
  public record Claimed(String record, boolean cancelRequested) {}

  /**
   * Claims the oldest claimable job, if any: {@code SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1} and
   * the lease's {@code UPDATE} in one transaction, so that concurrent workers of every replica each
   * take a different job.
   */
  public Optional<Claimed> claimNext() {
    if (stopped) {
      return Optional.empty();
    }
    return Sql.transaction(
        shared.data(),
        c -> {
          String id;
          Claimed claimed;
          try (PreparedStatement s =
                  Sql.prepare(
                      c,
                      "SELECT id, record, cancel_requested FROM "
                          + table
                          + " WHERE "
                          + UNFINISHED
                          + " AND (lease_holder IS NULL OR lease_until < now())"
                          + " ORDER BY created_at, id FOR UPDATE SKIP LOCKED LIMIT 1");
              ResultSet r = s.executeQuery()) {
            if (!r.next()) {
              return Optional.<Claimed>empty();
            }
            id = r.getString(1);
            claimed = new Claimed(r.getString(2), r.getBoolean(3));
          }
          Sql.update(
              c,
              "UPDATE "
                  + table
                  + " SET lease_holder = ?, lease_until = now() + ? * interval '1 millisecond'"
                  + " WHERE id = ?",
              shared.replica(),
              leaseMillis,
              id);
          return Optional.of(claimed);
        });
  }

  /** Unfinished jobs whose holder stopped renewing its lease (its replica died), oldest first. */
  public List<String> orphans() {
    return Sql.read(
        shared.data(),
        c ->
            Sql.strings(
                c,
                "SELECT id FROM "
                    + table
                    + " WHERE "
                    + UNFINISHED
                    + " AND lease_until < now() AND lease_holder <> ? ORDER BY created_at",
                shared.replica()));
  }

  /** What a submission did. */
  public sealed interface Submission {
    /** The job was stored, claimable by any replica's workers. */
    record Accepted() implements Submission {}

    /** The owner's earlier job with the same idempotency key: its record. */
    record Earlier(String record) implements Submission {}

    /** The owner already has {@code active} jobs queued or running, the cap. */
    record OwnerFull(long active) implements Submission {}

    /** The cluster already has {@code waiting} jobs waiting for a worker, the queue's limit. */
    record QueueFull(long waiting) implements Submission {}
  }

  /**
   * Stores a new queued job unless the owner's earlier job with the same idempotency key exists,
   * the owner has {@code maxPerOwner} jobs queued or running, or {@code queueCapacity} jobs wait
   * cluster-wide; then tells every replica there is work. Submissions of one kind are serialized by
   * a transaction-level advisory lock, so the counts hold across replicas.
   *
   * @param maxPerOwner the per-owner cap, or 0 for none
   */
  public Submission submit(
      String id,
      String record,
      String owner,
      String idempotencyKey,
      Instant createdAt,
      int maxPerOwner,
      int queueCapacity) {
    return Sql.transaction(
        shared.data(),
        c -> {
          try (PreparedStatement s =
              Sql.prepare(c, "SELECT pg_advisory_xact_lock(hashtext(?))", "maas-submit-" + kind)) {
            s.execute();
          }
          if (idempotencyKey != null) {
            List<String> earlier =
                Sql.strings(
                    c,
                    "SELECT record FROM "
                        + table
                        + " WHERE owner IS NOT DISTINCT FROM ? AND idempotency_key = ?",
                    owner,
                    idempotencyKey);
            if (!earlier.isEmpty()) {
              return new Submission.Earlier(earlier.get(0));
            }
          }
          if (owner != null && maxPerOwner > 0) {
            long active =
                count(
                    c,
                    "SELECT count(*) FROM " + table + " WHERE owner = ? AND " + UNFINISHED,
                    owner);
            if (active >= maxPerOwner) {
              return new Submission.OwnerFull(active);
            }
          }
          long waiting =
              count(
                  c,
                  "SELECT count(*) FROM "
                      + table
                      + " WHERE state = 'QUEUED' AND (lease_holder IS NULL OR lease_until < now())");
          if (waiting >= queueCapacity) {
            return new Submission.QueueFull(waiting);
          }
          Sql.update(
              c,
              "INSERT INTO "
                  + table
                  + " (id, record, state, owner, idempotency_key, created_at)"
                  + " VALUES (?, ?, 'QUEUED', ?, ?, ?)",
              id,
              record,
              owner,
              idempotencyKey,
              Timestamp.from(createdAt));
          Sql.notify(c, CHANNEL, kind);
          return new Submission.Accepted();
        });
  }

  private static long count(java.sql.Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement s = Sql.prepare(c, sql, args);
        ResultSet r = s.executeQuery()) {
      r.next();
      return r.getLong(1);
    }
  }

  /** How many jobs wait for a worker in the whole cluster. */
  public long waiting() {
    return Sql.read(
        shared.data(),
        c ->
            count(
                c,
                "SELECT count(*) FROM "
                    + table
                    + " WHERE state = 'QUEUED' AND (lease_holder IS NULL OR lease_until < now())"));
  }

  /**
   * Writes a job's record (inserting it when new) if this replica may: it holds the job's lease, or
   * nobody does, or the lease expired. An unfinished job's lease is (re)taken, a finished job's
   * cleared. False when another replica holds the job: nothing was written.
   */
  public boolean save(
      String id,
      String record,
      String state,
      boolean finished,
      String owner,
      String idempotencyKey,
      Instant createdAt) {
    return Sql.transaction(
            shared.data(),
            c ->
                Sql.update(
                    c,
                    "INSERT INTO "
                        + table
                        + " AS t (id, record, state, owner, idempotency_key,"
                        + " created_at, lease_holder, lease_until)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, now() + ? * interval '1 millisecond')"
                        + " ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record,"
                        + " state = EXCLUDED.state, lease_holder = EXCLUDED.lease_holder,"
                        + " lease_until = EXCLUDED.lease_until"
                        + " WHERE t.state IN ('QUEUED', 'RUNNING') AND (t.lease_holder IS NULL"
                        + " OR t.lease_holder = ? OR t.lease_until < now())",
                    id,
                    record,
                    state,
                    owner,
                    idempotencyKey,
                    Timestamp.from(createdAt),
                    finished ? null : shared.replica(),
                    finished ? 0L : leaseMillis,
                    shared.replica()))
        == 1;
  }

  /**
   * Hands a job this replica holds back to the cluster (a clean shutdown): its record (queued
   * again) is written, its lease cleared, and every replica told there is work, so another one
   * claims it at once instead of after the lease expires. False when this replica did not hold it.
   */
  public boolean release(String id, String record) {
    return Sql.transaction(
            shared.data(),
            c -> {
              int n =
                  Sql.update(
                      c,
                      "UPDATE "
                          + table
                          + " SET record = ?, state = 'QUEUED', lease_holder = NULL,"
                          + " lease_until = NULL WHERE id = ? AND lease_holder = ? AND "
                          + UNFINISHED,
                      record,
                      id,
                      shared.replica());
              if (n == 1) {
                Sql.notify(c, CHANNEL, kind);
              }
              return n;
            })
        == 1;
  }

  /** One job's record. */
  public Optional<String> load(String id) {
    return Sql.read(
        shared.data(),
        c -> {
          List<String> r = Sql.strings(c, "SELECT record FROM " + table + " WHERE id = ?", id);
          return r.isEmpty() ? Optional.<String>empty() : Optional.of(r.get(0));
        });
  }

  /** Every job's id and record, oldest first. */
  public List<String[]> loadAll() {
    return Sql.read(
        shared.data(),
        c -> {
          List<String[]> out = new ArrayList<>();
          try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT id, record FROM " + table + " ORDER BY created_at, id");
              ResultSet r = s.executeQuery()) {
            while (r.next()) {
              out.add(new String[] {r.getString(1), r.getString(2)});
            }
          }
          return out;
        });
  }

  /** What a cancel through this table did. */
  public record Cancel(String record, boolean cancelledNow) {}

  /**
   * Cancels a job whichever replica runs it: a queued job nobody holds is cancelled at once ({@code
   * cancelQueued} turns its record into the cancelled one); a job a replica holds gets {@code
   * cancel_requested} and a notification its holder acts on (and reads again at its next lease
   * renewal). Empty when the job does not exist.
   */
  public Optional<Cancel> cancel(String id, UnaryOperator<String> cancelQueued) {
    return Sql.transaction(
        shared.data(),
        c -> {
          String record;
          String state;
          boolean free;
          try (PreparedStatement s =
                  Sql.prepare(
                      c,
                      "SELECT record, state, lease_holder IS NULL OR lease_until < now() FROM "
                          + table
                          + " WHERE id = ? FOR UPDATE",
                      id);
              ResultSet r = s.executeQuery()) {
            if (!r.next()) {
              return Optional.<Cancel>empty();
            }
            record = r.getString(1);
            state = r.getString(2);
            free = r.getBoolean(3);
          }
          if (!state.equals("QUEUED") && !state.equals("RUNNING")) {
            return Optional.of(new Cancel(record, false));
          }
          if (state.equals("QUEUED") && free) {
            String cancelled = cancelQueued.apply(record);
            Sql.update(
                c,
                "UPDATE "
                    + table
                    + " SET record = ?, state = 'CANCELLED', cancel_requested = true,"
                    + " lease_holder = NULL, lease_until = NULL WHERE id = ?",
                cancelled,
                id);
            return Optional.of(new Cancel(cancelled, true));
          }
          Sql.update(c, "UPDATE " + table + " SET cancel_requested = true WHERE id = ?", id);
          Sql.notify(c, CHANNEL, "cancel " + kind + " " + id);
          return Optional.of(new Cancel(record, false));
        });
  }

  @Override
  public void close() {
    stopWorkers();
    renewer.shutdownNow();
  }
}

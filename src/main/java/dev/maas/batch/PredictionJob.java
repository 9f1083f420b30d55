package dev.maas.batch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** One prediction job's changing state; every method is synchronized on the job. */
final class PredictionJob {
  private final String id;
  private final PredictionPlan plan;
  private final String idempotencyKey;
  private final String owner;
  private final Instant createdAt;
  private PredictionJobState state;
  private long rows;
  private long rowsDone;
  private long runRows;
  private long runStartNanos;
  private Double rowsPerSecond;
  private Double etaSeconds;
  private String resultDataset;
  private String error;
  private final List<String> notes = new ArrayList<>();
  private Instant startedAt;
  private Instant finishedAt;
  private volatile boolean cancelRequested;
  private Runnable task;
  private long version;

  PredictionJob(
      String id,
      PredictionPlan plan,
      long rows,
      String idempotencyKey,
      String owner,
      Instant createdAt) {
    this.id = id;
    this.plan = plan;
    this.rows = rows;
    this.idempotencyKey = idempotencyKey;
    this.owner = owner;
    this.createdAt = createdAt;
    this.state = PredictionJobState.QUEUED;
  }

  /** A job read back from the store. */
  PredictionJob(PredictionJobRecord record) {
    PredictionJobView v = record.job();
    this.id = v.id();
    this.plan = v.plan();
    this.idempotencyKey = record.idempotencyKey();
    this.owner = record.owner();
    this.createdAt = v.createdAt();
    this.state = v.state();
    this.rows = v.progress().rows();
    this.rowsDone = v.progress().rowsDone();
    this.rowsPerSecond = v.progress().rowsPerSecond();
    this.etaSeconds = v.progress().etaSeconds();
    this.resultDataset = v.resultDataset();
    this.error = v.error();
    this.notes.addAll(v.notes());
    this.startedAt = v.startedAt();
    this.finishedAt = v.finishedAt();
  }

  String id() {
    return id;
  }

  PredictionPlan plan() {
    return plan;
  }

  String model() {
    return plan.model();
  }

  String idempotencyKey() {
    return idempotencyKey;
  }

  String owner() {
    return owner;
  }

  Instant createdAt() {
    return createdAt;
  }

  synchronized PredictionJobState state() {
    return state;
  }

  synchronized Runnable task() {
    return task;
  }

  synchronized void task(Runnable value) {
    this.task = value;
  }

  boolean cancelRequested() {
    return cancelRequested;
  }

  /** Whether the job is queued or running and reads {@code datasetId}. */
  synchronized boolean uses(String datasetId) {
    return !state.finished() && datasetId.equals(plan.dataset());
  }

  /** A job that was queued or running when the server stopped, queued again to continue. */
  synchronized void requeue(String note) {
    state = PredictionJobState.QUEUED;
    notes.add(note);
    version++;
  }

  /**
   * The server is stopping cleanly and hands this job back to the cluster (shared mode): it is
   * queued again, to continue after its last committed chunk wherever it is claimed next. False
   * when it has ended.
   */
  synchronized boolean handBack() {
    if (state.finished()) {
      return false;
    }
    state = PredictionJobState.QUEUED;
    version++;
    return true;
  }

  /** Moves a queued job to running; false when it is no longer queued (cancelled). */
  synchronized boolean start(long rowsInDataset, long committedRows) {
    if (state != PredictionJobState.QUEUED) {
      return false;
    }
    state = PredictionJobState.RUNNING;
    rows = rowsInDataset;
    rowsDone = committedRows;
    runRows = 0;
    runStartNanos = System.nanoTime();
    rowsPerSecond = null;
    etaSeconds = null;
    startedAt = Instant.now();
    version++;
    return true;
  }

  /**
   * Counts a scored chunk of {@code n} rows and updates the rate and the estimate (the rows count
   * as done when scored; a restart continues after the last commit).
   */
  synchronized void scored(int n) {
    rowsDone += n;
    runRows += n;
    double elapsed = (System.nanoTime() - runStartNanos) / 1e9;
    if (elapsed > 0) {
      rowsPerSecond = runRows / elapsed;
      etaSeconds = (rows - rowsDone) / rowsPerSecond;
    }
    version++;
  }

  synchronized long rowsDone() {
    return rowsDone;
  }

  synchronized void succeed(String dataset) {
    resultDataset = dataset;
    etaSeconds = 0.0;
    finish(PredictionJobState.SUCCEEDED, null);
  }

  synchronized void fail(String reason) {
    finish(PredictionJobState.FAILED, reason);
  }

  /**
   * Asks the job to stop: a queued job is cancelled at once (true), a running one stops before its
   * next chunk.
   */
  synchronized boolean cancel() {
    cancelRequested = true;
    if (state == PredictionJobState.QUEUED) {
      finish(PredictionJobState.CANCELLED, null);
      return true;
    }
    return false;
  }

  synchronized void cancelled() {
    finish(PredictionJobState.CANCELLED, null);
  }

  private void finish(PredictionJobState value, String reason) {
    state = value;
    error = reason;
    finishedAt = Instant.now();
    version++;
  }

  /** Increases on every change; for server-sent events. */
  synchronized long version() {
    return version;
  }

  synchronized PredictionJobView view() {
    return new PredictionJobView(
        id,
        state,
        plan.model(),
        new PredictionJobView.VersionRef(plan.model(), plan.version()),
        plan.dataset(),
        plan.passThrough(),
        plan.output(),
        new PredictionJobView.Progress(rowsDone, rows, rowsPerSecond, etaSeconds),
        resultDataset,
        error,
        notes,
        createdAt,
        startedAt,
        finishedAt);
  }

  synchronized PredictionJobRecord record() {
    return new PredictionJobRecord(view(), idempotencyKey, owner);
  }
}

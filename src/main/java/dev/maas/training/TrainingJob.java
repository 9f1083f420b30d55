package dev.maas.training;

import dev.maas.compute.EpochProgress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** One training job's changing state; every method is synchronized on the job. */
final class TrainingJob {
  private final String id;
  private final String model;
  private final String family;
  private final JsonNode request;
  private final String idempotencyKey;
  private final String owner;
  private final Instant createdAt;
  private TrainingPlan plan;
  private JobState state;
  private int epoch;
  private int epochs;
  private Double etaSeconds;
  private final List<JobView.CurvePoint> curve = new ArrayList<>();
  private Map<String, Object> metrics;
  private JobView.VersionRef modelVersion;
  private JobView.Usage usage;
  private String error;
  private final List<String> notes = new ArrayList<>();
  private final List<JobView.Attempt> attempts = new ArrayList<>();
  private Instant finishedAt;
  private volatile boolean cancelRequested;
  private Runnable task;
  private long version;

  TrainingJob(
      String id,
      TrainingPlan plan,
      JsonNode request,
      String idempotencyKey,
      String owner,
      Instant createdAt) {
    this.id = id;
    this.owner = owner;
    this.model = plan == null ? null : plan.model();
    this.family = plan == null ? familyOf(request) : plan.spec().family().wireName();
    this.plan = plan;
    this.request = request;
    this.idempotencyKey = idempotencyKey;
    this.createdAt = createdAt;
    this.state = JobState.QUEUED;
    this.epochs = plan == null ? 0 : plan.params().epochs();
  }

  /** A job read back from the store. */
  TrainingJob(JobRecord record) {
    JobView v = record.job();
    this.id = v.id();
    this.model = v.model();
    this.family = familyOf(record.request());
    this.request = record.request();
    this.idempotencyKey = record.idempotencyKey();
    this.owner = record.owner();
    this.createdAt = v.createdAt();
    this.state = v.state();
    if (v.progress() != null) {
      this.epoch = v.progress().epoch();
      this.epochs = v.progress().epochs();
      this.etaSeconds = v.progress().etaSeconds();
    }
    this.curve.addAll(v.learningCurve());
    this.metrics = v.metrics();
    this.modelVersion = v.modelVersion();
    this.usage = v.usage();
    this.error = v.error();
    this.notes.addAll(v.notes());
    this.attempts.addAll(v.attempts());
    this.finishedAt = v.finishedAt();
    this.cancelRequested = Boolean.TRUE.equals(record.cancelRequested());
  }

  String id() {
    return id;
  }

  String model() {
    return model;
  }

  /** The family's wire name as requested, or null when the request names none. */
  String family() {
    return family;
  }

  private static String familyOf(JsonNode request) {
    JsonNode f = request == null ? null : request.get("family");
    return f != null && f.isString() ? f.asString() : null;
  }

  JsonNode request() {
    return request;
  }

  String idempotencyKey() {
    return idempotencyKey;
  }

  /** The name of the API key that submitted the job, or null. */
  String owner() {
    return owner;
  }

  Instant createdAt() {
    return createdAt;
  }

  synchronized TrainingPlan plan() {
    return plan;
  }

  synchronized void plan(TrainingPlan value) {
    this.plan = value;
    this.epochs = value.params().epochs();
  }

  synchronized JobState state() {
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

  /**
   * Whether the job is queued or running and trains on {@code datasetId} (per its request when its
   * plan is not made yet: a job read from the shared store that another replica runs).
   */
  synchronized boolean uses(String datasetId) {
    if (state.finished()) {
      return false;
    }
    if (plan != null) {
      return datasetId.equals(plan.dataset()) || datasetId.equals(plan.testDataset());
    }
    return request != null
        && (datasetId.equals(text(request.get("dataset")))
            || datasetId.equals(text(request.get("testDataset"))));
  }

  private static String text(JsonNode node) {
    return node != null && node.isString() ? node.asString() : null;
  }

  /**
   * The server is stopping cleanly and hands this job back to the cluster (shared mode): a running
   * attempt ends by a shutdown (not counted towards {@code maas.training.max-attempts}) and the job
   * is queued again, to carry on from its latest checkpoint wherever it is claimed next. False when
   * it has ended.
   */
  synchronized boolean handBack() {
    if (state.finished()) {
      return false;
    }
    shutDown();
    state = JobState.QUEUED;
    version++;
    return true;
  }

  /** Moves a queued job to running; false when it is no longer queued (cancelled). */
  synchronized boolean start() {
    if (state != JobState.QUEUED) {
      return false;
    }
    state = JobState.RUNNING;
    attempts.add(new JobView.Attempt(Instant.now(), null, null));
    version++;
    return true;
  }

  /**
   * The running attempt carries on from the checkpoint taken after {@code fromEpoch} (0: from the
   * start), whose learning curve replaces the one shown.
   */
  synchronized void resumed(int fromEpoch, List<EpochProgress> curveSoFar) {
    JobView.Attempt current = attempts.remove(attempts.size() - 1);
    attempts.add(new JobView.Attempt(current.startedAt(), fromEpoch == 0 ? null : fromEpoch, null));
    curve.clear();
    epoch = 0;
    etaSeconds = null;
    for (EpochProgress p : curveSoFar) {
      epoch(p);
    }
    version++;
  }

  /**
   * A job that was running when the server's process stopped: its attempt ended by the restart, and
   * it waits to run again.
   */
  synchronized void interrupted() {
    if (!attempts.isEmpty() && attempts.get(attempts.size() - 1).endedBy() == null) {
      JobView.Attempt last = attempts.remove(attempts.size() - 1);
      attempts.add(
          new JobView.Attempt(last.startedAt(), last.resumedFromEpoch(), JobView.ENDED_BY_RESTART));
    }
    state = JobState.QUEUED;
    version++;
  }

  /**
   * The server is stopping cleanly while this job runs: its attempt ends by a shutdown, which does
   * not count towards {@code maas.training.max-attempts}; the job stays running on disk and carries
   * on at the next start. False when it is not running.
   */
  synchronized boolean shutDown() {
    if (state != JobState.RUNNING || attempts.isEmpty()) {
      return false;
    }
    JobView.Attempt last = attempts.remove(attempts.size() - 1);
    attempts.add(
        new JobView.Attempt(last.startedAt(), last.resumedFromEpoch(), JobView.ENDED_BY_SHUTDOWN));
    version++;
    return true;
  }

  /**
   * How many of the latest attempts, in a row, ended by a restart without the job writing a
   * checkpoint after the one they resumed from, given that its newest checkpoint now is {@code
   * newestCheckpoint} (0: none).
   */
  synchronized int restartsWithoutProgress(int newestCheckpoint) {
    int count = 0;
    int after = newestCheckpoint;
    for (int i = attempts.size() - 1; i >= 0; i--) {
      JobView.Attempt a = attempts.get(i);
      if (!JobView.ENDED_BY_RESTART.equals(a.endedBy()) || after > a.from()) {
        break;
      }
      count++;
      after = a.from();
    }
    return count;
  }

  /** What the job's earlier attempts used, or null. */
  synchronized JobView.Usage usage() {
    return usage;
  }

  synchronized void epoch(EpochProgress p) {
    epoch = p.epoch();
    epochs = p.epochs();
    double elapsed = p.elapsed().toNanos() / 1e9;
    etaSeconds = epoch == 0 ? null : elapsed / epoch * (epochs - epoch);
    curve.add(
        new JobView.CurvePoint(
            p.epoch(),
            finite(p.trainLoss()),
            finite(p.validationLoss()),
            p.elapsed() == null ? null : elapsed));
    version++;
  }

  synchronized void usage(JobView.Usage value) {
    usage = value;
  }

  synchronized void succeed(Map<String, Object> testMetrics, JobView.VersionRef ref) {
    metrics = testMetrics;
    modelVersion = ref;
    etaSeconds = 0.0;
    finish(JobState.SUCCEEDED, null);
  }

  synchronized void fail(String reason) {
    finish(JobState.FAILED, reason);
  }

  /**
   * Asks the job to stop: a queued job is cancelled at once (true), a running one stops at its next
   * batch.
   */
  synchronized boolean cancel() {
    cancelRequested = true;
    if (state == JobState.QUEUED) {
      finish(JobState.CANCELLED, null);
      return true;
    }
    return false;
  }

  synchronized void cancelled() {
    finish(JobState.CANCELLED, null);
  }

  private void finish(JobState value, String reason) {
    state = value;
    error = reason;
    finishedAt = Instant.now();
    version++;
  }

  /** Increases on every change; for server-sent events. */
  synchronized long version() {
    return version;
  }

  synchronized JobView view() {
    return new JobView(
        id,
        state,
        model,
        new JobView.Progress(epoch, epochs, etaSeconds),
        curve,
        metrics,
        modelVersion,
        usage,
        error,
        notes,
        attempts,
        createdAt,
        finishedAt);
  }

  /**
   * Adds a note on what the job did to its data or its checkpoints; one it already has (from an
   * earlier attempt) is not repeated.
   */
  synchronized void note(String text) {
    if (!notes.contains(text)) {
      notes.add(text);
      version++;
    }
  }

  synchronized JobRecord record() {
    return new JobRecord(view(), request, idempotencyKey, owner, cancelRequested ? true : null);
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}

package dev.maas.training;

import dev.maas.dataset.DatasetUsage;
import dev.maas.errors.BusyException;
import dev.maas.errors.DomainException;
import dev.maas.errors.InvalidException;
import dev.maas.errors.NotFoundException;
import dev.maas.storage.JobTable;
import dev.maas.storage.Snapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Training jobs: submitted to a bounded queue served by a fixed number of workers, watched,
 * cancelled, and kept in the {@link JobStore} so that they outlive a restart. Datasets used by a
 * queued or running job are in use.
 */
public final class TrainingJobs implements DatasetUsage, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TrainingJobs.class);

  private final Map<String, TrainingJob> jobs = new ConcurrentHashMap<>();
  private final Map<String, TrainingJob> byIdempotencyKey = new ConcurrentHashMap<>();
  private final JobStore store;
  private final RequestParser parser;
  private final InlineDatasets inline;
  private final JobRunner runner;
  private final CheckpointStore checkpoints;
  private final int maxAttempts;
  private final ThreadPoolExecutor executor;
  private final Duration retryAfter;
  private final int maxJobsPerKey;
  private final TrainingMetrics metrics;
  private volatile boolean stopping;
  // Shared mode: the job table every replica's workers claim from (null in embedded mode) and how
  // many jobs run here.
  private final JobTable table;
  private final AtomicInteger running = new AtomicInteger();
  private final int workers;
  private final int queueCapacity;
  private volatile long waitingSeen;
  private volatile long waitingReadAt;

  TrainingJobs(
      JobStore store,
      RequestParser parser,
      InlineDatasets inline,
      JobRunner runner,
      CheckpointStore checkpoints,
      int workers,
      int queueCapacity,
      int maxJobsPerKey,
      int maxAttempts) {
    this.store = store;
    this.checkpoints = checkpoints;
    this.maxAttempts = maxAttempts;
    this.maxJobsPerKey = maxJobsPerKey;
    this.parser = parser;
    this.inline = inline;
    this.runner = runner;
    this.retryAfter = Duration.ofSeconds(5);
    this.table = store instanceof SharedJobStore shared ? shared.table() : null;
    this.workers = workers;
    this.queueCapacity = queueCapacity;
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            workers,
            workers,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(queueCapacity),
            r -> {
              Thread t = new Thread(r, "training-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    this.metrics =
        new TrainingMetrics(
            () -> table == null ? executor.getQueue().size() : (int) waitingInCluster(),
            () -> table == null ? executor.getActiveCount() : running.get(),
            queueCapacity,
            workers);
  }

  /** The training meters, for the registry to bind. */
  TrainingMetrics metrics() {
    return metrics;
  }

  /**
   * Reads the job store: lists finished jobs, queues again those that were queued and those that
   * were running (each carries on from its latest checkpoint when it runs), unless the server's
   * process has stopped {@code maxAttempts} times in a row while the job ran without it writing a
   * new checkpoint in between; removes the checkpoints of jobs that have ended. Called once, when
   * every bean exists.
   */
  void recover() {
    List<JobRecord> all = store.loadAll();
    if (table == null) {
      for (JobRecord record : all) {
        recover(record);
      }
    } // shared mode: the workers claim the unfinished jobs (startClaiming)
    Map<String, JobState> states = new java.util.HashMap<>();
    all.forEach(r -> states.put(r.job().id(), r.job().state()));
    for (String id : checkpoints.jobs()) {
      TrainingJob job = jobs.get(id);
      JobState state = job != null ? job.state() : states.get(id);
      if (state == null || state.finished()) {
        checkpoints.delete(id);
      }
    }
  }

  /**
   * Shared mode: starts the workers, each of which claims the oldest claimable job of the cluster
   * (one submitted through any replica, handed back by a replica that stopped, or left by one that
   * died), runs it, and claims the next; an idle worker waits for a notification of new work or
   * {@code poll}, the fallback when a notification is lost.
   */
  synchronized void startClaiming(Duration poll) {
    if (table == null || stopping) {
      return;
    }
    table.onCancel(this::cancelHeld);
    table.startWorkers(executor, workers, poll, this::runClaimed);
  }

  private void runClaimed(JobTable.Claimed claimed) {
    TrainingJob job = new TrainingJob(SharedJobStore.read(claimed.record()));
    jobs.put(job.id(), job);
    running.incrementAndGet();
    try {
      if (claimed.cancelRequested() && job.cancel()) {
        save(job);
        checkpoints.delete(job.id());
        metrics.finished(job.family(), JobState.CANCELLED, null);
        return;
      }
      if (job.state() == JobState.RUNNING && !job.cancelRequested()) {
        log.info("training job {}: claimed by this replica; its replica stopped", job.id());
      } else {
        log.info("training job {}: claimed by this replica", job.id());
      }
      if (ready(job)) {
        runner.run(job, this::save, () -> stopping);
        JobView view = job.view();
        if (view.state().finished() && !stopping) {
          metrics.finished(job.family(), view.state(), view.usage());
        }
      }
    } finally {
      running.decrementAndGet();
      if (!stopping) {
        jobs.remove(job.id());
      }
    }
  }

  /** Shared mode: a cancel was asked through another replica for a job this one runs. */
  private void cancelHeld(String id) {
    TrainingJob job = jobs.get(id);
    if (job != null && !job.state().finished() && !job.cancelRequested()) {
      cancelHere(job);
    }
  }

  /** The cluster's waiting jobs, read from the database at most once a second (a gauge). */
  private long waitingInCluster() {
    long now = System.nanoTime();
    if (now - waitingReadAt > 1_000_000_000L) {
      try {
        waitingSeen = table.waiting();
      } catch (RuntimeException e) {
        log.debug("cannot count the waiting training jobs: {}", e.toString());
      }
      waitingReadAt = now;
    }
    return waitingSeen;
  }

  private void recover(JobRecord record) {
    TrainingJob job = new TrainingJob(record);
    jobs.put(job.id(), job);
    if (job.idempotencyKey() != null) {
      byIdempotencyKey.put(scoped(job.owner(), job.idempotencyKey()), job);
    }
    if (ready(job)) {
      enqueue(job);
      save(job);
    }
  }

  /**
   * Readies a stored unfinished job to run again: a job cancelled while it ran is cancelled; a job
   * that was running ends its attempt by a restart and is queued again, unless that has happened
   * {@code maxAttempts} times in a row without progress; a queued job's request is parsed again.
   * False (the job saved with its final state) when it does not run.
   */
  private boolean ready(TrainingJob job) {
    if (job.state() == JobState.RUNNING && job.cancelRequested()) {
      job.cancelled(); // cancelled while it ran, before it stopped: never resumed
      save(job);
      return false;
    } else if (job.state() == JobState.RUNNING) {
      job.interrupted();
      List<Integer> stored = checkpoints.epochs(job.id());
      int restarts = job.restartsWithoutProgress(stored.isEmpty() ? 0 : stored.get(0));
      if (restarts >= maxAttempts) {
        job.fail(
            "the server stopped "
                + restarts
                + " times in a row while this job ran, without the job writing a new checkpoint"
                + " in between (maas.training.max-attempts = "
                + maxAttempts
                + "): it is not tried again");
        save(job);
        return false;
      }
    }
    if (job.state() != JobState.QUEUED) {
      return false;
    }
    try {
      job.plan(parser.parse(job.request()));
      return true;
    } catch (InvalidException e) {
      job.fail("cannot run after restart: " + String.join("; ", e.problems()));
    } catch (DomainException e) {
      job.fail("cannot run after restart: " + e.getMessage());
    }
    save(job);
    return false;
  }

  /**
   * Validates and queues a job as {@code POST /api/v1/training-jobs} does, for another feature
   * (comparisons); returns its id.
   *
   * @throws InvalidException listing every problem of the request
   * @throws BusyException when the queue is full
   */
  public String submitJob(JsonNode body, String owner) {
    return submit(body, null, owner).id();
  }

  /** The job's state and results so far. */
  public JobOutcome outcome(String id) {
    return JobOutcome.of(get(id).view());
  }

  /** Asks the job to stop, as {@code POST /api/v1/training-jobs/{id}/cancel} does. */
  public void cancelJob(String id) {
    cancel(id);
  }

  /**
   * The task and one example's shape a training request implies (its family left out of the
   * checks), for a feature that picks families for the data.
   *
   * @throws InvalidException listing every problem of the request
   */
  public DataShape shapeOf(JsonNode body) {
    TrainingPlan plan = parser.parse(body);
    return new DataShape(plan.task(), plan.inputShape().clone());
  }

  /** A training request's task and the shape of one example. */
  public record DataShape(dev.maas.compute.Task task, int[] inputShape) {}

  /**
   * Validates and queues a job; a repeated {@code idempotencyKey} returns the job it first made.
   *
   * @throws InvalidException listing every problem of the request
   * @param owner the name of the API key submitting it, or null when security is disabled
   * @throws BusyException when the queue is full or {@code owner} already has {@code maxJobsPerKey}
   *     jobs queued or running
   */
  TrainingJob submit(JsonNode body, String idempotencyKey, String owner) {
    if (idempotencyKey != null) {
      if (idempotencyKey.isBlank() || idempotencyKey.length() > 200) {
        throw new InvalidException("'Idempotency-Key' must be 1 to 200 characters");
      }
      TrainingJob earlier = byIdempotencyKey.get(scoped(owner, idempotencyKey));
      if (earlier != null) {
        return earlier;
      }
    }
    InlineDatasets.Stored inlined = inline.store(body);
    body = inlined.body();
    TrainingPlan plan;
    try {
      plan = parser.parse(body);
    } catch (RuntimeException e) {
      inline.discard(inlined.created());
      throw e;
    }
    String id = "job-" + UUID.randomUUID().toString().replace("-", "");
    TrainingJob job = new TrainingJob(id, plan, body, idempotencyKey, owner, Instant.now());
    if (table != null) {
      return submitToCluster(job, inlined);
    }
    synchronized (this) {
      if (idempotencyKey != null) {
        TrainingJob earlier = byIdempotencyKey.get(scoped(owner, idempotencyKey));
        if (earlier != null) {
          inline.discard(inlined.created());
          return earlier;
        }
      }
      if (owner != null && active(owner) >= maxJobsPerKey) {
        inline.discard(inlined.created());
        throw ownerFull(owner);
      }
      if (idempotencyKey != null) {
        byIdempotencyKey.put(scoped(owner, idempotencyKey), job);
      }
      jobs.put(id, job);
      try {
        enqueue(job);
      } catch (RejectedExecutionException e) {
        jobs.remove(id);
        if (idempotencyKey != null) {
          byIdempotencyKey.remove(scoped(owner, idempotencyKey));
        }
        throw queueFull(executor.getQueue().size());
      }
    }
    save(job);
    metrics.submitted(job.family());
    return job;
  }

  /**
   * Shared mode: stores the job as queued in the database, where the owner's cap, the queue's limit
   * and the idempotency key are checked for the whole cluster in the same transaction; any
   * replica's worker then claims it.
   */
  private TrainingJob submitToCluster(TrainingJob job, InlineDatasets.Stored inlined) {
    JobTable.Submission result;
    try {
      result =
          table.submit(
              job.id(),
              SharedJobStore.write(job.record()),
              job.owner(),
              job.idempotencyKey(),
              job.createdAt(),
              job.owner() == null ? 0 : maxJobsPerKey,
              queueCapacity);
    } catch (RuntimeException e) {
      inline.discard(inlined.created());
      throw e;
    }
    if (result instanceof JobTable.Submission.Accepted) {
      metrics.submitted(job.family());
      return job;
    }
    inline.discard(inlined.created());
    if (result instanceof JobTable.Submission.Earlier earlier) {
      return new TrainingJob(SharedJobStore.read(earlier.record()));
    }
    if (result instanceof JobTable.Submission.QueueFull full) {
      throw queueFull(full.waiting());
    }
    throw ownerFull(job.owner());
  }

  private BusyException ownerFull(String owner) {
    return new BusyException(
        "API key '"
            + owner
            + "' already has "
            + maxJobsPerKey
            + " training jobs queued or running (maas.training.max-jobs-per-key); try again"
            + " when one has finished",
        retryAfter);
  }

  private BusyException queueFull(long waiting) {
    return new BusyException(
        "the training queue is full (" + waiting + " jobs waiting); try again later", retryAfter);
  }

  private long active(String owner) {
    return jobs.values().stream()
        .filter(j -> owner.equals(j.owner()))
        .filter(j -> j.state() == JobState.QUEUED || j.state() == JobState.RUNNING)
        .count();
  }

  private void enqueue(TrainingJob job) {
    Runnable task =
        () -> {
          runner.run(job, this::save, () -> stopping);
          JobView view = job.view();
          if (view.state().finished() && !stopping) {
            metrics.finished(job.family(), view.state(), view.usage());
          }
        };
    job.task(task);
    executor.execute(task);
  }

  /**
   * A job: the one running here (shared mode) or known here (embedded mode), else, in shared mode,
   * its record in the database, whichever replica runs it.
   */
  TrainingJob get(String id) {
    TrainingJob job = jobs.get(id);
    if (job == null && table != null) {
      job = store.load(id).map(TrainingJob::new).orElse(null);
    }
    if (job == null) {
      throw new NotFoundException("training job '" + id + "' does not exist");
    }
    return job;
  }

  /** Every job: in shared mode the database's, those running here as they are now. */
  private java.util.Collection<TrainingJob> all() {
    if (table == null) {
      return jobs.values();
    }
    Map<String, TrainingJob> out = new java.util.LinkedHashMap<>();
    for (JobRecord record : store.loadAll()) {
      TrainingJob here = jobs.get(record.job().id());
      out.put(record.job().id(), here != null ? here : new TrainingJob(record));
    }
    return out.values();
  }

  /**
   * How {@code events} follows a job: the job itself when it runs here or in embedded mode; in
   * shared mode, for a job another replica runs, its record read again on every call.
   */
  java.util.function.Supplier<Snapshot<JobView>> follow(String id) {
    TrainingJob job = get(id);
    if (table == null || jobs.containsKey(id)) {
      return () -> new Snapshot<>(job.version(), job.view());
    }
    return Snapshot.changes(
        () -> {
          TrainingJob here = jobs.get(id);
          return (here != null ? here : store.load(id).map(TrainingJob::new).orElse(job)).view();
        });
  }

  /** Jobs, newest first, optionally of one state and one model. */
  List<TrainingJob> list(JobState state, String model) {
    return all().stream()
        .filter(j -> state == null || j.state() == state)
        .filter(j -> model == null || model.equals(j.model()))
        .sorted(
            Comparator.comparing(TrainingJob::createdAt).reversed().thenComparing(TrainingJob::id))
        .toList();
  }

  /**
   * Cancels a queued job at once; a running one stops within one batch. In shared mode a job
   * another replica holds gets the request through the database and a notification.
   */
  TrainingJob cancel(String id) {
    if (table != null && !jobs.containsKey(id)) {
      JobTable.Cancel done =
          table
              .cancel(
                  id,
                  json -> {
                    TrainingJob queued = new TrainingJob(SharedJobStore.read(json));
                    queued.cancel();
                    return SharedJobStore.write(queued.record());
                  })
              .orElseThrow(() -> new NotFoundException("training job '" + id + "' does not exist"));
      TrainingJob job = new TrainingJob(SharedJobStore.read(done.record()));
      if (done.cancelledNow()) {
        checkpoints.delete(id);
        metrics.finished(job.family(), JobState.CANCELLED, null);
      }
      return job;
    }
    return cancelHere(get(id));
  }

  private TrainingJob cancelHere(TrainingJob job) {
    if (job.cancel()) {
      Runnable task = job.task();
      if (task != null) {
        executor.remove(task);
      }
      save(job);
      checkpoints.delete(job.id());
      metrics.finished(job.family(), JobState.CANCELLED, null);
    } else if (job.state() == JobState.RUNNING) {
      save(job); // the request outlives a restart before the job stops
    }
    return job;
  }

  /** What every finished job used, oldest first: the history capacity answers draw on. */
  public List<TrainingRun> runs() {
    return all().stream()
        .filter(j -> j.state().finished())
        .map(j -> Map.entry(j.view(), j))
        .filter(e -> e.getKey().usage() != null)
        .sorted(
            Comparator.comparing((Map.Entry<JobView, TrainingJob> e) -> e.getKey().createdAt())
                .thenComparing(e -> e.getKey().id()))
        .map(e -> TrainingRun.of(e.getKey(), e.getValue().family()))
        .toList();
  }

  @Override
  public boolean inUse(String datasetId) {
    return all().stream().anyMatch(j -> j.uses(datasetId));
  }

  private void save(TrainingJob job) {
    if (stopping) {
      return;
    }
    synchronized (job) {
      store.save(job.record());
    }
  }

  /**
   * Stops the workers; running jobs stay "running" on disk, with their checkpoints, and carry on at
   * the next start.
   */
  @Override
  public void close() {
    stopping = true;
    if (table != null) {
      table.stopWorkers();
    }
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("training workers did not stop within 10 seconds");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // A clean stop (a rolling upgrade, a node drain) is no crash: it does not count towards
    // maas.training.max-attempts, as a process that dies while a job runs does. In shared mode the
    // jobs go back to the cluster at once (queued, lease cleared, every replica told), so another
    // replica carries them on from their latest checkpoint without waiting for the lease to expire.
    for (TrainingJob job : jobs.values()) {
      synchronized (job) {
        try {
          if (table != null) {
            if (job.handBack() && table.release(job.id(), SharedJobStore.write(job.record()))) {
              log.info("training job {}: handed back to the cluster", job.id());
            }
          } else if (job.shutDown()) {
            store.save(job.record()); // save() skips while stopping; this one must land
          }
        } catch (RuntimeException e) {
          log.warn("training job {}: cannot record the shutdown: {}", job.id(), e.toString());
        }
      }
    }
    if (store instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        log.warn("cannot close the job store: {}", e.toString());
      }
    }
  }

  /**
   * An Idempotency-Key belongs to the API key that sent it: another caller's request with the same
   * value is another request, and never gets the first caller's job back.
   */
  private static String scoped(String owner, String idempotencyKey) {
    return (owner == null ? "" : owner) + "\u0000" + idempotencyKey;
  }
}

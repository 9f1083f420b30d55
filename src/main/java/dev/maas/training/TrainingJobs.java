package dev.maas.training;

import dev.maas.dataset.DatasetUsage;
import dev.maas.errors.BusyException;
import dev.maas.errors.DomainException;
import dev.maas.errors.InvalidException;
import dev.maas.errors.NotFoundException;
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
  private volatile java.util.concurrent.ScheduledExecutorService adopter;

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
            () -> executor.getQueue().size(), executor::getActiveCount, queueCapacity, workers);
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
    for (JobRecord record : all) {
      if (!record.job().state().finished() && !store.claim(record.job().id())) {
        continue; // another replica, alive, holds it (shared mode)
      }
      recover(record);
    }
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
   * Takes over the jobs whose replica stopped renewing its lease (it died), in shared mode: each is
   * claimed by one replica only and carries on from its latest checkpoint, as after a restart.
   */
  void adoptOrphans() {
    if (stopping) {
      return;
    }
    for (String id : store.orphans()) {
      if (store.claim(id)) {
        store
            .load(id)
            .ifPresent(
                record -> {
                  log.info("training job {}: its replica stopped; taken over here", id);
                  jobs.remove(id);
                  recover(record);
                });
      }
    }
  }

  /** Looks for orphaned jobs to take over every {@code every} (shared mode), until closed. */
  synchronized void adoptEvery(Duration every) {
    if (adopter != null) {
      return;
    }
    adopter =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "training-takeover");
              t.setDaemon(true);
              return t;
            });
    adopter.scheduleWithFixedDelay(
        () -> {
          try {
            adoptOrphans();
          } catch (RuntimeException e) {
            log.warn("cannot look for training jobs to take over: {}", e.toString());
          }
        },
        every.toMillis(),
        every.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void recover(JobRecord record) {
    TrainingJob job = new TrainingJob(record);
    jobs.put(job.id(), job);
    if (job.idempotencyKey() != null) {
      byIdempotencyKey.put(scoped(job.owner(), job.idempotencyKey()), job);
    }
    if (job.state() == JobState.RUNNING && job.cancelRequested()) {
      job.cancelled(); // cancelled while it ran, before it stopped: never resumed
      save(job);
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
        return;
      }
    }
    if (job.state() == JobState.QUEUED) {
      try {
        job.plan(parser.parse(job.request()));
        enqueue(job);
        save(job);
      } catch (InvalidException e) {
        job.fail("cannot run after restart: " + String.join("; ", e.problems()));
        save(job);
      } catch (DomainException e) {
        job.fail("cannot run after restart: " + e.getMessage());
        save(job);
      }
    }
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
        throw new BusyException(
            "API key '"
                + owner
                + "' already has "
                + maxJobsPerKey
                + " training jobs queued or running (maas.training.max-jobs-per-key); try again"
                + " when one has finished",
            retryAfter);
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
        throw new BusyException(
            "the training queue is full ("
                + executor.getQueue().size()
                + " jobs waiting); try again later",
            retryAfter);
      }
    }
    save(job);
    metrics.submitted(job.family());
    return job;
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

  TrainingJob get(String id) {
    TrainingJob job = jobs.get(id);
    if (job == null) {
      throw new NotFoundException("training job '" + id + "' does not exist");
    }
    return job;
  }

  /** Jobs, newest first, optionally of one state and one model. */
  List<TrainingJob> list(JobState state, String model) {
    return jobs.values().stream()
        .filter(j -> state == null || j.state() == state)
        .filter(j -> model == null || model.equals(j.model()))
        .sorted(
            Comparator.comparing(TrainingJob::createdAt).reversed().thenComparing(TrainingJob::id))
        .toList();
  }

  /** Cancels a queued job at once; a running one stops within one batch. */
  TrainingJob cancel(String id) {
    TrainingJob job = get(id);
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
    return jobs.values().stream()
        .map(TrainingJob::view)
        .filter(v -> v.state().finished() && v.usage() != null)
        .sorted(Comparator.comparing(JobView::createdAt).thenComparing(JobView::id))
        .map(v -> TrainingRun.of(v, jobs.get(v.id()).family()))
        .toList();
  }

  @Override
  public boolean inUse(String datasetId) {
    return jobs.values().stream().anyMatch(j -> j.uses(datasetId));
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
    if (adopter != null) {
      adopter.shutdownNow();
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
    // maas.training.max-attempts, as a process that dies while a job runs does.
    for (TrainingJob job : jobs.values()) {
      synchronized (job) {
        if (job.shutDown()) {
          store.save(job.record()); // save() skips while stopping; this one must land
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

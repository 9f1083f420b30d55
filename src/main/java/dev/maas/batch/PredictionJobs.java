package dev.maas.batch;

import dev.maas.dataset.Dataset;
import dev.maas.dataset.DatasetUsage;
import dev.maas.dataset.Datasets;
import dev.maas.dataset.TableData;
import dev.maas.errors.BusyException;
import dev.maas.errors.DomainException;
import dev.maas.errors.InvalidException;
import dev.maas.errors.NotFoundException;
import dev.maas.registry.ModelRegistry;
import dev.maas.registry.ModelVersion;
import dev.maas.serving.ScoringModels;
import dev.maas.storage.JobTable;
import dev.maas.storage.Snapshot;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Prediction jobs: submitted to their own bounded queue served by their own workers, watched,
 * cancelled and kept in the {@link PredictionJobStore}. A job scores its dataset chunk by chunk
 * with the version resolved at submission, one batched call per chunk, commits the predictions
 * durably every {@code commit-rows} rows, and at the end writes the result as a new dataset with
 * its lineage. A job that a restart interrupts continues after its last commit, so every row is
 * scored once.
 */
public final class PredictionJobs implements DatasetUsage, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PredictionJobs.class);
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final SecureRandom REFERENCES = new SecureRandom();

  private final Map<String, PredictionJob> jobs = new ConcurrentHashMap<>();
  private final Map<String, PredictionJob> byIdempotencyKey = new ConcurrentHashMap<>();
  private final PredictionJobStore store;
  private final PredictionRequests requests;
  private final Datasets datasets;
  private final ModelRegistry registry;
  private final ScoringModels models;
  private final PredictionJobMetrics metrics;
  private final int chunkRows;
  private final int commitRows;
  private final ThreadPoolExecutor executor;
  private final Duration retryAfter = Duration.ofSeconds(5);
  private volatile Consumer<PredictionJob> afterChunk = job -> {};
  private volatile boolean stopping;
  // Shared mode: the job table every replica's workers claim from (null in embedded mode).
  private final JobTable table;
  private final int workers;
  private final int queueCapacity;

  PredictionJobs(
      PredictionJobStore store,
      Datasets datasets,
      ModelRegistry registry,
      ScoringModels models,
      PredictionJobProperties properties,
      PredictionJobMetrics metrics) {
    this.store = store;
    this.metrics = metrics;
    this.datasets = datasets;
    this.registry = registry;
    this.models = models;
    this.requests = new PredictionRequests(datasets, models);
    this.chunkRows = properties.chunkRows();
    this.commitRows = properties.commitRows();
    this.table = store instanceof SharedPredictionJobStore shared ? shared.table() : null;
    this.workers = properties.workers();
    this.queueCapacity = properties.queueCapacity();
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            properties.workers(),
            properties.workers(),
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(properties.queueCapacity()),
            r -> {
              Thread t = new Thread(r, "prediction-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
  }

  /** For tests: runs after each scored chunk (and the commit it may end with), on the worker. */
  void afterChunk(Consumer<PredictionJob> hook) {
    this.afterChunk = hook == null ? job -> {} : hook;
  }

  /**
   * Reads the job store: lists finished jobs and queues again those that were queued or running,
   * which continue after their last committed chunk. Called once, when every bean exists.
   */
  void recover() {
    if (table != null) {
      return; // shared mode: the workers claim the unfinished jobs (startClaiming)
    }
    for (PredictionJobRecord record : store.loadAll()) {
      PredictionJob job = new PredictionJob(record);
      jobs.put(job.id(), job);
      if (job.idempotencyKey() != null) {
        byIdempotencyKey.put(scoped(job.owner(), job.idempotencyKey()), job);
      }
      if (!job.state().finished()) {
        if (job.state() == PredictionJobState.RUNNING) {
          job.requeue(
              "interrupted by a restart after "
                  + committedRows(job)
                  + " rows; continued from the last committed chunk");
        }
        try {
          enqueue(job);
          save(job);
        } catch (RejectedExecutionException e) {
          job.fail("cannot run after restart: the prediction queue is full");
          save(job);
        }
      } else {
        store.deleteChunks(job.id());
      }
    }
  }

  private long committedRows(PredictionJob job) {
    try {
      return store.committedRows(job.id());
    } catch (IOException e) {
      return job.rowsDone();
    }
  }

  /**
   * Shared mode: starts the workers, each of which claims the oldest claimable job of the cluster
   * (submitted through any replica, handed back by a replica that stopped, or left by one that
   * died), runs it from its last committed chunk, and claims the next.
   */
  synchronized void startClaiming(Duration poll) {
    if (table == null || stopping) {
      return;
    }
    table.onCancel(this::cancelHeld);
    table.startWorkers(executor, workers, poll, this::runClaimed);
  }

  private void runClaimed(JobTable.Claimed claimed) {
    PredictionJob job = new PredictionJob(SharedPredictionJobStore.read(claimed.record()));
    jobs.put(job.id(), job);
    try {
      log.info("prediction job {}: claimed by this replica", job.id());
      if (job.state() == PredictionJobState.RUNNING) {
        log.info("prediction job {}: its replica stopped; taken over here", job.id());
        job.requeue(
            "its replica stopped after "
                + committedRows(job)
                + " committed rows; continued on another replica from the last committed chunk");
      }
      if (claimed.cancelRequested() && job.cancel()) {
        if (store.trySave(job.record())) {
          store.deleteChunks(job.id());
        }
        return;
      }
      if (!job.state().finished()) {
        run(job);
      }
    } finally {
      if (!stopping) {
        jobs.remove(job.id());
      }
    }
  }

  /** Shared mode: a cancel was asked through another replica for a job this one runs. */
  private void cancelHeld(String id) {
    PredictionJob job = jobs.get(id);
    if (job != null && !job.state().finished() && !job.cancelRequested()) {
      cancelHere(job);
    }
  }

  /**
   * Validates and queues a job; a repeated {@code idempotencyKey} returns the job it first made.
   *
   * @throws InvalidException listing every problem of the request
   * @throws BusyException when the queue is full
   */
  PredictionJob submit(JsonNode body, String idempotencyKey, String owner) {
    if (idempotencyKey != null) {
      if (idempotencyKey.isBlank() || idempotencyKey.length() > 200) {
        throw new InvalidException("'Idempotency-Key' must be 1 to 200 characters");
      }
      PredictionJob earlier = byIdempotencyKey.get(scoped(owner, idempotencyKey));
      if (earlier != null) {
        return earlier;
      }
    }
    PredictionRequests.Parsed parsed = requests.parse(body);
    String id = "pjob-" + UUID.randomUUID().toString().replace("-", "");
    PredictionJob job =
        new PredictionJob(
            id, parsed.plan(), parsed.dataset().rows(), idempotencyKey, owner, Instant.now());
    if (table != null) {
      return submitToCluster(job);
    }
    synchronized (this) {
      if (idempotencyKey != null) {
        PredictionJob earlier = byIdempotencyKey.get(scoped(owner, idempotencyKey));
        if (earlier != null) {
          return earlier;
        }
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
    metrics.submitted(job.plan().model(), job.plan().version());
    save(job);
    return job;
  }

  /**
   * Shared mode: stores the job as queued in the database, where the queue's limit and the
   * idempotency key are checked for the whole cluster in the same transaction; any replica's worker
   * then claims it.
   */
  private PredictionJob submitToCluster(PredictionJob job) {
    JobTable.Submission result =
        table.submit(
            job.id(),
            SharedPredictionJobStore.write(job.record()),
            job.owner(),
            job.idempotencyKey(),
            job.createdAt(),
            0,
            queueCapacity);
    if (result instanceof JobTable.Submission.Earlier earlier) {
      return new PredictionJob(SharedPredictionJobStore.read(earlier.record()));
    }
    if (result instanceof JobTable.Submission.QueueFull full) {
      throw queueFull(full.waiting());
    }
    metrics.submitted(job.plan().model(), job.plan().version());
    return job;
  }

  private BusyException queueFull(long waiting) {
    return new BusyException(
        "the prediction job queue is full (" + waiting + " jobs waiting); try again later",
        retryAfter);
  }

  private void enqueue(PredictionJob job) {
    Runnable task = () -> run(job);
    job.task(task);
    executor.execute(task);
  }

  /**
   * A job: the one running here (shared mode) or known here (embedded mode), else, in shared mode,
   * its record in the database, whichever replica runs it.
   */
  PredictionJob get(String id) {
    PredictionJob job = jobs.get(id);
    if (job == null && table != null) {
      job = store.load(id).map(PredictionJob::new).orElse(null);
    }
    if (job == null) {
      throw new NotFoundException("prediction job '" + id + "' does not exist");
    }
    return job;
  }

  /** Every job: in shared mode the database's, those running here as they are now. */
  private java.util.Collection<PredictionJob> all() {
    if (table == null) {
      return jobs.values();
    }
    Map<String, PredictionJob> out = new java.util.LinkedHashMap<>();
    for (PredictionJobRecord record : store.loadAll()) {
      PredictionJob here = jobs.get(record.job().id());
      out.put(record.job().id(), here != null ? here : new PredictionJob(record));
    }
    return out.values();
  }

  /**
   * How {@code events} follows a job: the job itself when it runs here or in embedded mode; in
   * shared mode, for a job another replica runs, its record read again on every call.
   */
  java.util.function.Supplier<Snapshot<PredictionJobView>> follow(String id) {
    PredictionJob job = get(id);
    if (table == null || jobs.containsKey(id)) {
      return () -> new Snapshot<>(job.version(), job.view());
    }
    return Snapshot.changes(
        () -> {
          PredictionJob here = jobs.get(id);
          return (here != null ? here : store.load(id).map(PredictionJob::new).orElse(job)).view();
        });
  }

  /** Jobs, newest first, optionally of one state and one model. */
  List<PredictionJob> list(PredictionJobState state, String model) {
    return all().stream()
        .filter(j -> state == null || j.state() == state)
        .filter(j -> model == null || model.equals(j.model()))
        .sorted(
            Comparator.comparing(PredictionJob::createdAt)
                .reversed()
                .thenComparing(PredictionJob::id))
        .toList();
  }

  /**
   * Cancels a queued job at once; a running one stops before its next chunk. In shared mode a job
   * another replica holds gets the request through the database and a notification.
   */
  PredictionJob cancel(String id) {
    if (table != null && !jobs.containsKey(id)) {
      JobTable.Cancel done =
          table
              .cancel(
                  id,
                  json -> {
                    PredictionJob queued = new PredictionJob(SharedPredictionJobStore.read(json));
                    queued.cancel();
                    return SharedPredictionJobStore.write(queued.record());
                  })
              .orElseThrow(
                  () -> new NotFoundException("prediction job '" + id + "' does not exist"));
      if (done.cancelledNow()) {
        store.deleteChunks(id);
      }
      return new PredictionJob(SharedPredictionJobStore.read(done.record()));
    }
    return cancelHere(get(id));
  }

  private PredictionJob cancelHere(PredictionJob job) {
    if (job.cancel()) {
      Runnable task = job.task();
      if (task != null) {
        executor.remove(task);
      }
      save(job);
      store.deleteChunks(job.id());
    }
    return job;
  }

  @Override
  public boolean inUse(String datasetId) {
    return all().stream().anyMatch(j -> j.uses(datasetId));
  }

  // ---- running ---------------------------------------------------------------------------------

  private void run(PredictionJob job) {
    PredictionPlan plan = job.plan();
    Dataset input;
    try {
      input = datasets.get(plan.dataset());
    } catch (DomainException e) {
      if (job.start(0, 0)) {
        finish(job, () -> job.fail(e.getMessage()));
      }
      return;
    }
    int committed;
    long committedRows;
    try {
      committed = store.committedChunks(job.id());
      committedRows = store.committedRows(job.id());
    } catch (IOException e) {
      if (job.start(input.rows(), 0)) {
        log.error("prediction job {}: its committed chunks cannot be read", job.id(), e);
        finish(job, () -> job.fail("its committed chunks cannot be read: " + e.getMessage()));
      }
      return;
    }
    if (committedRows > input.rows()) {
      if (job.start(input.rows(), 0)) {
        finish(job, () -> job.fail("its committed chunks hold more rows than the dataset"));
      }
      return;
    }
    if (!job.start(input.rows(), committedRows)) {
      return;
    }
    save(job);
    try {
      ModelVersion version = registry.version(plan.model(), plan.version());
      try (ScoringModels.Held held = models.hold(version)) {
        ScoringLayout layout = new ScoringLayout(held.model(), plan.output());
        int rows = Math.toIntExact(input.rows());
        long lastSave = System.nanoTime();
        int i = committed;
        // Scored chunks wait here until commitRows rows (or the last) are scored, then are
        // committed as one file: one fsync per commit, not per chunk.
        List<double[]> pending = new ArrayList<>();
        int pendingRows = 0;
        for (int offset = (int) committedRows; offset < rows; ) {
          if (stopping) {
            // Scored rows are committed before the job is left: the next run, here or on
            // another replica, continues after them.
            if (pendingRows > 0) {
              store.writeChunk(job.id(), i, pendingRows, layout.width(), concat(pending));
            }
            return; // stays running on disk and continues at the next start
          }
          if (job.cancelRequested()) {
            finish(job, job::cancelled);
            return;
          }
          long cpu = cpuNanos();
          long wall = System.nanoTime();
          TableData chunk = datasets.slice(input.id(), offset, chunkRows);
          double[] x = layout.input(chunk);
          pending.add(layout.values(held.model().predict(x, chunk.rows())));
          pendingRows += chunk.rows();
          offset += chunk.rows();
          if (pendingRows >= commitRows || offset >= rows) {
            store.writeChunk(job.id(), i++, pendingRows, layout.width(), concat(pending));
            pending.clear();
            pendingRows = 0;
          }
          metrics.worked(
              plan.model(),
              plan.version(),
              chunk.rows(),
              cpuNanos() - cpu,
              System.nanoTime() - wall);
          job.scored(chunk.rows());
          if (System.nanoTime() - lastSave > 1_000_000_000L) {
            save(job);
            lastSave = System.nanoTime();
          }
          afterChunk.accept(job);
        }
        if (stopping) {
          return;
        }
        if (job.cancelRequested()) {
          finish(job, job::cancelled);
          return;
        }
        Dataset result = existingResult(job.id()).orElse(null);
        if (result == null) {
          long cpu = cpuNanos();
          long wall = System.nanoTime();
          result = writeResult(job, input, version, layout, rows);
          metrics.worked(
              plan.model(), plan.version(), 0, cpuNanos() - cpu, System.nanoTime() - wall);
        }
        String resultId = result.id();
        finish(job, () -> job.succeed(resultId));
      }
    } catch (InvalidException e) {
      finish(job, () -> job.fail(String.join("; ", e.problems())));
    } catch (DomainException e) {
      finish(job, () -> job.fail(e.getMessage()));
    } catch (SharedPredictionJobStore.LostJobException e) {
      log.warn("{}; this replica stops running it", e.getMessage());
    } catch (IOException | RuntimeException e) {
      if (stopping) {
        return;
      }
      // The caller sees what failed and where to look; the exception and its stack go to the log.
      String reference = "err-" + HexFormat.of().toHexDigits(REFERENCES.nextInt());
      log.error(
          "prediction job {}: scoring failed because of an internal error in the server"
              + " (reference {})",
          job.id(),
          reference,
          e);
      finish(
          job,
          () ->
              job.fail(
                  "scoring failed because of an internal error in the server; the server log has"
                      + " the details under reference "
                      + reference));
    }
  }

  private static double[] concat(List<double[]> parts) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    int length = 0;
    for (double[] p : parts) {
      length = Math.addExact(length, p.length);
    }
    double[] out = new double[length];
    int at = 0;
    for (double[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private void finish(PredictionJob job, Runnable transition) {
    transition.run();
    PredictionJobState state = job.view().state();
    if (state.finished()) {
      metrics.finished(job.plan().model(), state, Duration.between(job.createdAt(), Instant.now()));
    }
    if (stopping) {
      return;
    }
    boolean saved;
    synchronized (job) {
      saved = store.trySave(job.record());
    }
    if (saved) {
      store.deleteChunks(job.id()); // never those of a job another replica holds now
    }
  }

  /** The result a job stored before a restart kept it from recording so. */
  private Optional<Dataset> existingResult(String jobId) {
    return datasets.list().stream()
        .filter(d -> d.lineage() != null && jobId.equals(d.lineage().predictionJob()))
        .findFirst();
  }

  private Dataset writeResult(
      PredictionJob job, Dataset input, ModelVersion version, ScoringLayout layout, int rows)
      throws IOException {
    PredictionPlan plan = job.plan();
    List<Dataset.Column> columns = new ArrayList<>();
    for (String name : plan.passThrough()) {
      columns.add(new Dataset.Column(name, input.column(name).type()));
    }
    int first = columns.size();
    columns.addAll(layout.columns());
    String name = "predictions of " + plan.model() + " v" + plan.version() + " on " + input.name();
    if (name.length() > 200) {
      name = name.substring(0, 200);
    }
    Dataset.Lineage lineage =
        new Dataset.Lineage(
            job.id(), version.name(), version.version(), input.id(), input.sha256());
    return datasets.store(
        name,
        columns,
        rows,
        lineage,
        sink -> {
          // chunk by chunk, each as many rows as it was written with
          for (int i = 0, done = 0; done < rows; i++) {
            double[] values = store.readChunk(job.id(), i, layout.width());
            int n = values.length / layout.width();
            if (done + n > rows) {
              throw new IOException("the committed chunks hold more rows than the dataset");
            }
            TableData chunk =
                plan.passThrough().isEmpty() ? null : datasets.slice(input.id(), done, n);
            done += n;
            Object[] pass = new Object[plan.passThrough().size()];
            for (int c = 0; c < pass.length; c++) {
              String column = plan.passThrough().get(c);
              pass[c] = chunk.isNumber(column) ? chunk.column(column) : chunk.stringColumn(column);
            }
            for (int r = 0; r < n; r++) {
              for (int c = 0; c < pass.length; c++) {
                if (pass[c] instanceof double[] d) {
                  sink.number(c, d[r]);
                } else {
                  sink.string(c, ((String[]) pass[c])[r]);
                }
              }
              layout.write(values, r, first, sink);
            }
          }
        });
  }

  private void save(PredictionJob job) {
    if (stopping) {
      return;
    }
    synchronized (job) {
      store.save(job.record());
    }
  }

  /**
   * Stops the workers; running jobs stay "running" on disk and continue at the next start. In
   * shared mode they are handed back to the cluster (queued, lease cleared, every replica told), so
   * another replica continues them after their last committed chunk at once.
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
        log.warn("prediction workers did not stop within 10 seconds");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (table != null) {
      for (PredictionJob job : jobs.values()) {
        synchronized (job) {
          try {
            if (job.handBack()
                && table.release(job.id(), SharedPredictionJobStore.write(job.record()))) {
              log.info("prediction job {}: handed back to the cluster", job.id());
            }
          } catch (RuntimeException e) {
            log.warn("prediction job {}: cannot hand it back: {}", job.id(), e.toString());
          }
        }
      }
    }
    if (store instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        log.warn("cannot close the prediction job store: {}", e.toString());
      }
    }
  }

  /** The calling worker thread's CPU time so far, or 0 where the JVM does not measure it. */
  private static long cpuNanos() {
    try {
      long t = THREADS.getCurrentThreadCpuTime();
      return t < 0 ? 0 : t;
    } catch (UnsupportedOperationException e) {
      return 0;
    }
  }

  /** As for training jobs, an Idempotency-Key is the sending API key's own. */
  private static String scoped(String owner, String idempotencyKey) {
    return (owner == null ? "" : owner) + "\u0000" + idempotencyKey;
  }
}

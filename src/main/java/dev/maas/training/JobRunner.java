package dev.maas.training;

import dev.maas.compute.CheckpointCodec;
import dev.maas.compute.CheckpointPolicy;
import dev.maas.compute.CheckpointSink;
import dev.maas.compute.Checkpointing;
import dev.maas.compute.Examples;
import dev.maas.compute.Labels;
import dev.maas.compute.Metrics;
import dev.maas.compute.ModelCodec;
import dev.maas.compute.ModelProvenance;
import dev.maas.compute.Preprocessor;
import dev.maas.compute.Preprocessor.ColumnOptions;
import dev.maas.compute.Task;
import dev.maas.compute.TrainedModel;
import dev.maas.compute.Trainer;
import dev.maas.compute.TrainingCancelledException;
import dev.maas.compute.TrainingCheckpoint;
import dev.maas.compute.TrainingListener;
import dev.maas.compute.TrainingParams;
import dev.maas.compute.TrainingResult;
import dev.maas.dataset.Dataset;
import dev.maas.dataset.Datasets;
import dev.maas.dataset.TableData;
import dev.maas.errors.DomainException;
import dev.maas.errors.InvalidException;
import dev.maas.registry.Lineage;
import dev.maas.registry.ModelRegistry;
import dev.maas.registry.ModelVersion;
import dev.maas.registry.Provenance;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** Runs one job on the calling worker thread: reads the data, trains, registers the version. */
final class JobRunner {
  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final SecureRandom REFERENCES = new SecureRandom();

  private final Datasets datasets;
  private final ModelRegistry registry;
  private final Trainer trainer = new Trainer();
  private final long wallLimitNanos;
  private final long maxEpochRows;
  private final CheckpointStore checkpoints;
  private final CheckpointPolicy checkpointPolicy;

  /**
   * @param wallLimitNanos the longest a job may train (over all its attempts) before it fails, or 0
   *     for no limit
   * @param maxEpochRows the most epochs x training rows a job may run; a larger job fails with that
   *     reason before it trains
   * @param checkpoints where a running job's checkpoints go; those of a job that ends are removed
   * @param checkpointInterval how often a running job takes a checkpoint; zero for never
   */
  JobRunner(
      Datasets datasets,
      ModelRegistry registry,
      long wallLimitNanos,
      long maxEpochRows,
      CheckpointStore checkpoints,
      Duration checkpointInterval) {
    this.datasets = datasets;
    this.registry = registry;
    this.wallLimitNanos = wallLimitNanos;
    this.maxEpochRows = maxEpochRows;
    this.checkpoints = checkpoints;
    this.checkpointPolicy =
        checkpointInterval.isZero()
            ? CheckpointPolicy.NEVER
            : CheckpointPolicy.every(checkpointInterval);
  }

  /**
   * Runs {@code job} if it is still queued; once it has ended (succeeded, failed or cancelled) its
   * checkpoints are removed.
   */
  void run(
      TrainingJob job, Consumer<TrainingJob> save, java.util.function.BooleanSupplier stopping) {
    try {
      attempt(job, save, stopping);
    } finally {
      if (job.state().finished()) {
        checkpoints.delete(job.id());
      }
    }
  }

  /**
   * Runs one attempt of {@code job} if it is still queued, from its latest valid checkpoint if it
   * has one.
   *
   * @param save persists the job; called on each state change and at most every few seconds while
   *     it trains
   * @param stopping true while the server shuts down: the job then stops without a final state, so
   *     the next start queues it again
   */
  private void attempt(
      TrainingJob job, Consumer<TrainingJob> save, java.util.function.BooleanSupplier stopping) {
    if (!job.start()) {
      return;
    }
    save.accept(job);
    TrainingPlan plan = job.plan();
    JobView.Usage before = job.usage();
    double wallBefore = before == null ? 0 : before.wallSeconds();
    double cpuBefore = before == null ? 0 : before.cpuSeconds();
    long start = System.nanoTime() - (long) (wallBefore * 1e9);
    long cpuStart = cpuNanos() - (long) (cpuBefore * 1e9);
    // The job's own off-heap bytes, as the trainer reports them (not the process' count, which
    // other jobs and the loaded models share).
    long[] peak = {before == null ? 0 : before.peakNativeBytes()};
    long[] lastSave = {System.nanoTime()};
    // Training rows, epochs run and FLOPs per row, once known (-1 before).
    long[] work = {-1, 0, -1};
    LongSupplier sample = () -> peak[0];
    Runnable usage =
        () ->
            job.usage(
                new JobView.Usage(
                    (System.nanoTime() - start) / 1e9,
                    (cpuNanos() - cpuStart) / 1e9,
                    sample.getAsLong(),
                    work[0] < 0 ? null : work[0],
                    work[0] < 0 ? null : (int) work[1],
                    work[2] < 0 ? null : work[2]));
    boolean[] timedOut = {false};
    try {
      Prepared prepared = prepare(plan);
      prepared.notes().forEach(job::note);
      Examples[] split = {prepared.train(), prepared.test()};
      work[0] = split[0].rows();
      long epochRows = (long) plan.params().epochs() * split[0].rows();
      if (epochRows > maxEpochRows) {
        job.fail(
            "epochs x training rows is "
                + plan.params().epochs()
                + " x "
                + split[0].rows()
                + " = "
                + epochRows
                + ", over maas.training.max-epoch-rows = "
                + maxEpochRows);
        usage.run();
        save.accept(job);
        return;
      }
      TrainingParams params = plan.params();
      JsonNode given = job.request() == null ? null : job.request().get("training");
      if (params.batchSize() > split[0].rows() && (given == null || !given.has("batchSize"))) {
        // The default batch is every training row when there are fewer than 32; rows without a
        // target, left out since the request was checked, make fewer.
        params = params.withBatchSize(split[0].rows());
      }
      CheckpointSink sink =
          checkpoint -> {
            try {
              checkpoints.save(job.id(), checkpoint.epoch(), CheckpointCodec.toBytes(checkpoint));
              // The job's file keeps up with its checkpoint: curve and usage so far.
              usage.run();
              lastSave[0] = System.nanoTime();
              save.accept(job);
            } catch (java.io.IOException | RuntimeException e) {
              log.warn(
                  "training job {}: cannot store the checkpoint after epoch {}: {}",
                  job.id(),
                  checkpoint.epoch(),
                  e.toString());
            }
          };
      Checkpointing checkpointing = Checkpointing.to(sink, checkpointPolicy);
      List<Integer> stored = checkpoints.epochs(job.id());
      int next = 0;
      TrainingResult result;
      while (true) {
        Resume resume = resume(job, stored, next);
        job.resumed(
            resume.epoch(),
            resume.checkpoint() == null ? List.of() : resume.checkpoint().learningCurve());
        work[1] = resume.epoch();
        save.accept(job);
        try {
          result =
              trainer.train(
                  plan.spec(),
                  params,
                  split[0],
                  split[1],
                  TrainingListener.of(
                      p -> {
                        job.epoch(p);
                        work[1] = p.epoch();
                        usage.run();
                        long now = System.nanoTime();
                        if (now - lastSave[0] > 2_000_000_000L) {
                          lastSave[0] = now;
                          save.accept(job);
                        }
                      },
                      bytes -> peak[0] = Math.max(peak[0], bytes)),
                  () -> {
                    if (wallLimitNanos > 0 && System.nanoTime() - start > wallLimitNanos) {
                      timedOut[0] = true;
                    }
                    return job.cancelRequested() || stopping.getAsBoolean() || timedOut[0];
                  },
                  checkpointing.resumingFrom(resume.checkpoint()));
          break;
        } catch (IllegalArgumentException e) {
          if (resume.checkpoint() == null) {
            throw e;
          }
          checkpoints.discard(job.id(), resume.epoch());
          job.note(
              "the checkpoint after epoch "
                  + resume.epoch()
                  + " does not belong to this job's training run ("
                  + e.getMessage()
                  + ")"
                  + fallback(stored, resume.index() + 1));
          next = resume.index() + 1;
        }
      }
      byte[] artifact;
      Map<String, Object> metrics;
      try (TrainedModel model =
          prepared.preprocessor() == null
              ? withFeatureNames(result.model(), plan.features())
              : result.model().withPreprocessing(prepared.preprocessor())) {
        work[2] = model.flopsPerTrainingRow();
        artifact = ModelCodec.toBytes(model, provenance(job, plan));
        Metrics m = model.metrics();
        metrics = m == null ? null : m.asMap();
      }
      sample.getAsLong();
      Dataset dataset = datasets.get(plan.dataset());
      JsonNode training = job.request() == null ? null : job.request().get("training");
      ModelVersion version =
          registry.register(
              plan.model(),
              artifact,
              training == null || training.isNull()
                  ? JsonNodeFactory.instance.objectNode()
                  : training,
              curve(job.view()),
              new Lineage(
                  dataset.id(), dataset.sha256(), plan.split(), plan.params().seed(), job.id()),
              null,
              Map.of());
      if (plan.alias() != null) {
        registry.setAlias(plan.model(), plan.alias(), version.version());
      }
      usage.run();
      job.succeed(metrics, new JobView.VersionRef(version.name(), version.version()));
    } catch (TrainingCancelledException e) {
      usage.run();
      if (timedOut[0]) {
        job.fail(
            "exceeded the wall-clock limit of " + wallLimitNanos / 1_000_000_000L + " seconds");
      } else if (job.cancelRequested()) {
        job.cancelled();
      } else {
        return; // the server is stopping: the next start queues the job again
      }
    } catch (InvalidException e) {
      usage.run();
      job.fail(String.join("; ", e.problems()));
    } catch (DomainException e) {
      usage.run();
      job.fail(e.getMessage());
    } catch (java.io.IOException e) {
      usage.run();
      failInternally(job, "the server could not read dataset " + plan.dataset(), e);
    } catch (RuntimeException | Error e) {
      usage.run();
      failInternally(job, "training failed because of an internal error in the server", e);
    }
    save.accept(job);
  }

  /**
   * The checkpoint an attempt carries on from: the newest of {@code stored} from index {@code from}
   * on that reads, or none (epoch 0); each that does not read adds a note to the job.
   */
  private Resume resume(TrainingJob job, List<Integer> stored, int from) {
    for (int i = from; i < stored.size(); i++) {
      int epoch = stored.get(i);
      try {
        return new Resume(CheckpointCodec.read(checkpoints.read(job.id(), epoch)), epoch, i);
      } catch (java.io.IOException e) {
        log.warn("training job {}: checkpoint after epoch {}: {}", job.id(), epoch, e.toString());
        checkpoints.discard(job.id(), epoch);
        job.note(
            "the checkpoint after epoch "
                + epoch
                + " is damaged ("
                + e.getMessage()
                + ")"
                + fallback(stored, i + 1));
      }
    }
    return new Resume(null, 0, stored.size());
  }

  private static String fallback(List<Integer> stored, int next) {
    return next < stored.size()
        ? ": falling back to the one after epoch " + stored.get(next)
        : ": training starts again from the beginning";
  }

  /** A checkpoint to resume from (null: the start), its epoch and its index among the stored. */
  private record Resume(TrainingCheckpoint checkpoint, int epoch, int index) {}

  /**
   * Fails a job for a reason inside the server, not in its request: the job says what failed and
   * gives a reference under which the log holds the exception and its stack, which the job does not
   * show (class names and internal messages mean nothing to its caller).
   */
  private static void failInternally(TrainingJob job, String what, Throwable e) {
    String reference = "err-" + HexFormat.of().toHexDigits(REFERENCES.nextInt());
    log.error("training job {}: {} (reference {})", job.id(), what, reference, e);
    job.fail(what + "; the server log has the details under reference " + reference);
  }

  /**
   * What a job trains on: the training and test examples (test null when nothing is held out), the
   * preprocessing fitted on the training rows (null for cnn and rnn), and notes for the job.
   */
  record Prepared(Examples train, Examples test, Preprocessor preprocessor, List<String> notes) {}

  /**
   * Reads the dataset, leaves out rows whose target is missing, splits off the test rows (seeded,
   * as always), fits the preprocessing on the training rows alone for the families of a feature
   * vector, and builds the examples.
   */
  private Prepared prepare(TrainingPlan plan) throws java.io.IOException {
    List<String> notes = new ArrayList<>();
    TableData data = datasets.read(plan.dataset());
    int[] rows = rowsWithTarget(data, plan, "dataset " + plan.dataset(), notes);
    List<String> labels = null;
    if (plan.task() == Task.CLASSIFICATION) {
      labels = Labels.distinct(select(data.stringColumn(plan.target()), rows));
    }
    int[] train = rows;
    int[] test = null;
    TableData testData = data;
    if (plan.testDataset() != null) {
      testData = datasets.read(plan.testDataset());
      test = rowsWithTarget(testData, plan, "testDataset " + plan.testDataset(), notes);
    } else {
      int testRows = TrainingPlan.testRows(rows.length, plan.testFraction());
      if (testRows > 0) {
        int[] order = shuffled(rows.length, plan.params().seed());
        train = new int[rows.length - testRows];
        test = new int[testRows];
        for (int i = 0; i < rows.length; i++) {
          if (i < testRows) {
            test[i] = rows[order[i]];
          } else {
            train[i - testRows] = rows[order[i]];
          }
        }
      }
    }
    if (train.length < 2) {
      throw new InvalidException(
          "dataset "
              + plan.dataset()
              + " leaves "
              + train.length
              + " training rows with a target; at least 2 are needed");
    }
    if (plan.preprocessing() == null) {
      // One row-major copy of the features per dataset: a split reads both parts from it.
      double[] features = data.features(plan.features());
      double[] testFeatures = testData == data ? features : testData.features(plan.features());
      return new Prepared(
          examples(plan, data, train, labels, plan.inputShape(), features),
          test == null
              ? null
              : examples(plan, testData, test, labels, plan.inputShape(), testFeatures),
          null,
          notes);
    }
    List<Object> trainColumns = rawColumns(data, plan, train);
    Preprocessor preprocessor;
    try {
      preprocessor = Preprocessor.fit(plan.features(), trainColumns, plan.preprocessing());
    } catch (IllegalArgumentException e) {
      throw new InvalidException("preprocessing: " + e.getMessage());
    }
    if (!preprocessor.reasons().isEmpty()) {
      notes.add("columns left out of the model: " + preprocessor.reasons());
    }
    int[] shape = {preprocessor.width()};
    Examples trainExamples =
        examples(
            plan,
            data,
            train,
            labels,
            shape,
            preprocessor.transformColumns(trainColumns, train.length));
    Examples testExamples = null;
    if (test != null) {
      List<Object> testColumns = rawColumns(testData, plan, test);
      testExamples =
          examples(
              plan,
              testData,
              test,
              labels,
              shape,
              preprocessor.transformColumns(testColumns, test.length));
    }
    return new Prepared(trainExamples, testExamples, preprocessor, notes);
  }

  /** The rows of {@code data} whose target is present; a note says how many were left out. */
  private static int[] rowsWithTarget(
      TableData data, TrainingPlan plan, String where, List<String> notes) {
    boolean[] missing = new boolean[data.rows()];
    if (plan.task() == Task.CLASSIFICATION) {
      String[] target = data.stringColumn(plan.target());
      for (int r = 0; r < missing.length; r++) {
        missing[r] = target[r] == null;
      }
    } else {
      double[] target = data.column(plan.target());
      for (int r = 0; r < missing.length; r++) {
        missing[r] = Double.isNaN(target[r]);
      }
    }
    int[] rows = new int[missing.length];
    int kept = 0;
    for (int r = 0; r < missing.length; r++) {
      if (!missing[r]) {
        rows[kept++] = r;
      }
    }
    if (kept < missing.length) {
      notes.add(
          (missing.length - kept)
              + " rows of "
              + where
              + " have no value of the target '"
              + plan.target()
              + "' and were left out of training and evaluation");
    }
    return Arrays.copyOf(rows, kept);
  }

  /** A seeded permutation of 0..n-1: the split every job has made since the first. */
  private static int[] shuffled(int n, long seed) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Random random = new Random(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /**
   * The feature columns at {@code rows}, as the preprocessing takes them: numbers (NaN missing), or
   * text (null missing) for text columns and number columns the request treats as categories.
   */
  private static List<Object> rawColumns(TableData data, TrainingPlan plan, int[] rows) {
    List<Object> columns = new ArrayList<>();
    for (String name : plan.features()) {
      Dataset.Column column = data.dataset().column(name);
      boolean text =
          column.type() == Dataset.ColumnType.STRING
              || plan.preprocessing()
                  .columns()
                  .getOrDefault(name, ColumnOptions.NONE)
                  .categorical();
      columns.add(text ? select(data.stringColumn(name), rows) : select(data.column(name), rows));
    }
    return columns;
  }

  private static Examples examples(
      TrainingPlan plan,
      TableData data,
      int[] rows,
      List<String> labels,
      int[] inputShape,
      double[] features) {
    double[] x = features;
    if (features.length != (long) rows.length * dev.maas.compute.nn.Shapes.size(inputShape)) {
      x = selectRows(features, data.rows(), rows);
    }
    if (plan.task() == Task.CLASSIFICATION) {
      int[] classes = Labels.indices(select(data.stringColumn(plan.target()), rows), labels);
      return Examples.classification(inputShape, x, classes, labels);
    }
    return Examples.regression(inputShape, x, select(data.column(plan.target()), rows), 1);
  }

  /** Rows {@code rows} of a row-major array of {@code total} rows. */
  private static double[] selectRows(double[] values, int total, int[] rows) {
    int width = values.length / Math.max(total, 1);
    double[] out = new double[rows.length * width];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(values, rows[i] * width, out, i * width, width);
    }
    return out;
  }

  private static double[] select(double[] values, int[] rows) {
    double[] out = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      out[i] = values[rows[i]];
    }
    return out;
  }

  private static String[] select(String[] values, int[] rows) {
    String[] out = new String[rows.length];
    for (int i = 0; i < rows.length; i++) {
      out[i] = values[rows[i]];
    }
    return out;
  }

  private static List<Map<String, Object>> curve(JobView view) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (JobView.CurvePoint p : view.learningCurve()) {
      Map<String, Object> point = new LinkedHashMap<>();
      point.put("epoch", p.epoch());
      point.put("trainLoss", p.trainLoss());
      point.put("validationLoss", p.validationLoss());
      out.add(point);
    }
    return out;
  }

  private static long cpuNanos() {
    try {
      long t = THREADS.getCurrentThreadCpuTime();
      return t < 0 ? 0 : t;
    } catch (UnsupportedOperationException e) {
      return 0;
    }
  }

  /** Keeps the feature columns' names in the model file when they name every input value. */
  private static TrainedModel withFeatureNames(TrainedModel model, List<String> features) {
    long values = 1;
    for (int d : model.inputShape()) {
      values *= d;
    }
    return features != null && features.size() == values ? model.withFeatures(features) : model;
  }

  /**
   * What the model file records of where it came from: the same job, data, split, seed and settings
   * as the version's lineage, and the software that trained it.
   */
  private ModelProvenance provenance(TrainingJob job, TrainingPlan plan) {
    Dataset dataset = datasets.get(plan.dataset());
    JsonNode training = job.request() == null ? null : job.request().get("training");
    return new ModelProvenance(
        job.id(),
        dataset.id(),
        dataset.sha256(),
        plan.split(),
        plan.params().seed(),
        training == null || training.isNull() ? JsonNodeFactory.instance.objectNode() : training,
        Provenance.current().software());
  }
}

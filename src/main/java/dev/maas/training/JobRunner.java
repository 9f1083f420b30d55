package dev.maas.training;

import dev.maas.compute.Examples;
import dev.maas.compute.Labels;
import dev.maas.compute.Metrics;
import dev.maas.compute.ModelCodec;
import dev.maas.compute.ModelProvenance;
import dev.maas.compute.Task;
import dev.maas.compute.TrainedModel;
import dev.maas.compute.Trainer;
import dev.maas.compute.TrainingCancelledException;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.bytedeco.javacpp.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** Runs one job on the calling worker thread: reads the data, trains, registers the version. */
final class JobRunner {
  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final Datasets datasets;
  private final ModelRegistry registry;
  private final Trainer trainer = new Trainer();
  private final long wallLimitNanos;
  private final long maxEpochRows;

  /**
   * @param wallLimitNanos the longest a job may train before it fails, or 0 for no limit
   * @param maxEpochRows the most epochs x training rows a job may run; a larger job fails with that
   *     reason before it trains
   */
  JobRunner(Datasets datasets, ModelRegistry registry, long wallLimitNanos, long maxEpochRows) {
    this.datasets = datasets;
    this.registry = registry;
    this.wallLimitNanos = wallLimitNanos;
    this.maxEpochRows = maxEpochRows;
  }

  /**
   * Runs {@code job} if it is still queued.
   *
   * @param save persists the job; called on each state change and at most every few seconds while
   *     it trains
   * @param stopping true while the server shuts down: the job then stops without a final state, so
   *     the next start marks it interrupted
   */
  void run(
      TrainingJob job, Consumer<TrainingJob> save, java.util.function.BooleanSupplier stopping) {
    if (!job.start()) {
      return;
    }
    save.accept(job);
    TrainingPlan plan = job.plan();
    long start = System.nanoTime();
    long cpuStart = cpuNanos();
    long[] peak = {nativeBytes()};
    long[] lastSave = {start};
    // Training rows, epochs run and FLOPs per row, once known (-1 before).
    long[] work = {-1, 0, -1};
    LongSupplier sample =
        () -> {
          peak[0] = Math.max(peak[0], nativeBytes());
          return peak[0];
        };
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
      Examples[] split = examples(plan);
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
      TrainingResult result =
          trainer.train(
              plan.spec(),
              plan.params(),
              split[0],
              split[1],
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
              () -> {
                if (wallLimitNanos > 0 && System.nanoTime() - start > wallLimitNanos) {
                  timedOut[0] = true;
                }
                return job.cancelRequested() || stopping.getAsBoolean() || timedOut[0];
              });
      byte[] artifact;
      Map<String, Object> metrics;
      try (TrainedModel model = withFeatureNames(result.model(), plan.features())) {
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
        return; // the server is stopping: the next start marks the job interrupted
      }
    } catch (InvalidException e) {
      usage.run();
      job.fail(String.join("; ", e.problems()));
    } catch (DomainException e) {
      usage.run();
      job.fail(e.getMessage());
    } catch (java.io.IOException e) {
      log.error("training job {} could not read its data", job.id(), e);
      usage.run();
      job.fail("cannot read the dataset: " + e.getMessage());
    } catch (RuntimeException | Error e) {
      log.error("training job {} failed", job.id(), e);
      usage.run();
      job.fail("training failed: " + e);
    }
    save.accept(job);
  }

  /** The training and test examples (test is null when nothing is held out). */
  private Examples[] examples(TrainingPlan plan) throws java.io.IOException {
    TableData data = datasets.read(plan.dataset());
    List<String> labels = null;
    if (plan.task() == Task.CLASSIFICATION) {
      labels = Labels.distinct(data.stringColumn(plan.target()));
    }
    Examples all = examples(plan, data, labels);
    if (plan.testDataset() != null) {
      return new Examples[] {all, examples(plan, datasets.read(plan.testDataset()), labels)};
    }
    int rows = all.rows();
    int testRows = TrainingPlan.testRows(rows, plan.testFraction());
    if (testRows == 0) {
      return new Examples[] {all, null};
    }
    int[] order = new int[rows];
    for (int i = 0; i < rows; i++) {
      order[i] = i;
    }
    Random random = new Random(plan.params().seed());
    for (int i = rows - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return new Examples[] {
      all.select(Arrays.copyOfRange(order, testRows, rows)),
      all.select(Arrays.copyOfRange(order, 0, testRows))
    };
  }

  private static Examples examples(TrainingPlan plan, TableData data, List<String> labels) {
    double[] features = data.features(plan.features());
    if (plan.task() == Task.CLASSIFICATION) {
      int[] classes = Labels.indices(data.stringColumn(plan.target()), labels);
      return Examples.classification(plan.inputShape(), features, classes, labels);
    }
    return Examples.regression(plan.inputShape(), features, data.column(plan.target()).clone(), 1);
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

  private static long nativeBytes() {
    try {
      return Pointer.totalBytes();
    } catch (RuntimeException | LinkageError e) {
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

package dev.maas.compute;

import dev.maas.compute.nn.FusedDense;
import dev.maas.compute.nn.Head;
import dev.maas.compute.nn.HeapDense;
import dev.maas.compute.nn.HostArrays;
import dev.maas.compute.nn.LabelBuffers;
import dev.maas.compute.nn.Network;
import dev.maas.compute.nn.NetworkPass;
import dev.maas.compute.nn.PassCache;
import dev.maas.compute.nn.Workspaces;
import dev.maas.errors.InvalidException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains every family with one loop: mini-batches in a seeded order, the family's network forward
 * and backward, one optimizer step over the flat gradient, and per epoch the losses, progress,
 * cancellation and early stopping. Linear regression's exact solver skips the loop.
 *
 * <p>Stateless and thread-safe; each call trains on the calling thread.
 */
public final class Trainer {

  /** Rows per forward pass when computing losses and predictions over a whole split. */
  static final int EVAL_CHUNK = 256;

  private final boolean heapSteps;
  private final BatchLosses batchLosses;

  public Trainer() {
    this(true);
  }

  /**
   * @param heapSteps whether small dense stacks train on the heap ({@link FusedDense}); tests turn
   *     it off to compare with ND4J's path
   */
  Trainer(boolean heapSteps) {
    this(heapSteps, null);
  }

  /**
   * @param batchLosses told each step's summed loss, for tests; may be null
   */
  Trainer(boolean heapSteps, BatchLosses batchLosses) {
    this.heapSteps = heapSteps;
    this.batchLosses = batchLosses;
  }

  /** Hears each gradient step's loss, summed over its rows (tests). */
  interface BatchLosses {
    void onStep(int epoch, int rows, double lossSum);
  }

  /**
   * Trains {@code spec} on {@code train}; evaluates on {@code test} when it is not null.
   *
   * @throws InvalidException listing every problem of the spec, parameters and data
   * @throws TrainingCancelledException when {@code cancellation} asks
   */
  public TrainingResult train(
      ModelSpec spec,
      TrainingParams params,
      Examples train,
      Examples test,
      TrainingListener listener,
      Cancellation cancellation) {
    return train(spec, params, train, test, listener, cancellation, Checkpointing.NONE);
  }

  /**
   * Trains as {@link #train(ModelSpec, TrainingParams, Examples, Examples, TrainingListener,
   * Cancellation)} does, taking checkpoints at epoch boundaries when {@code checkpointing}'s policy
   * says so and, when it names one, resuming from a checkpoint: the run starts with the epoch after
   * the checkpoint's, from its parameters, optimizer state, generators, early-stopping state and
   * learning curve, and ends with the model the uninterrupted run would have ended with, bit for
   * bit. The listener hears the epochs this call runs; the result's learning curve has them all.
   *
   * @throws IllegalArgumentException when the checkpoint to resume from was not taken by a run of
   *     this spec, these parameters and this data, or the spec uses an exact solver (which has no
   *     epochs and takes no checkpoints)
   */
  public TrainingResult train(
      ModelSpec spec,
      TrainingParams params,
      Examples train,
      Examples test,
      TrainingListener listener,
      Cancellation cancellation,
      Checkpointing checkpointing) {
    validate(spec, params, train, test);
    long start = System.nanoTime();
    int[] order = shuffled(train.rows(), params.seed());
    int validationRows = params.validationRows(train.rows());
    Examples validation = null;
    if (validationRows > 0) {
      validation = train.select(Arrays.copyOfRange(order, 0, validationRows));
      train = train.select(Arrays.copyOfRange(order, validationRows, order.length));
    }
    Head head =
        train.task() == Task.REGRESSION ? Head.REGRESSION : Head.forClasses(train.outputs());
    Standardizer inputs = Standardizer.fit(train.inputShape(), train.features(), train.rows());
    Standardizer outputs =
        head == Head.REGRESSION
            ? Standardizer.fit(new int[] {train.outputs()}, train.targets(), train.rows())
            : null;
    EncodedData trainData = EncodedData.of(train, inputs, outputs, head);
    EncodedData validationData =
        validation == null ? null : EncodedData.of(validation, inputs, outputs, head);

    boolean leastSquares =
        spec instanceof LinearRegressionSpec linear
            && linear.solver() == LinearRegressionSpec.Solver.LEAST_SQUARES;
    boolean newton =
        spec instanceof LogisticRegressionSpec logistic
            && logistic.solver() == LogisticRegressionSpec.Solver.NEWTON;
    boolean exact = leastSquares || newton;
    TrainingCheckpoint resume = checkpointing.resumeFrom();
    TrainingCheckpoint.Identity identity =
        new TrainingCheckpoint.Identity(
            spec,
            params,
            train.inputShape(),
            train.outputs(),
            train.labels(),
            inputs,
            outputs,
            train.rows(),
            validationRows);
    if (resume != null) {
      if (exact) {
        throw new IllegalArgumentException(
            "an exact solver runs no epochs: there is no checkpoint to resume from");
      }
      String difference = resume.identity().difference(identity);
      if (difference != null) {
        throw new IllegalArgumentException(
            "the checkpoint was taken by a different training run: " + difference);
      }
    }
    Network network =
        Architectures.build(
            spec,
            train.inputShape(),
            head,
            train.outputs(),
            exact ? DataType.DOUBLE : DataType.FLOAT,
            !exact);
    Loop loop =
        new Loop(network, head, params, trainData, validationData, listener, start, identity);
    loop.heapSteps = heapSteps;
    loop.batchLosses = batchLosses;
    try {
      if (cancellation.requested()) {
        throw new TrainingCancelledException(1);
      }
      if (leastSquares) {
        loop.solverBytes = LeastSquares.fit(network, trainData);
        loop.recordOnce();
      } else if (newton) {
        loop.solverBytes =
            NewtonLogistic.fit(
                network, trainData, params.l2() > 0 ? params.l2() : 1.0 / trainData.rows);
        loop.recordOnce();
      } else {
        if (resume == null) {
          network.initialize(params.seed());
        } else {
          network.setParameters(resume.parameters());
        }
        loop.run(cancellation, checkpointing);
      }
    } catch (RuntimeException | Error e) {
      network.close();
      throw e;
    }
    // Takes over the parameters and closes the training network.
    TrainedModel model =
        TrainedModel.of(
            spec,
            train.inputShape(),
            head,
            train.outputs(),
            train.labels(),
            inputs,
            outputs,
            network);
    if (test != null) {
      try {
        model = model.withMetrics(model.evaluate(test));
      } catch (RuntimeException | Error e) {
        model.close();
        throw e;
      }
    }
    return new TrainingResult(model, loop.curve, loop.bestEpoch, loop.stoppedEarly);
  }

  /** Trains without test rows, listener or cancellation. */
  public TrainingResult train(ModelSpec spec, TrainingParams params, Examples train) {
    return train(spec, params, train, null, TrainingListener.NONE, Cancellation.NEVER);
  }

  private static void validate(
      ModelSpec spec, TrainingParams params, Examples train, Examples test) {
    Problems problems = new Problems();
    if (spec == null) {
      problems.add("spec", "is required");
    } else {
      spec.validate(train.task(), train.inputShape(), problems);
    }
    if (params == null) {
      problems.add("training", "is required");
    } else {
      params.validate(train.rows(), problems);
    }
    if (spec instanceof LogisticRegressionSpec logistic
        && logistic.solver() == LogisticRegressionSpec.Solver.NEWTON
        && params != null) {
      problems.require(
          params.l1() == 0,
          "training.l1",
          "is not supported by the newton solver (use spec.solver gradient_descent)");
    }
    problems.require(train.rows() >= 2, "dataset", "needs at least 2 rows, has " + train.rows());
    if (train.task() == Task.CLASSIFICATION) {
      long present = Arrays.stream(train.classes()).distinct().count();
      problems.require(
          present >= 2, "target", "needs at least 2 classes in the training rows, has " + present);
    }
    if (test != null) {
      problems.require(
          Arrays.equals(test.inputShape(), train.inputShape()),
          "testDataset",
          "must have the training rows' shape");
      problems.require(
          test.task() == train.task(), "testDataset", "must have the training rows' task");
    }
    problems.throwIfAny();
  }

  static int[] shuffled(int n, long seed) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    shuffle(order, ShuffleRandom.seeded(seed));
    return order;
  }

  static void shuffle(int[] order, ShuffleRandom random) {
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }

  /** The state of one run of the loop. */
  private static final class Loop {
    private final Network network;
    private final Head head;
    private final TrainingParams params;
    private final EncodedData train;
    private final EncodedData validation;
    private final TrainingListener listener;
    private final long start;
    private final TrainingCheckpoint.Identity identity;
    final List<EpochProgress> curve = new ArrayList<>();
    int bestEpoch;
    boolean stoppedEarly;
    private Losses losses;
    private long elapsedBefore; // nanoseconds of the runs before a resume
    long solverBytes; // off-heap bytes an exact solver held
    private long reportedBytes;
    boolean heapSteps = true;
    BatchLosses batchLosses;
    private double[] rowTargets; // one row's targets, as the label buffer holds them (float)

    Loop(
        Network network,
        Head head,
        TrainingParams params,
        EncodedData train,
        EncodedData validation,
        TrainingListener listener,
        long start,
        TrainingCheckpoint.Identity identity) {
      this.network = network;
      this.head = head;
      this.params = params;
      this.train = train;
      this.validation = validation;
      this.listener = listener;
      this.start = start;
      this.identity = identity;
    }

    void run(Cancellation cancellation, Checkpointing checkpointing) {
      TrainingCheckpoint resume = checkpointing.resumeFrom();
      int epochs = params.epochs();
      int batchSize = params.batchSize();
      EarlyStopping stopping = params.earlyStopping();
      ShuffleRandom shuffle;
      int[] order;
      double[] scratch = new double[batchSize * Math.max(train.rowLength, train.units)];
      var nd4jRandom = Nd4j.getRandomFactory().getNewRandomInstance(params.seed() + 3);
      double best = Double.POSITIVE_INFINITY;
      int sinceBest = 0;
      INDArray bestParams = null;
      long iteration = 0;
      int firstEpoch = 1;
      if (resume == null) {
        shuffle = ShuffleRandom.seeded(params.seed() + 1);
        order = Trainer.shuffled(train.rows, params.seed() + 2);
      } else {
        shuffle = ShuffleRandom.ofState(resume.shuffleState());
        order = resume.order().clone();
        nd4jRandom.setStates(resume.dropoutRootState(), resume.dropoutNodeState());
        best = resume.stopping().bestLoss();
        sinceBest = resume.stopping().sinceBest();
        bestEpoch = resume.stopping().bestEpoch();
        if (resume.bestParameters() != null) {
          bestParams = keep(null, network.parameters());
          HostArrays.write(bestParams, resume.bestParameters());
        }
        curve.addAll(resume.learningCurve());
        elapsedBefore = curve.get(curve.size() - 1).elapsed().toNanos();
        iteration = resume.iteration();
        firstEpoch = resume.epoch() + 1;
      }
      long lastCheckpoint = System.nanoTime();
      // A small dense stack trains on the heap (FusedDense): the same arithmetic as ND4J's path
      // without its per-call cost. Its parameters go back to the network before anything reads
      // them (the epoch's losses, early stopping, a checkpoint, the end).
      FusedDense fused =
          heapSteps && HeapStepRule.supports(params.optimizer())
              ? FusedDense.of(network, head, batchSize, Math.max(batchSize, EVAL_CHUNK))
              : null;
      HeapStepRule heapStep = fused == null ? null : HeapStepRule.of(fused, params);
      try (PassCache passes = new PassCache(network, true, nd4jRandom);
          PassCache inference = new PassCache(network, false, null);
          StepRule step = fused == null ? new StepRule(network, params) : null;
          LabelBuffers labels = new LabelBuffers(network.dataType(), train.units)) {
        if (resume != null) {
          if (fused == null) {
            step.restore(resume.updaterState());
          } else {
            heapStep.restore(resume.updaterState());
          }
        }
        if (fused != null) {
          fused.readFrom(network);
        }
        losses = new Losses(head, inference, labels, fused, null);
        for (int epoch = firstEpoch; epoch <= epochs; epoch++) {
          Trainer.shuffle(order, shuffle);
          // The epoch's training loss: the mean over its rows of the loss each step's own forward
          // pass computed (as Keras's History reports it), not a second pass over the rows.
          double epochLoss = 0;
          for (int from = 0; from < train.rows; from += batchSize) {
            if (cancellation.requested()) {
              throw new TrainingCancelledException(epoch);
            }
            int count = Math.min(batchSize, train.rows - from);
            if (fused != null) {
              train.writeFeatures(fused.input(), order, from, count);
              train.writeTargets(fused.targets(), order, from, count);
              fused.gradient(count);
              double batchLoss = fused.lastLossSum(count);
              epochLoss += batchLoss;
              if (batchLosses != null) {
                batchLosses.onStep(epoch, count, batchLoss);
              }
              heapStep.apply((int) iteration++);
              continue;
            }
            NetworkPass pass = passes.get(count);
            INDArray y = labels.get(count);
            train.writeFeatures(pass.input(), order, from, count, scratch);
            train.writeTargets(y, order, from, count, scratch);
            try (MemoryWorkspace ws = Workspaces.step()) {
              INDArray scores = pass.forward();
              double batchLoss = lossSum(scores, order, from, count);
              epochLoss += batchLoss;
              if (batchLosses != null) {
                batchLosses.onStep(epoch, count, batchLoss);
              }
              INDArray gradient = head.loss().computeGradient(y, scores, head.activation(), null);
              gradient.muli(1.0 / count);
              pass.backward(gradient);
              step.apply((int) iteration++, epoch - 1);
            }
            if (from == 0) {
              // Every buffer of a step exists after the first; later, only the last (smaller)
              // batch and the loss passes add any.
              reportBytes(passes.bytes() + inference.bytes() + step.bytes() + labels.bytes());
            }
          }
          if (fused != null) {
            fused.writeTo(network);
          }
          double monitored = record(epoch, epochs, epochLoss / train.rows);
          reportBytes(
              passes.bytes()
                  + inference.bytes()
                  + (step == null ? 0 : step.bytes())
                  + labels.bytes());
          if (stopping != null) {
            if (monitored < best - stopping.minDelta()) {
              best = monitored;
              sinceBest = 0;
              bestEpoch = epoch;
              if (stopping.restoreBestWeights()) {
                bestParams = keep(bestParams, network.parameters());
              }
            } else if (++sinceBest >= stopping.patience()) {
              stoppedEarly = epoch < epochs;
              break;
            }
          } else {
            bestEpoch = epoch;
          }
          long now = System.nanoTime();
          if (epoch < epochs
              && checkpointing
                  .policy()
                  .due(curve.get(curve.size() - 1), Duration.ofNanos(now - lastCheckpoint))) {
            checkpointing
                .sink()
                .accept(
                    new TrainingCheckpoint(
                        identity,
                        epoch,
                        iteration,
                        shuffle.state(),
                        nd4jRandom.rootState(),
                        nd4jRandom.nodeState(),
                        order.clone(),
                        network.dataType(),
                        HostArrays.readFlat(network.parameters()),
                        fused == null ? step.state() : heapStep.state(),
                        new TrainingCheckpoint.Stopping(best, bestEpoch, sinceBest),
                        bestParams == null ? null : HostArrays.readFlat(bestParams),
                        curve));
            lastCheckpoint = System.nanoTime();
          }
        }
        if (bestParams != null && bestEpoch != curve.size()) {
          network.parameters().assign(bestParams);
        } else {
          bestEpoch = curve.size();
        }
      } finally {
        if (bestParams != null) {
          bestParams.close();
        }
      }
    }

    /** Records the losses of a model fitted without epochs as its single point. */
    void recordOnce() {
      try (PassCache passes = new PassCache(network, false, null);
          LabelBuffers labels = new LabelBuffers(network.dataType(), train.units)) {
        // The fitted layer's losses on the heap: one pass over the rows, in chunks.
        losses = new Losses(head, passes, labels, null, HeapDense.of(network));
        record(1, 1, losses.mean(train));
        bestEpoch = 1;
        reportBytes(solverBytes + passes.bytes() + labels.bytes());
      }
    }

    /**
     * Tells the listener the off-heap bytes this run holds, when they grew: {@code buffers} and the
     * network's parameters and gradients, and the step workspace.
     */
    private void reportBytes(long buffers) {
      long bytes =
          buffers
              + HostArrays.bytes(network.parameters(), network.gradients())
              + Workspaces.stepBytes();
      if (bytes > reportedBytes) {
        reportedBytes = bytes;
        listener.onNativeBytes(bytes);
      }
    }

    private static INDArray keep(INDArray copy, INDArray params) {
      if (copy == null) {
        try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
          return params.dup();
        }
      }
      copy.assign(params);
      return copy;
    }

    /**
     * The summed loss of a step's rows from the scores of its forward pass (training mode: with
     * dropout), on the host as ND4J's loss scores them ({@link Head#rowLoss}) against the targets
     * in the label buffer's precision: a few numbers per row cost less than ND4J's calls.
     */
    private double lossSum(INDArray scores, int[] order, int from, int count) {
      int k = train.units;
      double[] s = HostArrays.readRows(scores, count);
      double[] targets = train.targetArray();
      boolean floats = network.dataType() == DataType.FLOAT;
      if (rowTargets == null) {
        rowTargets = new double[k];
      }
      double total = 0;
      for (int i = 0; i < count; i++) {
        int at = order[from + i] * k;
        for (int j = 0; j < k; j++) {
          double t = targets[at + j];
          rowTargets[j] = floats ? (float) t : t;
        }
        total += head.rowLoss(s, i * k, rowTargets, 0, k);
      }
      return total;
    }

    /**
     * Reports this epoch's losses, {@code trainLoss} and the validation split's mean loss in
     * inference mode; returns the one early stopping watches.
     */
    double record(int epoch, int epochs, double trainLoss) {
      double validationLoss = validation == null ? Double.NaN : losses.mean(validation);
      EpochProgress progress =
          new EpochProgress(
              epoch,
              epochs,
              trainLoss,
              validationLoss,
              Duration.ofNanos(elapsedBefore + System.nanoTime() - start));
      curve.add(progress);
      listener.onEpoch(progress);
      return validation == null ? trainLoss : validationLoss;
    }
  }
}

package dev.maas.compute;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Everything a gradient-descent training run needs to carry on exactly where it was at the end of
 * an epoch: with the same spec, parameters, data and seed, a run resumed from a checkpoint ends
 * with a model bit-identical to the uninterrupted run's.
 *
 * <p>It holds: what it was trained for (the spec, the training parameters including the seed, the
 * input shape, outputs, class labels, the fitted input and target standardization, and the number
 * of training and validation rows), against which {@link Trainer} checks a resumed run; the epochs
 * done and the optimizer steps taken; the network's flat parameters; the optimizer's state (ND4J's
 * updater state view: Adam's two moments, RMSProp's and AdaGrad's accumulators, Nesterov's
 * velocity; or maas's classical-momentum velocity; empty for plain SGD); the random generators'
 * states (the batch-order generator's 48-bit state and the current order, and ND4J's dropout
 * generator's root and node states); early stopping's state (best loss, best epoch, epochs without
 * improvement and the best weights when they are to be restored); and the learning curve so far.
 *
 * <p>Immutable; the arrays are the checkpoint's own and are never handed out. Stored with {@link
 * CheckpointCodec}; see docs/checkpoint-format.md. The exact solvers (least squares, Newton) run no
 * epochs and have no checkpoints.
 */
public final class TrainingCheckpoint {

  /** What a checkpoint was trained for; a resumed run must have exactly the same. */
  record Identity(
      ModelSpec spec,
      TrainingParams params,
      int[] inputShape,
      int outputs,
      List<String> labels,
      Standardizer inputScaler,
      Standardizer targetScaler,
      int trainingRows,
      int validationRows) {

    Identity {
      inputShape = inputShape.clone();
      labels = labels == null ? null : List.copyOf(labels);
    }

    /** The first way {@code other} differs from this, or null when it is the same. */
    String difference(Identity other) {
      if (!spec.equals(other.spec)) {
        return "the spec differs";
      }
      if (!params.equals(other.params)) {
        return "the training parameters differ";
      }
      if (!Arrays.equals(inputShape, other.inputShape) || outputs != other.outputs) {
        return "the input shape or the outputs differ";
      }
      if (!Objects.equals(labels, other.labels)) {
        return "the class labels differ";
      }
      if (trainingRows != other.trainingRows || validationRows != other.validationRows) {
        return "the number of training or validation rows differs";
      }
      if (!inputScaler.equals(other.inputScaler)
          || !Objects.equals(targetScaler, other.targetScaler)) {
        return "the training rows differ (their standardization statistics do)";
      }
      return null;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Identity other && difference(other) == null;
    }

    @Override
    public int hashCode() {
      return Objects.hash(spec, params, outputs, trainingRows, validationRows);
    }

    @Override
    public String toString() {
      return "Identity[" + spec.family() + ", seed " + params.seed() + "]";
    }
  }

  /** Early stopping's state at the checkpoint. */
  record Stopping(double bestLoss, int bestEpoch, int sinceBest) {}

  private final Identity identity;
  private final int epoch;
  private final long iteration;
  private final long shuffleState;
  private final long dropoutRootState;
  private final long dropoutNodeState;
  private final int[] order;
  private final DataType dataType;
  private final double[] parameters;
  private final double[] updaterState;
  private final Stopping stopping;
  private final double[] bestParameters;
  private final List<EpochProgress> learningCurve;

  TrainingCheckpoint(
      Identity identity,
      int epoch,
      long iteration,
      long shuffleState,
      long dropoutRootState,
      long dropoutNodeState,
      int[] order,
      DataType dataType,
      double[] parameters,
      double[] updaterState,
      Stopping stopping,
      double[] bestParameters,
      List<EpochProgress> learningCurve) {
    this.identity = Objects.requireNonNull(identity);
    this.epoch = epoch;
    this.iteration = iteration;
    this.shuffleState = shuffleState;
    this.dropoutRootState = dropoutRootState;
    this.dropoutNodeState = dropoutNodeState;
    this.order = order;
    this.dataType = dataType;
    this.parameters = parameters;
    this.updaterState = updaterState;
    this.stopping = stopping;
    this.bestParameters = bestParameters;
    this.learningCurve = List.copyOf(learningCurve);
    if (learningCurve.size() != epoch || epoch < 1) {
      throw new IllegalArgumentException(
          "a checkpoint after epoch " + epoch + " has " + learningCurve.size() + " curve points");
    }
    if (order.length != identity.trainingRows()) {
      throw new IllegalArgumentException("the batch order must list every training row");
    }
    if (bestParameters != null && bestParameters.length != parameters.length) {
      throw new IllegalArgumentException("the best weights must be as many as the parameters");
    }
  }

  /** The family trained. */
  public Family family() {
    return identity.spec().family();
  }

  /** The spec trained. */
  public ModelSpec spec() {
    return identity.spec();
  }

  /** The training parameters, seed included, that a resumed run must have. */
  public TrainingParams params() {
    return identity.params();
  }

  /** Epochs done: a resumed run starts with the next one. */
  public int epoch() {
    return epoch;
  }

  /** Epochs requested. */
  public int epochs() {
    return identity.params().epochs();
  }

  /** Optimizer steps taken. */
  public long iteration() {
    return iteration;
  }

  /** The learning curve of the epochs done, one point per epoch. */
  public List<EpochProgress> learningCurve() {
    return learningCurve;
  }

  /** Number of network parameters. */
  public int parameterCount() {
    return parameters.length;
  }

  Identity identity() {
    return identity;
  }

  long shuffleState() {
    return shuffleState;
  }

  long dropoutRootState() {
    return dropoutRootState;
  }

  long dropoutNodeState() {
    return dropoutNodeState;
  }

  /** The checkpoint's own array: callers must not change it. */
  int[] order() {
    return order;
  }

  DataType dataType() {
    return dataType;
  }

  /** The checkpoint's own array: callers must not change it. */
  double[] parameters() {
    return parameters;
  }

  /** The checkpoint's own array, empty for plain SGD: callers must not change it. */
  double[] updaterState() {
    return updaterState;
  }

  Stopping stopping() {
    return stopping;
  }

  /** The best epoch's weights, or null when none are kept; callers must not change it. */
  double[] bestParameters() {
    return bestParameters;
  }

  @Override
  public String toString() {
    return "TrainingCheckpoint["
        + family()
        + ", epoch "
        + epoch
        + " of "
        + epochs()
        + ", "
        + parameters.length
        + " parameters]";
  }
}

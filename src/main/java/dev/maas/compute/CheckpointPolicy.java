package dev.maas.compute;

import java.time.Duration;

/**
 * Decides, at the end of each epoch after which training goes on, whether {@link Trainer} takes a
 * checkpoint. Called on the training thread.
 */
@FunctionalInterface
public interface CheckpointPolicy {

  /** Never takes one. */
  CheckpointPolicy NEVER = (progress, sinceLast) -> false;

  /**
   * @param progress the epoch just finished
   * @param sinceLast the time since the last checkpoint of this run, or since this run started (or
   *     resumed) when it has taken none
   */
  boolean due(EpochProgress progress, Duration sinceLast);

  /** At every epoch boundary: for tests, and for runs whose epochs are long. */
  static CheckpointPolicy everyEpoch() {
    return (progress, sinceLast) -> true;
  }

  /** At the first epoch boundary at least {@code interval} after the last checkpoint. */
  static CheckpointPolicy every(Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("a checkpoint interval must be positive, was " + interval);
    }
    return (progress, sinceLast) -> sinceLast.compareTo(interval) >= 0;
  }
}

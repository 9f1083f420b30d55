package dev.maas.compute;

/**
 * Stops training when the monitored loss (validation loss if there is a validation split, else
 * training loss) has not improved by more than {@code minDelta} for {@code patience} epochs.
 *
 * @param patience epochs without improvement before stopping, at least 1
 * @param minDelta smallest decrease that counts as an improvement, not negative
 * @param restoreBestWeights whether the model ends with the weights of its best epoch
 */
public record EarlyStopping(int patience, double minDelta, boolean restoreBestWeights) {

  void validate(Problems problems) {
    problems.require(
        patience >= 1, "training.earlyStopping.patience", "must be at least 1, was " + patience);
    problems.require(
        minDelta >= 0 && Double.isFinite(minDelta),
        "training.earlyStopping.minDelta",
        "must not be negative, was " + minDelta);
  }
}

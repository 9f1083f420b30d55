package dev.maas.compute;

/** Receives progress once per epoch, on the training thread. */
@FunctionalInterface
public interface TrainingListener {
  TrainingListener NONE = progress -> {};

  void onEpoch(EpochProgress progress);
}

package dev.maas.compute;

import java.util.function.Consumer;
import java.util.function.LongConsumer;

/** Receives progress once per epoch, on the training thread. */
@FunctionalInterface
public interface TrainingListener {
  TrainingListener NONE = progress -> {};

  void onEpoch(EpochProgress progress);

  /**
   * The off-heap bytes this training run holds (its network's parameters and gradients, the buffers
   * of its passes, the optimizer's state, its step workspace and an exact solver's buffers),
   * reported on the training thread once they are all made and whenever they grow. Other jobs and
   * loaded models are not in it.
   */
  default void onNativeBytes(long bytes) {}

  /** A listener of both. */
  static TrainingListener of(Consumer<EpochProgress> epochs, LongConsumer nativeBytes) {
    return new TrainingListener() {
      @Override
      public void onEpoch(EpochProgress progress) {
        epochs.accept(progress);
      }

      @Override
      public void onNativeBytes(long bytes) {
        nativeBytes.accept(bytes);
      }
    };
  }
}

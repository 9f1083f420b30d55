package dev.maas.compute;

/**
 * Asked by the trainer before every batch; true stops training with {@link
 * TrainingCancelledException}.
 */
@FunctionalInterface
public interface Cancellation {
  Cancellation NEVER = () -> false;

  boolean requested();
}

package dev.maas.compute;

/** Training stopped because its {@link Cancellation} asked it to. */
public class TrainingCancelledException extends RuntimeException {
  public TrainingCancelledException(int epoch) {
    super("training cancelled during epoch " + epoch);
  }
}

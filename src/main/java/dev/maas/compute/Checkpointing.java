package dev.maas.compute;

/**
 * A training run's checkpoints: the one it resumes from, if any, and when and where it takes new
 * ones.
 *
 * @param resumeFrom the checkpoint to carry on from, or null to start afresh
 * @param policy when to take a checkpoint
 * @param sink where checkpoints go
 */
public record Checkpointing(
    TrainingCheckpoint resumeFrom, CheckpointPolicy policy, CheckpointSink sink) {

  /** No resume, no checkpoints. */
  public static final Checkpointing NONE =
      new Checkpointing(null, CheckpointPolicy.NEVER, CheckpointSink.NONE);

  public Checkpointing {
    if (policy == null) {
      policy = CheckpointPolicy.NEVER;
    }
    if (sink == null) {
      sink = CheckpointSink.NONE;
    }
  }

  /** Checkpoints to {@code sink} when {@code policy} says so, from the start. */
  public static Checkpointing to(CheckpointSink sink, CheckpointPolicy policy) {
    return new Checkpointing(null, policy, sink);
  }

  /** The same, resuming from {@code checkpoint} (or from the start when it is null). */
  public Checkpointing resumingFrom(TrainingCheckpoint checkpoint) {
    return new Checkpointing(checkpoint, policy, sink);
  }
}

package dev.maas.compute;

/**
 * Receives the checkpoints {@link Trainer} takes, on the training thread, at an epoch boundary:
 * training waits while it stores one (e.g. with {@link CheckpointCodec#write}). An exception it
 * throws ends training with that exception; a sink that would rather train on catches its own.
 */
@FunctionalInterface
public interface CheckpointSink {
  CheckpointSink NONE = checkpoint -> {};

  void accept(TrainingCheckpoint checkpoint);
}

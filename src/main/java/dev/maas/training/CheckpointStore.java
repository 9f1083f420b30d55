package dev.maas.training;

import java.io.IOException;
import java.util.List;

/**
 * Where running jobs keep their training checkpoints (the bytes of {@link
 * dev.maas.compute.CheckpointCodec}): the two latest of each job, so that a damaged newest one
 * falls back to the one before. {@link FileCheckpointStore} keeps them beside the job files; a
 * shared store lets a job carry on on another replica.
 */
interface CheckpointStore {

  /**
   * Stores a job's checkpoint taken after {@code epoch}, atomically (after a crash the store holds
   * it whole or not at all), and drops the job's checkpoints older than the two latest.
   */
  void save(String jobId, int epoch, byte[] checkpoint) throws IOException;

  /** The epochs of a job's stored checkpoints, newest first (empty when it has none). */
  List<Integer> epochs(String jobId);

  /** The checkpoint a job took after {@code epoch}. */
  byte[] read(String jobId, int epoch) throws IOException;

  /** Removes one checkpoint of a job (one that cannot be resumed from); nothing when absent. */
  void discard(String jobId, int epoch);

  /** Removes every checkpoint of a job; nothing when it has none. */
  void delete(String jobId);

  /** The jobs that have checkpoints stored, to remove those of jobs that have ended. */
  List<String> jobs();
}

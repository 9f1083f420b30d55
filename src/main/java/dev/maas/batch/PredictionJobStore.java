package dev.maas.batch;

import java.io.IOException;
import java.util.List;

/**
 * Where prediction jobs' records and their committed chunks of predictions live: {@link
 * FilePredictionJobStore} (files, embedded mode) or {@link SharedPredictionJobStore} (PostgreSQL
 * and S3, shared mode). A restarted job continues after its last committed chunk.
 */
interface PredictionJobStore {

  /** Stores the job's record, replacing the one it had; durable when it returns. */
  void save(PredictionJobRecord record);

  /** Every stored job; a record that cannot be read is logged and skipped. */
  List<PredictionJobRecord> loadAll();

  /**
   * Stores the record if this replica may (shared mode: it holds the job, or nobody does); false
   * when another replica holds the job now and nothing was written. Embedded mode: always.
   */
  default boolean trySave(PredictionJobRecord record) {
    save(record);
    return true;
  }

  /** One stored job's record. */
  default java.util.Optional<PredictionJobRecord> load(String id) {
    return loadAll().stream().filter(r -> r.job().id().equals(id)).findFirst();
  }

  /**
   * Whether the store is shared by several replicas ({@link SharedPredictionJobStore}): then every
   * replica's workers claim jobs from it, and it answers reads, limits and cancels.
   */
  default boolean distributed() {
    return false;
  }

  /** How many chunks of the job are committed: chunks 0, 1, ... without a gap. */
  int committedChunks(String job);

  /** Commits chunk {@code index}: its {@code rows} x {@code width} values, durably. */
  void writeChunk(String job, int index, int rows, int width, double[] values) throws IOException;

  /** The rows of the job's committed chunks, as each was written. */
  long committedRows(String job) throws IOException;

  /** Chunk {@code index}'s values: as many rows as it was written with, x {@code width}. */
  double[] readChunk(String job, int index, int width) throws IOException;

  /** Removes the job's chunks, once its result is stored or it has stopped for good. */
  void deleteChunks(String job);
}

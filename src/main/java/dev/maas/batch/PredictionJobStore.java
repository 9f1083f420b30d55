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

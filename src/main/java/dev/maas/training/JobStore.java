package dev.maas.training;

import java.util.List;
import java.util.Optional;

/**
 * Where training jobs' records live: {@link FileJobStore} (files, embedded mode) or {@link
 * SharedJobStore} (PostgreSQL, shared mode).
 */
interface JobStore {

  /** Stores the job's record, replacing the one it had; durable when it returns. */
  void save(JobRecord record);

  /** Every stored job, oldest first; a record that cannot be read is logged and skipped. */
  List<JobRecord> loadAll();

  /** One stored job's record. */
  default Optional<JobRecord> load(String id) {
    return loadAll().stream().filter(r -> r.job().id().equals(id)).findFirst();
  }

  /**
   * Whether the store is shared by several replicas ({@link SharedJobStore}): then every replica's
   * workers claim jobs from it, and it, not a replica's memory, answers reads, caps and cancels.
   */
  default boolean distributed() {
    return false;
  }

  /**
   * Takes an unfinished job for this process to run: false when another replica that is alive holds
   * it (its lease has not expired). The embedded store has one process: always true.
   */
  default boolean claim(String id) {
    return true;
  }

  /**
   * Unfinished jobs whose holder stopped renewing its lease (its replica died), for another replica
   * to {@link #claim} and carry on. The embedded store has none.
   */
  default List<String> orphans() {
    return List.of();
  }
}

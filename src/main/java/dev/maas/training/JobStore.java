package dev.maas.training;

import java.util.List;

/**
 * Where training jobs' records live: {@link FileJobStore} (files, embedded mode) or {@link
 * SharedJobStore} (PostgreSQL, shared mode).
 */
interface JobStore {

  /** Stores the job's record, replacing the one it had; durable when it returns. */
  void save(JobRecord record);

  /** Every stored job, oldest first; a record that cannot be read is logged and skipped. */
  List<JobRecord> loadAll();
}

-- Jobs across replicas (see docs/shared-store.md, "Jobs across replicas"). Every replica's workers
-- claim the oldest claimable job with SELECT ... FOR UPDATE SKIP LOCKED; a cancel asked through a
-- replica that does not run the job sets cancel_requested, which the holder reads on the
-- notification and at every lease renewal.
ALTER TABLE training_jobs ADD COLUMN cancel_requested boolean NOT NULL DEFAULT false;
ALTER TABLE prediction_jobs ADD COLUMN cancel_requested boolean NOT NULL DEFAULT false;

-- What the claim query and the per-key counts read: the unfinished jobs, oldest first.
CREATE INDEX training_jobs_unfinished ON training_jobs (created_at)
  WHERE state IN ('QUEUED', 'RUNNING');
CREATE INDEX training_jobs_owner_unfinished ON training_jobs (owner)
  WHERE state IN ('QUEUED', 'RUNNING');
CREATE INDEX prediction_jobs_unfinished ON prediction_jobs (created_at)
  WHERE state IN ('QUEUED', 'RUNNING');
CREATE INDEX prediction_jobs_owner_unfinished ON prediction_jobs (owner)
  WHERE state IN ('QUEUED', 'RUNNING');

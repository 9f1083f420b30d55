-- The shared store's metadata (maas.store.type=shared); the bytes live in the S3 bucket under the
-- object keys named here. Records are the same JSON documents the embedded store writes as files,
-- so both modes read and write one format. See docs/shared-store.md.

-- The registry. A model's row is locked (SELECT ... FOR UPDATE) by every change to it, so version
-- numbers are gapless and never reused whichever replica registers; revision grows with every
-- change, and replicas compare it to reload what another replica changed.
CREATE SEQUENCE registry_revision;

CREATE TABLE models (
  name           text    PRIMARY KEY,
  record         text    NOT NULL,  -- StoredModel JSON: description, tags, aliases, times, latest
  latest_version integer NOT NULL,
  revision       bigint  NOT NULL
);

CREATE TABLE model_versions (
  model      text    NOT NULL REFERENCES models (name) ON DELETE CASCADE,
  version    integer NOT NULL CHECK (version > 0),
  record     text    NOT NULL,      -- StoredVersion JSON, with the artifact's size and SHA-256
  object_key text    NOT NULL,
  PRIMARY KEY (model, version)
);

-- Datasets: immutable once their row exists (the data object is uploaded first).
CREATE TABLE datasets (
  id         text        PRIMARY KEY,
  record     text        NOT NULL,  -- Dataset JSON, with the data's size and SHA-256
  created_at timestamptz NOT NULL,
  object_key text        NOT NULL
);

-- Training checkpoints: the two latest of each job.
CREATE TABLE checkpoints (
  job_id     text    NOT NULL,
  epoch      integer NOT NULL,
  sha256     text    NOT NULL,
  size       bigint  NOT NULL,
  object_key text    NOT NULL,
  PRIMARY KEY (job_id, epoch)
);

-- Jobs: the record (view, request, idempotency key, owner) as JSON; state, lease owner and lease
-- expiry as columns for claiming (FOR UPDATE SKIP LOCKED).
CREATE TABLE training_jobs (
  id              text        PRIMARY KEY,
  record          text        NOT NULL,
  state           text        NOT NULL,
  owner           text,
  idempotency_key text,
  lease_holder    text,
  lease_until     timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX training_jobs_idempotency ON training_jobs (owner, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

CREATE TABLE prediction_jobs (
  id              text        PRIMARY KEY,
  record          text        NOT NULL,
  state           text        NOT NULL,
  owner           text,
  idempotency_key text,
  lease_holder    text,
  lease_until     timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX prediction_jobs_idempotency ON prediction_jobs (owner, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

-- A prediction job's committed chunks of predictions (bytes in the bucket).
CREATE TABLE prediction_chunks (
  job_id     text    NOT NULL,
  chunk      integer NOT NULL,
  rows       integer NOT NULL,
  width      integer NOT NULL,
  sha256     text    NOT NULL,
  object_key text    NOT NULL,
  PRIMARY KEY (job_id, chunk)
);

-- The admin key generated at first start when none is configured: only its hash. The first
-- replica to insert it wins; the others read it.
CREATE TABLE generated_keys (
  name       text        PRIMARY KEY,
  document   text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Comparisons (issue 22): one row per comparison, its record as the JSON the embedded store writes.
-- The replica that runs a comparison holds a lease on it (lease_holder, lease_until), renewed as it
-- saves; a running comparison whose lease ran out is claimed by another replica and carried on.
-- cancel_requested is set by any replica and kept by the runner's saves.
CREATE TABLE comparisons (
  id               text        PRIMARY KEY,
  record           text        NOT NULL,
  state            text        NOT NULL,
  owner            text,
  cancel_requested boolean     NOT NULL DEFAULT false,
  lease_holder     text,
  lease_until      timestamptz,
  created_at       timestamptz NOT NULL
);
CREATE INDEX comparisons_created ON comparisons (created_at DESC);

package dev.maas.training;

import tools.jackson.databind.JsonNode;

/**
 * What the job store keeps of a job: its view, the request as submitted (to run a queued job again
 * after a restart), the idempotency key it was submitted with and the name of the API key that
 * submitted it (null when security is disabled), and whether a cancel was asked for while it ran
 * (so that a restart before it stopped does not resume it; null in older files).
 */
record JobRecord(
    JobView job, JsonNode request, String idempotencyKey, String owner, Boolean cancelRequested) {

  JobRecord(JobView job, JsonNode request, String idempotencyKey, String owner) {
    this(job, request, idempotencyKey, owner, null);
  }
}

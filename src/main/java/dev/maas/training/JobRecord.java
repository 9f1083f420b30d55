package dev.maas.training;

import tools.jackson.databind.JsonNode;

/**
 * What the job store keeps of a job: its view, the request as submitted (to run a queued job again
 * after a restart) and the idempotency key it was submitted with.
 */
record JobRecord(JobView job, JsonNode request, String idempotencyKey) {}

package dev.maas.batch;

/** What the job store keeps of a prediction job: its view and who submitted it, how. */
record PredictionJobRecord(PredictionJobView job, String idempotencyKey, String owner) {}

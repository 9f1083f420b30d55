package dev.maas.comparison;

import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * What the comparison store keeps of a comparison: everything its view is made of, and each
 * candidate's training request, so that a restarted server (or another replica) carries it on.
 *
 * @param state running, finished or cancelled
 * @param jobs the training jobs it started
 * @param cost what they cost
 * @param wallSeconds the wall seconds it ran, once it ended
 */
record ComparisonRecord(
    String id,
    String owner,
    String metric,
    double tolerance,
    String currency,
    ComparisonView.Budget budget,
    String state,
    Instant createdAt,
    Instant finishedAt,
    int jobs,
    double cost,
    Double wallSeconds,
    List<String> skipped,
    List<Slot> slots) {

  ComparisonRecord {
    skipped = skipped == null ? List.of() : List.copyOf(skipped);
    slots = slots == null ? List.of() : List.copyOf(slots);
  }

  /** A candidate as stored: its request and what came of it so far. */
  record Slot(
      String family,
      String model,
      JsonNode request,
      String state,
      String jobId,
      Integer version,
      String error,
      Double quality,
      Double trainingSeconds,
      Double trainingCost,
      ComparisonView.Value perMillion,
      ComparisonView.Value p50Ms,
      ComparisonView.Value p99Ms,
      Long modelBytes) {}
}

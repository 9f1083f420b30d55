package dev.maas.comparison;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * A comparison as {@code GET /api/v1/comparisons/{id}} shows it: the leaderboard so far.
 *
 * @param id {@code cmp-} and random hex
 * @param state running, finished or cancelled
 * @param metric the quality measure on the held-out rows: accuracy (classification) or r2
 *     (regression); higher is better
 * @param tolerance how far below the best quality a candidate may be and still be recommended
 * @param currency the currency of every cost
 * @param budget the limits asked for (null fields: none)
 * @param spent what the comparison used so far
 * @param candidates the leaderboard, in request order
 * @param recommendation the recommended candidate and why, once there is a finished one
 * @param skipped the candidates the budget (or a cancel) left untrained, and why
 */
record ComparisonView(
    String id,
    String state,
    String metric,
    double tolerance,
    String currency,
    Budget budget,
    Spent spent,
    List<Candidate> candidates,
    Recommendation recommendation,
    List<String> skipped,
    Instant createdAt,
    Instant finishedAt) {

  /** The limits: jobs started, money spent on training, wall seconds since the start. */
  record Budget(Integer maxJobs, Double maxCost, Double maxWallSeconds) {}

  /** What was used: jobs started, training cost, wall seconds since the start. */
  record Spent(int jobs, double cost, double wallSeconds) {}

  /** A figure and whether it was {@code measured} or {@code estimated}. */
  record Value(double value, String source) {}

  /**
   * One candidate's row.
   *
   * @param index its position in the request's candidates (0-based)
   * @param family its family
   * @param model the registered model it trains a version of
   * @param state pending, queued, running, succeeded, failed, cancelled or skipped
   * @param jobId its training job, once submitted
   * @param version the version it registered, once succeeded
   * @param error why it failed or was stopped
   * @param quality the metric on the held-out rows
   * @param trainingSeconds the job's wall time
   * @param trainingCost the job's cost (CPU and memory, as the capacity report prices it)
   * @param costPerMillionPredictions serving a million single-row predictions on one core
   * @param p50Ms median time of one single-row prediction
   * @param p99Ms 99th percentile of it
   * @param modelBytes the size of its model file
   * @param pareto whether it is on the Pareto front of quality against serving cost
   * @param recommended whether it is the recommendation
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Candidate(
      int index,
      String family,
      String model,
      String state,
      String jobId,
      Integer version,
      String error,
      Double quality,
      Double trainingSeconds,
      Double trainingCost,
      Value costPerMillionPredictions,
      Value p50Ms,
      Value p99Ms,
      Long modelBytes,
      boolean pareto,
      boolean recommended) {}

  /** The recommended candidate, by index and model, and the reason in words. */
  record Recommendation(int index, String model, String reason) {}
}

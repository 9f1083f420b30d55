package dev.maas.capacity;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The answer of {@code GET /api/v1/capacity}.
 *
 * @param currency the currency of every cost
 * @param prices the prices used ({@code maas.cost.*})
 * @param replica the replica the throughput and replica counts are for
 * @param target the target rate and p99 bound, when asked
 * @param models one entry per model version that trained or served, this page of them
 * @param offset the page's first entry
 * @param limit the page's size
 * @param total entries on every page
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record CapacityAnswer(
    String currency,
    PriceList prices,
    Replica replica,
    Target target,
    List<VersionCapacity> models,
    int offset,
    int limit,
    int total) {

  record PriceList(double cpuCoreHour, double memoryGibHour, double storageGibMonth) {}

  /**
   * @param cores CPU cores of one replica
   * @param coresFrom {@code maas.capacity.replica-cpus} or {@code Runtime.availableProcessors}
   */
  record Replica(int cores, String coresFrom) {}

  record Target(double rps, double p99Ms) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record VersionCapacity(
      String model,
      int version,
      String family,
      Figure parameters,
      Figure flopsPerPrediction,
      Figure modelMemoryBytes,
      Figure artifactBytes,
      Figure requests,
      Figure rows,
      Figure serverErrorRate,
      Figure latencyP50Ms,
      Figure latencyP99Ms,
      Figure computeSecondsPerRow,
      Figure rowsPerRequest,
      Figure throughputRowsPerSecond,
      Figure throughputRequestsPerSecond,
      Training training,
      Figure costPerMillionPredictions,
      Batch batch,
      Figure storageCostPerMonth,
      Replicas replicas) {}

  /** The training job that produced the version, and its cost. */
  record Training(
      String jobId, Figure wallSeconds, Figure cpuSeconds, Figure peakNativeBytes, Figure cost) {}

  /**
   * Scoring by prediction jobs, next to the online cost.
   *
   * @param from {@code prediction_jobs} when measured from the rows this version's jobs scored,
   *     else {@code online_compute}: estimated from the online compute time per row
   * @param rows rows this version's prediction jobs scored, when any
   * @param cpuSecondsPerRow the workers' CPU seconds per row (reading, predicting, writing)
   * @param wallSecondsPerRow the workers' wall seconds per row
   * @param costPerMillionRows the CPU of a million rows, and the model's memory held for their wall
   *     time
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Batch(
      String from,
      Figure rows,
      Figure cpuSecondsPerRow,
      Figure wallSecondsPerRow,
      Figure costPerMillionRows) {
    static final String PREDICTION_JOBS = "prediction_jobs";
    static final String ONLINE_COMPUTE = "online_compute";
  }

  /**
   * Replicas for the target.
   *
   * @param needed the fewest replicas that keep p99 within the bound, or null when none can
   * @param utilisation each replica's CPU utilisation at the target with that many replicas
   * @param p99Ms the p99 latency the queueing model predicts with that many replicas
   * @param note why no count could be given, or what it rests on
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Replicas(Figure needed, Figure utilisation, Figure p99Ms, String note) {}
}

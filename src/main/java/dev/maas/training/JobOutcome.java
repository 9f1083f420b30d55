package dev.maas.training;

import java.util.Map;

/**
 * What a feature outside training sees of one job (comparisons submit and watch ordinary jobs).
 *
 * @param id the job's id
 * @param state queued, running, succeeded, failed or cancelled
 * @param finished whether the state is final
 * @param model the registered model it trains a version of
 * @param version the version it registered, once succeeded
 * @param metrics its evaluation on the held-out rows, once succeeded (null without held-out rows)
 * @param error why it failed, or null
 * @param wallSeconds its wall time so far (0 while queued)
 * @param cpuSeconds its training thread's CPU time so far
 * @param peakNativeBytes the highest off-heap memory counted while it ran
 */
public record JobOutcome(
    String id,
    String state,
    boolean finished,
    String model,
    Integer version,
    Map<String, Object> metrics,
    String error,
    double wallSeconds,
    double cpuSeconds,
    long peakNativeBytes) {

  static JobOutcome of(JobView v) {
    JobView.Usage u = v.usage();
    return new JobOutcome(
        v.id(),
        v.state().wireName(),
        v.state().finished(),
        v.model(),
        v.modelVersion() == null ? null : v.modelVersion().version(),
        v.metrics(),
        v.error(),
        u == null ? 0 : u.wallSeconds(),
        u == null ? 0 : u.cpuSeconds(),
        u == null ? 0 : u.peakNativeBytes());
  }
}

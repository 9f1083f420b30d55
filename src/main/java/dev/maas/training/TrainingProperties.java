package dev.maas.training;

import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code maas.training.*}: the training job queue and its workers.
 *
 * @param workers jobs trained at the same time, each on its own thread. ND4J runs one OpenMP thread
 *     ({@code OMP_NUM_THREADS=1}), so a job keeps one core busy, not all of them: the default
 *     leaves the other cores of a small machine to serving
 * @param queueCapacity jobs that may wait for a worker; a submission beyond it is refused as busy,
 *     with a retry hint
 * @param wallClockLimit the longest a job may train before it fails with that reason (0: no limit)
 * @param maxEpochRows the most epochs x training rows a job may run; the rows are known only once
 *     the job reads its dataset, so a larger job is accepted and then fails with an error naming
 *     this limit
 * @param maxJobsPerKey the most queued and running jobs one API key may have; one more is refused
 *     as busy, with a retry hint (not applied when security is disabled)
 * @param checkpointInterval how often a running job writes a checkpoint, at the first epoch
 *     boundary after the interval (0 turns checkpoints off): a job interrupted by a restart resumes
 *     from its latest checkpoint
 * @param maxAttempts how many times in a row the server's process may stop while a job runs without
 *     the job writing a new checkpoint in between before the job is failed
 */
@ConfigurationProperties("maas.training")
@Validated
public record TrainingProperties(
    @DefaultValue("1") @Min(1) int workers,
    @DefaultValue("16") @Min(1) int queueCapacity,
    @DefaultValue("0s") Duration wallClockLimit,
    @DefaultValue("1000000000") @Min(1) long maxEpochRows,
    @DefaultValue("4") @Min(1) int maxJobsPerKey,
    @DefaultValue("30s") Duration checkpointInterval,
    @DefaultValue("3") @Min(1) int maxAttempts) {
  public TrainingProperties {
    if (wallClockLimit.isNegative()) {
      throw new IllegalArgumentException("maas.training.wall-clock-limit must not be negative");
    }
    if (checkpointInterval.isNegative()) {
      throw new IllegalArgumentException("maas.training.checkpoint-interval must not be negative");
    }
  }
}

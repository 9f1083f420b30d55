package dev.maas.batch;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code maas.prediction-jobs.*}: the prediction job queue and its workers, apart from training's,
 * so that a long training job does not hold up scoring.
 *
 * @param workers jobs scored at the same time, each on its own thread
 * @param queueCapacity jobs that may wait for a worker; a submission beyond it is refused as busy,
 *     with a retry hint
 * @param chunkRows rows read and predicted in one batched call at a time
 * @param commitRows rows scored between two commits: a job writes its predictions durably (one
 *     fsynced file) once it has scored at least this many rows since the last commit, and at its
 *     end; a job that a restart interrupts continues after its last commit. Fewer commits cost
 *     fewer fsyncs, more rows to score again after a restart, and more memory held (the uncommitted
 *     predictions)
 */
@ConfigurationProperties("maas.prediction-jobs")
@Validated
public record PredictionJobProperties(
    @DefaultValue("1") @Min(1) int workers,
    @DefaultValue("16") @Min(1) int queueCapacity,
    @DefaultValue("8192") @Min(1) @Max(1048576) int chunkRows,
    @DefaultValue("65536") @Min(1) @Max(1048576) int commitRows) {}

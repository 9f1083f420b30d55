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
 * @param chunkRows rows read, predicted in one batched call and committed at a time; a job that a
 *     restart interrupts continues after its last committed chunk
 */
@ConfigurationProperties("maas.prediction-jobs")
@Validated
public record PredictionJobProperties(
    @DefaultValue("1") @Min(1) int workers,
    @DefaultValue("16") @Min(1) int queueCapacity,
    @DefaultValue("8192") @Min(1) @Max(1048576) int chunkRows) {}

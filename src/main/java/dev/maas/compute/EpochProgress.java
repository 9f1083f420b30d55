package dev.maas.compute;

import java.time.Duration;

/**
 * One point of the learning curve.
 *
 * @param epoch 1-based epoch just finished
 * @param epochs epochs requested
 * @param trainLoss mean loss over the training rows after this epoch, in inference mode
 * @param validationLoss mean loss over the validation rows, or NaN without a validation split
 * @param elapsed time since training started
 */
public record EpochProgress(
    int epoch, int epochs, double trainLoss, double validationLoss, Duration elapsed) {}

package dev.maas.compute;

import java.time.Duration;

/**
 * One point of the learning curve.
 *
 * @param epoch 1-based epoch just finished
 * @param epochs epochs requested
 * @param trainLoss mean loss over the training rows during this epoch: each gradient step's loss
 *     from its own forward pass (training mode, dropout applied), weighted by its rows; for an
 *     exact solver, the fitted model's mean loss over the training rows
 * @param validationLoss mean loss over the validation rows after this epoch, in inference mode, or
 *     NaN without a validation split
 * @param elapsed time since training started
 */
public record EpochProgress(
    int epoch, int epochs, double trainLoss, double validationLoss, Duration elapsed) {}

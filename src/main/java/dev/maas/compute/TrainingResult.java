package dev.maas.compute;

import java.util.List;

/**
 * What a training run produced.
 *
 * @param model the trained model, with its test metrics when test rows were given
 * @param learningCurve one point per epoch run
 * @param bestEpoch the epoch whose weights the model has (the last one unless early stopping
 *     restored the best)
 * @param stoppedEarly whether early stopping ended training before the last epoch
 */
public record TrainingResult(
    TrainedModel model, List<EpochProgress> learningCurve, int bestEpoch, boolean stoppedEarly) {
  public TrainingResult {
    learningCurve = List.copyOf(learningCurve);
  }
}

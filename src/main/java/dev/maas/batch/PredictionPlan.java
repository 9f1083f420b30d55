package dev.maas.batch;

import java.util.List;

/**
 * A validated prediction job: the model version it was resolved to, the input dataset, the columns
 * passed through and the prediction columns wanted.
 */
record PredictionPlan(
    String model, int version, String dataset, List<String> passThrough, PredictionOutput output) {
  PredictionPlan {
    passThrough = List.copyOf(passThrough);
  }
}

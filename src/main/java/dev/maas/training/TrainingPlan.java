package dev.maas.training;

import dev.maas.compute.ModelSpec;
import dev.maas.compute.Preprocessor;
import dev.maas.compute.Task;
import dev.maas.compute.TrainingParams;
import java.util.List;

/**
 * A validated training request, ready to run.
 *
 * @param model the registered model name the new version goes to
 * @param spec the model spec
 * @param params the training parameters
 * @param dataset the training dataset's id
 * @param testDataset the held-out dataset's id, or null to split {@code testFraction} off
 * @param target the target column
 * @param features the feature columns, in order
 * @param inputShape the shape each row's features are reshaped to, row-major
 * @param task regression or classification
 * @param testFraction the seeded fraction of rows held out when there is no test dataset
 * @param alias the alias moved to the new version on success, or null
 * @param preprocessing how raw table rows are prepared for a feature-vector family, fitted on the
 *     training rows when the job runs; null for cnn and rnn, which take numbers as they are
 */
record TrainingPlan(
    String model,
    ModelSpec spec,
    TrainingParams params,
    String dataset,
    String testDataset,
    String target,
    List<String> features,
    int[] inputShape,
    Task task,
    double testFraction,
    String alias,
    Preprocessor.Options preprocessing) {

  /** How the held-out rows were chosen, for the lineage. */
  String split() {
    return testDataset != null ? "testDataset=" + testDataset : "testFraction=" + testFraction;
  }

  /** Rows held out of {@code rows} when splitting by fraction. */
  static int testRows(int rows, double fraction) {
    return fraction <= 0 ? 0 : (int) Math.round(rows * fraction);
  }
}

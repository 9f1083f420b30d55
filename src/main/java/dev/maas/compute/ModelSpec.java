package dev.maas.compute;

/**
 * The architecture of a model: one record per family. A spec with training parameters, a task and
 * an input shape fixes everything a trainer builds.
 */
public sealed interface ModelSpec
    permits LinearRegressionSpec, LogisticRegressionSpec, MlpSpec, CnnSpec, RnnSpec {

  /** The family this spec describes. */
  Family family();

  /**
   * Checks this spec against a task and the shape of one input example, adding each problem to
   * {@code problems} with a field path under {@code "spec"}.
   */
  void validate(Task task, int[] inputShape, Problems problems);
}

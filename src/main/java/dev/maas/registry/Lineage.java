package dev.maas.registry;

/**
 * Where a version came from: the data it was trained on and the job that trained it. Every field
 * may be null for an imported model.
 *
 * @param datasetId the training dataset's id
 * @param datasetSha256 the training dataset's fingerprint
 * @param split how the held-out rows were chosen, e.g. {@code "testFraction=0.2"} or a test
 *     dataset's id
 * @param seed the training seed
 * @param trainingJobId the job that produced the version
 */
public record Lineage(
    String datasetId, String datasetSha256, String split, Long seed, String trainingJobId) {

  /** The lineage of a model imported from a file: nothing known. */
  public static Lineage imported() {
    return new Lineage(null, null, null, null, null);
  }
}

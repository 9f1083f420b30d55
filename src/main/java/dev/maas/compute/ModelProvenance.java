package dev.maas.compute;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * Where a model came from, carried inside its file (the manifest's optional {@code provenance}) so
 * that an exported and re-imported model keeps its lineage. Every field may be null (empty for
 * {@code software}): a file records what its writer knew.
 *
 * @param trainingJob the id of the training job that produced the model
 * @param datasetId the training dataset's id
 * @param datasetSha256 the training dataset's fingerprint (SHA-256 of its data file, hex)
 * @param split how the held-out rows were chosen, e.g. {@code "testFraction=0.2"} or {@code
 *     "testDataset=ds-..."}
 * @param seed the training seed
 * @param training the training settings as submitted (a JSON object)
 * @param software the software and machine that trained it, e.g. {@code maas}, {@code nd4j}, {@code
 *     jvm}, {@code os}, {@code arch}, in key order
 */
public record ModelProvenance(
    String trainingJob,
    String datasetId,
    String datasetSha256,
    String split,
    Long seed,
    JsonNode training,
    Map<String, String> software) {

  public ModelProvenance {
    training = training == null || training.isNull() ? null : training.deepCopy();
    software =
        software == null || software.isEmpty()
            ? Map.of()
            : Collections.unmodifiableSortedMap(new TreeMap<>(Map.copyOf(software)));
  }
}

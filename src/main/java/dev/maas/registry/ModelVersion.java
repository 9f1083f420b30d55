package dev.maas.registry;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * One immutable version of a registered model. Only its description and tags may change after it is
 * written; the artifact and everything about its training never do.
 *
 * @param name the registered model's name
 * @param version the version number, from 1
 * @param family the model family's wire name
 * @param task regression or classification
 * @param spec the spec in the API's canonical JSON shape
 * @param preprocessing what the model does to a raw table row before its network (the model file's
 *     {@code preprocessing} block: each input column's kind, strategy and levels kept), or null for
 *     a model that takes its input values as they are
 * @param training the training parameters as submitted, or null for an imported model whose file
 *     records none
 * @param metrics test metrics, or null
 * @param learningCurve per-epoch losses, or empty
 * @param lineage where it came from
 * @param provenance the software and machine that registered it
 * @param artifactSize size of the model file in bytes
 * @param artifactSha256 SHA-256 of the model file, lower-case hex
 * @param status READY, or CORRUPT when the artifact or metadata fails its checks
 * @param createdAt when it was registered
 * @param tags key-value labels, in key order
 * @param description free text
 */
public record ModelVersion(
    String name,
    int version,
    String family,
    String task,
    JsonNode spec,
    JsonNode preprocessing,
    JsonNode training,
    Map<String, Object> metrics,
    List<Map<String, Object>> learningCurve,
    Lineage lineage,
    Provenance provenance,
    long artifactSize,
    String artifactSha256,
    VersionStatus status,
    Instant createdAt,
    Map<String, String> tags,
    String description) {

  public ModelVersion {
    tags = RegisteredModel.sorted(tags);
    learningCurve = learningCurve == null ? List.of() : List.copyOf(learningCurve);
  }

  /** This version with another status. */
  public ModelVersion withStatus(VersionStatus value) {
    return new ModelVersion(
        name,
        version,
        family,
        task,
        spec,
        preprocessing,
        training,
        metrics,
        learningCurve,
        lineage,
        provenance,
        artifactSize,
        artifactSha256,
        value,
        createdAt,
        tags,
        description);
  }

  /** This version with another description and tags. */
  public ModelVersion withLabels(String newDescription, Map<String, String> newTags) {
    return new ModelVersion(
        name,
        version,
        family,
        task,
        spec,
        preprocessing,
        training,
        metrics,
        learningCurve,
        lineage,
        provenance,
        artifactSize,
        artifactSha256,
        status,
        createdAt,
        newTags,
        newDescription);
  }
}

package dev.maas.registry;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What a registration supplies besides the artifact; the store adds the number, size, SHA-256,
 * provenance, status and time. {@code registeringJob} is the training job that registers (null for
 * an import): a store registers once per job and gives a job that asks again its earlier version.
 */
public record VersionDraft(
    String family,
    String task,
    JsonNode spec,
    JsonNode preprocessing,
    JsonNode training,
    Map<String, Object> metrics,
    List<Map<String, Object>> learningCurve,
    Lineage lineage,
    String description,
    Map<String, String> tags,
    String registeringJob) {

  /** The registered, ready version this draft becomes as number {@code number} of {@code name}. */
  ModelVersion ready(
      String name, int number, Provenance provenance, long size, String sha256, Instant now) {
    return new ModelVersion(
        name,
        number,
        family,
        task,
        spec,
        preprocessing,
        training,
        metrics,
        learningCurve,
        lineage,
        provenance,
        size,
        sha256,
        VersionStatus.READY,
        now,
        tags,
        description);
  }
}

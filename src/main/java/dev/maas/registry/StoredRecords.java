package dev.maas.registry;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The file registry's on-disk records ({@code model.json}, {@code version.json}), kept apart from
 * the API's {@link RegisteredModel} and {@link ModelVersion} so that the API can change without
 * changing the files, and the files without changing the API. Each carries its {@code schema} (now
 * 1); a file without one was written before the field existed and is schema 1, whose fields are the
 * same. A newer schema is refused as unreadable rather than misread.
 */
final class StoredRecords {
  /** The schema this code writes and reads. */
  static final int SCHEMA = 1;

  private StoredRecords() {}

  /** {@code model.json}. */
  record StoredModel(
      Integer schema,
      String name,
      String description,
      Map<String, String> tags,
      Map<String, Integer> aliases,
      Instant createdAt,
      Instant updatedAt,
      int latestVersion) {

    static StoredModel of(RegisteredModel m) {
      return new StoredModel(
          SCHEMA,
          m.name(),
          m.description(),
          m.tags(),
          m.aliases(),
          m.createdAt(),
          m.updatedAt(),
          m.latestVersion());
    }

    RegisteredModel toModel() {
      check(schema);
      return new RegisteredModel(
          name, description, tags, aliases, createdAt, updatedAt, latestVersion);
    }
  }

  /** {@code version.json}. */
  record StoredVersion(
      Integer schema,
      String name,
      int version,
      String family,
      String task,
      JsonNode spec,
      JsonNode preprocessing,
      JsonNode training,
      Map<String, Object> metrics,
      List<Map<String, Object>> learningCurve,
      StoredLineage lineage,
      StoredSoftware provenance,
      long artifactSize,
      String artifactSha256,
      String status,
      Instant createdAt,
      Map<String, String> tags,
      String description) {

    static StoredVersion of(ModelVersion v) {
      Lineage l = v.lineage();
      Provenance p = v.provenance();
      return new StoredVersion(
          SCHEMA,
          v.name(),
          v.version(),
          v.family(),
          v.task(),
          v.spec(),
          v.preprocessing(),
          v.training(),
          v.metrics(),
          v.learningCurve(),
          l == null
              ? null
              : new StoredLineage(
                  l.datasetId(), l.datasetSha256(), l.split(), l.seed(), l.trainingJobId()),
          p == null
              ? null
              : new StoredSoftware(p.maasVersion(), p.nd4jVersion(), p.jvm(), p.os(), p.arch()),
          v.artifactSize(),
          v.artifactSha256(),
          v.status() == null ? null : v.status().wireName(),
          v.createdAt(),
          v.tags(),
          v.description());
    }

    ModelVersion toVersion() {
      check(schema);
      VersionStatus read = VersionStatus.READY;
      for (VersionStatus s : VersionStatus.values()) {
        if (s.wireName().equals(status)) {
          read = s;
        }
      }
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
          lineage == null
              ? null
              : new Lineage(
                  lineage.datasetId(),
                  lineage.datasetSha256(),
                  lineage.split(),
                  lineage.seed(),
                  lineage.trainingJobId()),
          provenance == null
              ? null
              : new Provenance(
                  provenance.maasVersion(),
                  provenance.nd4jVersion(),
                  provenance.jvm(),
                  provenance.os(),
                  provenance.arch()),
          artifactSize,
          artifactSha256,
          read,
          createdAt,
          tags,
          description);
    }
  }

  /** Where a version came from (the API's {@link Lineage}). */
  record StoredLineage(
      String datasetId, String datasetSha256, String split, Long seed, String trainingJobId) {}

  /** What registered a version (the API's {@link Provenance}). */
  record StoredSoftware(
      String maasVersion, String nd4jVersion, String jvm, String os, String arch) {}

  private static void check(Integer schema) {
    if (schema != null && schema != SCHEMA) {
      throw new IllegalArgumentException(
          "schema " + schema + " is not " + SCHEMA + ": written by another maas version");
    }
  }
}

package dev.maas.registry;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What a registration supplies besides the artifact; the store adds the number, size, SHA-256,
 * provenance, status and time.
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
    Map<String, String> tags) {}

package dev.maas.training;

import dev.maas.dataset.Dataset;
import dev.maas.dataset.Datasets;
import dev.maas.errors.InvalidException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A training request may carry a small dataset inline instead of a dataset id: {@code "dataset":
 * {"columns": [...], "rows": [[...], ...]}} (or a list of records), and likewise {@code
 * testDataset}. It is stored as an ordinary dataset first and the request rewritten to its id, so
 * the job, its record and its lineage name a dataset like any other.
 */
final class InlineDatasets {
  /** Largest inline table, as JSON text; larger data is uploaded to /api/v1/datasets first. */
  static final int MAX_INLINE_BYTES = 1 << 20;

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final Datasets datasets;

  InlineDatasets(Datasets datasets) {
    this.datasets = datasets;
  }

  /** The request with inline datasets stored and replaced by ids, and the ids it stored. */
  record Stored(JsonNode body, List<String> created) {}

  Stored store(JsonNode body) {
    if (body == null || !body.isObject()) {
      return new Stored(body, List.of());
    }
    ObjectNode rewritten = null;
    List<String> created = new ArrayList<>();
    try {
      for (String field : new String[] {"dataset", "testDataset"}) {
        JsonNode value = body.get(field);
        if (value == null || !(value.isObject() || value.isArray())) {
          continue;
        }
        byte[] table = JSON.writeValueAsBytes(value);
        if (table.length > MAX_INLINE_BYTES) {
          throw new InvalidException(
              field
                  + ": an inline dataset may hold at most "
                  + MAX_INLINE_BYTES
                  + " bytes of JSON; upload larger data to /api/v1/datasets");
        }
        String model = body.path("model").isString() ? body.get("model").asString() : "job";
        Dataset stored = datasets.storeInline(model + " (" + field + ", inline)", table);
        created.add(stored.id());
        if (rewritten == null) {
          rewritten = ((ObjectNode) body).deepCopy();
        }
        rewritten.put(field, stored.id());
      }
    } catch (RuntimeException e) {
      discard(created);
      throw e;
    }
    return new Stored(rewritten == null ? body : rewritten, created);
  }

  /** Removes what {@link #store} stored, when the request is refused afterwards. */
  void discard(List<String> ids) {
    ids.forEach(datasets::discardInline);
  }
}

package dev.maas.batch;

import dev.maas.dataset.Dataset;
import dev.maas.dataset.Datasets;
import dev.maas.errors.DomainException;
import dev.maas.errors.InvalidException;
import dev.maas.registry.ModelVersion;
import dev.maas.serving.ScoringModels;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Turns a {@code POST /api/v1/prediction-jobs} body into a {@link PredictionPlan}, or one {@link
 * InvalidException} listing every problem: fields, the model and version, the dataset, the columns
 * the model takes that the dataset lacks, and pass-through columns.
 */
final class PredictionRequests {
  private static final Set<String> FIELDS =
      Set.of("model", "version", "alias", "dataset", "passThrough", "output");

  private final Datasets datasets;
  private final ScoringModels models;

  PredictionRequests(Datasets datasets, ScoringModels models) {
    this.datasets = datasets;
    this.models = models;
  }

  /** What {@link #parse} found: the plan and the input dataset's rows. */
  record Parsed(PredictionPlan plan, Dataset dataset) {}

  Parsed parse(JsonNode body) {
    List<String> problems = new ArrayList<>();
    if (body == null || !body.isObject()) {
      throw InvalidException.listing("the body must be a JSON object");
    }
    for (String name : body.propertyNames()) {
      if (!FIELDS.contains(name)) {
        problems.add("'" + name + "' is not a field of a prediction job");
      }
    }
    String model = text(body, "model", true, problems);
    String alias = text(body, "alias", false, problems);
    String datasetId = text(body, "dataset", true, problems);
    Integer version = null;
    JsonNode v = body.get("version");
    if (v != null && !v.isNull()) {
      if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
        problems.add("'version' must be a whole number from 1");
      } else {
        version = v.asInt();
      }
    }
    if (version != null && alias != null) {
      problems.add("give 'version' or 'alias', not both");
    }
    PredictionOutput output = PredictionOutput.LABELS;
    JsonNode o = body.get("output");
    if (o != null && !o.isNull()) {
      try {
        output = PredictionOutput.of(o.isString() ? o.asString() : o.toString());
      } catch (IllegalArgumentException e) {
        problems.add("'output' must be labels, probabilities or both, not " + o);
      }
    }
    List<String> passThrough = new ArrayList<>();
    JsonNode pt = body.get("passThrough");
    if (pt != null && !pt.isNull()) {
      if (!pt.isArray()) {
        problems.add("'passThrough' must be a list of column names");
      } else {
        Set<String> seen = new HashSet<>();
        for (JsonNode c : pt) {
          if (!c.isString() || c.asString().isBlank()) {
            problems.add("'passThrough' must hold column names, not " + c);
          } else if (!seen.add(c.asString())) {
            problems.add("'passThrough' names '" + c.asString() + "' twice");
          } else {
            passThrough.add(c.asString());
          }
        }
      }
    }
    Optional<Dataset> dataset = Optional.empty();
    if (datasetId != null) {
      dataset = datasets.find(datasetId);
      if (dataset.isEmpty()) {
        problems.add("dataset: '" + datasetId + "' does not exist");
      }
    }
    ModelVersion resolved = null;
    if (model != null && (version == null || alias == null)) {
      try {
        resolved = models.resolve(model, version, alias);
      } catch (DomainException e) {
        problems.add("model: " + e.getMessage());
      }
    }
    if (dataset.isPresent()) {
      Dataset d = dataset.get();
      List<String> absent =
          passThrough.stream().filter(c -> d.column(c) == null).map(c -> "'" + c + "'").toList();
      if (!absent.isEmpty()) {
        problems.add(
            "passThrough: dataset "
                + d.id()
                + " has no column"
                + (absent.size() == 1 ? " " : "s ")
                + String.join(", ", absent));
      }
      if (resolved != null) {
        try (ScoringModels.Held held = models.hold(resolved)) {
          ScoringLayout layout = new ScoringLayout(held.model(), output);
          problems.addAll(layout.problems(d));
          for (Dataset.Column c : layout.columns()) {
            if (passThrough.contains(c.name())) {
              problems.add(
                  "passThrough: column '"
                      + c.name()
                      + "' has the name of a prediction column; the result cannot hold both");
            }
          }
        } catch (DomainException e) {
          problems.add("model: " + e.getMessage());
        }
      }
    }
    if (!problems.isEmpty()) {
      throw InvalidException.listing(problems);
    }
    return new Parsed(
        new PredictionPlan(model, resolved.version(), datasetId, passThrough, output),
        dataset.orElseThrow());
  }

  private static String text(JsonNode body, String field, boolean required, List<String> problems) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        problems.add("'" + field + "' is required");
      }
      return null;
    }
    if (!n.isString() || n.asString().isBlank()) {
      problems.add("'" + field + "' must be a non-empty string");
      return null;
    }
    return n.asString();
  }
}

package dev.maas.compute;

import static dev.maas.compute.JsonFields.invalid;
import static dev.maas.compute.JsonFields.string;

import dev.maas.compute.Preprocessor.Categorical;
import dev.maas.compute.Preprocessor.Dropped;
import dev.maas.compute.Preprocessor.Impute;
import dev.maas.compute.Preprocessor.Numeric;
import dev.maas.compute.Preprocessor.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The manifest's {@code preprocessing} block: {@code {"columns": [step, ...]}}, one step per input
 * column in input order, each {@code {"name", "kind": "number", "impute", "fill", "indicator"}},
 * {@code {"name", "kind": "category", "levels", "other", "missing"}} or {@code {"name", "kind":
 * "dropped", "reason"}}. Read as strictly as the rest of the manifest.
 */
final class PreprocessorJson {
  private static final Set<String> ROOT = Set.of("columns");
  private static final Set<String> NUMBER = Set.of("name", "kind", "impute", "fill", "indicator");
  private static final Set<String> CATEGORY = Set.of("name", "kind", "levels", "other", "missing");
  private static final Set<String> DROPPED = Set.of("name", "kind", "reason");
  private static final Set<String> ANY =
      Set.of("name", "kind", "impute", "fill", "indicator", "levels", "other", "missing", "reason");

  private PreprocessorJson() {}

  static ObjectNode write(Preprocessor p) {
    ObjectNode root = SpecJson.MAPPER.createObjectNode();
    ArrayNode columns = root.putArray("columns");
    for (Step step : p.steps()) {
      ObjectNode s = columns.addObject();
      s.put("name", step.column());
      if (step instanceof Numeric n) {
        s.put("kind", "number");
        s.put("impute", n.impute().wireName());
        s.put("fill", n.fill());
        s.put("indicator", n.indicator());
      } else if (step instanceof Categorical c) {
        s.put("kind", "category");
        ArrayNode levels = s.putArray("levels");
        c.levels().forEach(levels::add);
        s.put("other", c.other());
        s.put("missing", c.missing());
      } else if (step instanceof Dropped d) {
        s.put("kind", "dropped");
        s.put("reason", d.reason());
      }
    }
    return root;
  }

  static Preprocessor read(JsonNode node) throws ModelFormatException {
    JsonFields.object(node, "preprocessing", ROOT, ROOT);
    JsonNode columns = JsonFields.array(node.get("columns"), "preprocessing.columns");
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      String path = "preprocessing.columns[" + i + "]";
      JsonNode s = JsonFields.object(columns.get(i), path, ANY, Set.of("name", "kind"));
      String name = string(s.get("name"), path + ".name");
      String kind = string(s.get("kind"), path + ".kind");
      switch (kind) {
        case "number" -> {
          JsonFields.object(s, path, NUMBER, NUMBER);
          Impute impute = Impute.of(string(s.get("impute"), path + ".impute"));
          if (impute == null) {
            throw invalid(path + ".impute", "must be median, mean or constant");
          }
          steps.add(
              new Numeric(
                  name,
                  impute,
                  JsonFields.finite(s.get("fill"), path + ".fill"),
                  bool(s.get("indicator"), path + ".indicator")));
        }
        case "category" -> {
          JsonFields.object(s, path, CATEGORY, CATEGORY);
          List<String> levels = JsonFields.strings(s.get("levels"), path + ".levels");
          if (levels.size() != Set.copyOf(levels).size()) {
            throw invalid(path + ".levels", "must be distinct");
          }
          steps.add(
              new Categorical(
                  name,
                  levels,
                  bool(s.get("other"), path + ".other"),
                  bool(s.get("missing"), path + ".missing")));
        }
        case "dropped" -> {
          JsonFields.object(s, path, DROPPED, DROPPED);
          steps.add(new Dropped(name, string(s.get("reason"), path + ".reason")));
        }
        default -> throw invalid(path + ".kind", "must be number, category or dropped");
      }
    }
    try {
      return Preprocessor.of(steps);
    } catch (IllegalArgumentException e) {
      throw invalid("preprocessing", e.getMessage());
    }
  }

  private static boolean bool(JsonNode node, String path) throws ModelFormatException {
    if (node == null || !node.isBoolean()) {
      throw invalid(path, "must be true or false");
    }
    return node.booleanValue();
  }
}

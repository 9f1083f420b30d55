package dev.maas.training;

import dev.maas.compute.Problems;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * A lenient reader of one JSON object of a request: absent or null fields take defaults, and every
 * wrong field (unknown, of the wrong type, out of the enum) is added to the problems instead of
 * stopping at the first.
 */
final class Fields {
  private final JsonNode node;
  private final String prefix;
  private final Problems problems;

  /**
   * @param node the object, or null when it is absent (every field then takes its default)
   * @param prefix the object's path with a trailing dot, e.g. {@code "training."}, or empty
   * @param known the field names the object may have
   */
  Fields(JsonNode node, String prefix, Problems problems, Set<String> known) {
    this.prefix = prefix;
    this.problems = problems;
    if (node != null && !node.isNull() && !node.isObject()) {
      problems.add(prefix.isEmpty() ? "body" : trim(prefix), "must be a JSON object");
      node = null;
    }
    this.node = node == null || node.isNull() ? null : node;
    if (this.node != null) {
      for (Map.Entry<String, JsonNode> e : this.node.properties()) {
        if (!known.contains(e.getKey())) {
          problems.add(prefix + e.getKey(), "is not a known field");
        }
      }
    }
  }

  private static String trim(String prefix) {
    return prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
  }

  /** The field, or null when absent or null. */
  JsonNode get(String name) {
    if (node == null) {
      return null;
    }
    JsonNode v = node.get(name);
    return v == null || v.isNull() ? null : v;
  }

  boolean has(String name) {
    return get(name) != null;
  }

  String field(String name) {
    return prefix + name;
  }

  String text(String name, String fallback) {
    JsonNode v = get(name);
    if (v == null) {
      return fallback;
    }
    if (!v.isString()) {
      problems.add(field(name), "must be a string");
      return fallback;
    }
    return v.asString();
  }

  int integer(String name, int fallback) {
    JsonNode v = get(name);
    if (v == null) {
      return fallback;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      problems.add(field(name), "must be an integer, was " + v);
      return fallback;
    }
    return v.intValue();
  }

  long longInteger(String name, long fallback) {
    JsonNode v = get(name);
    if (v == null) {
      return fallback;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      problems.add(field(name), "must be an integer, was " + v);
      return fallback;
    }
    return v.longValue();
  }

  double number(String name, double fallback) {
    JsonNode v = get(name);
    if (v == null) {
      return fallback;
    }
    if (!v.isNumber()) {
      problems.add(field(name), "must be a number, was " + v);
      return fallback;
    }
    return v.doubleValue();
  }

  boolean bool(String name, boolean fallback) {
    JsonNode v = get(name);
    if (v == null) {
      return fallback;
    }
    if (!v.isBoolean()) {
      problems.add(field(name), "must be true or false, was " + v);
      return fallback;
    }
    return v.booleanValue();
  }

  /** An enum given by its wire name. */
  <E extends Enum<E>> E choice(String name, E[] values, Function<E, String> wire, E fallback) {
    String text = text(name, null);
    if (text == null) {
      return fallback;
    }
    for (E e : values) {
      if (wire.apply(e).equals(text)) {
        return e;
      }
    }
    problems.add(
        field(name),
        "must be one of " + Arrays.stream(values).map(wire).toList() + ", was '" + text + "'");
    return fallback;
  }

  /** The elements of an array field, or null when absent. */
  List<JsonNode> array(String name) {
    JsonNode v = get(name);
    if (v == null) {
      return null;
    }
    if (!v.isArray()) {
      problems.add(field(name), "must be an array");
      return null;
    }
    List<JsonNode> out = new ArrayList<>();
    v.forEach(out::add);
    return out;
  }

  /** An array of strings, or null when absent. */
  List<String> strings(String name) {
    List<JsonNode> items = array(name);
    if (items == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      if (!items.get(i).isString()) {
        problems.add(field(name) + "[" + i + "]", "must be a string");
      } else {
        out.add(items.get(i).asString());
      }
    }
    return out;
  }

  /** An array of integers, or null when absent. */
  int[] integers(String name) {
    List<JsonNode> items = array(name);
    if (items == null) {
      return null;
    }
    int[] out = new int[items.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode item = items.get(i);
      if (!item.isIntegralNumber() || !item.canConvertToInt()) {
        problems.add(field(name) + "[" + i + "]", "must be an integer, was " + item);
      } else {
        out[i] = item.intValue();
      }
    }
    return out;
  }
}

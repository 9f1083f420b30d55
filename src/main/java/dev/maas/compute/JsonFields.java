package dev.maas.compute;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Strict, typed reads from a parsed manifest: each names the field it reads (e.g. {@code
 * inputScaler.mean[3]}) in the {@link ModelFormatException} it throws, and none coerces (an integer
 * field rejects {@code 2.0} and {@code "2"}).
 */
final class JsonFields {
  private JsonFields() {}

  /**
   * Checks that {@code node} is an object whose fields are among {@code allowed} and that it has
   * every one of {@code required}.
   */
  static JsonNode object(JsonNode node, String path, Set<String> allowed, Set<String> required)
      throws ModelFormatException {
    if (node == null || !node.isObject()) {
      throw invalid(path, "must be an object, was " + kind(node));
    }
    for (String name : node.propertyNames()) {
      if (!allowed.contains(name)) {
        throw new ModelFormatException(
            "manifest has an unknown field '" + join(path, name) + "'; expected " + allowed);
      }
    }
    for (String name : required) {
      if (!node.has(name)) {
        throw new ModelFormatException("manifest is missing the field '" + join(path, name) + "'");
      }
    }
    return node;
  }

  /** {@code parent.field}, or {@code field} at the root. */
  static String join(String parent, String field) {
    return parent.isEmpty() ? field : parent + "." + field;
  }

  static int integer(JsonNode node, String path) throws ModelFormatException {
    if (node == null || !node.isIntegralNumber() || !node.canConvertToInt()) {
      throw invalid(path, "must be a 32-bit integer, was " + kind(node));
    }
    return node.intValue();
  }

  static long longInteger(JsonNode node, String path) throws ModelFormatException {
    if (node == null || !node.isIntegralNumber() || !node.canConvertToLong()) {
      throw invalid(path, "must be a 64-bit integer, was " + kind(node));
    }
    return node.longValue();
  }

  static String string(JsonNode node, String path) throws ModelFormatException {
    if (node == null || !node.isString()) {
      throw invalid(path, "must be a string, was " + kind(node));
    }
    return node.stringValue();
  }

  /** A finite number. */
  static double finite(JsonNode node, String path) throws ModelFormatException {
    if (node == null || !node.isNumber() || !Double.isFinite(node.doubleValue())) {
      throw invalid(path, "must be a finite number, was " + kind(node));
    }
    return node.doubleValue();
  }

  /** A finite number, or one of the strings {@code NaN}, {@code Infinity}, {@code -Infinity}. */
  static double anyDouble(JsonNode node, String path) throws ModelFormatException {
    if (node != null && node.isString()) {
      switch (node.stringValue()) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
    }
    if (node == null || !node.isNumber() || !Double.isFinite(node.doubleValue())) {
      throw invalid(path, "must be a finite number or \"NaN\", \"Infinity\", \"-Infinity\"");
    }
    return node.doubleValue();
  }

  static JsonNode array(JsonNode node, String path) throws ModelFormatException {
    if (node == null || !node.isArray()) {
      throw invalid(path, "must be an array, was " + kind(node));
    }
    return node;
  }

  static int[] integers(JsonNode node, String path) throws ModelFormatException {
    array(node, path);
    int[] out = new int[node.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = integer(node.get(i), path + "[" + i + "]");
    }
    return out;
  }

  static double[] finites(JsonNode node, String path) throws ModelFormatException {
    array(node, path);
    double[] out = new double[node.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = finite(node.get(i), path + "[" + i + "]");
    }
    return out;
  }

  static List<String> strings(JsonNode node, String path) throws ModelFormatException {
    array(node, path);
    List<String> out = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      out.add(string(node.get(i), path + "[" + i + "]"));
    }
    return out;
  }

  static ModelFormatException invalid(String path, String problem) {
    return new ModelFormatException("manifest field '" + path + "' " + problem);
  }

  private static String kind(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "missing";
    }
    if (node.isNull()) {
      return "null";
    }
    if (node.isString()) {
      return "a string";
    }
    if (node.isNumber()) {
      return node.isIntegralNumber() ? "the integer " + node : "the number " + node;
    }
    return node.isArray() ? "an array" : node.isObject() ? "an object" : "a boolean";
  }
}

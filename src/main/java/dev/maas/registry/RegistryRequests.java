package dev.maas.registry;

import dev.maas.errors.InvalidException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Reads the registry's JSON request bodies strictly: unknown fields and wrong types are refused
 * with an InvalidException that names the field, so a PATCH can never seem to change what it
 * cannot.
 */
final class RegistryRequests {
  private static final Set<String> LABEL_FIELDS = Set.of("description", "tags");

  /** Bounds on labels, so that a model's metadata stays small: tags, key and text lengths. */
  static final int MAX_TAGS = 100;

  static final int MAX_TAG_KEY = 128;
  static final int MAX_TEXT = 10_000;

  private RegistryRequests() {}

  /** A PATCH of description and tags; an absent (or null) field leaves it unchanged. */
  record Labels(String description, Map<String, String> tags) {}

  static Labels labels(JsonNode body) {
    requireObject(body);
    for (String field : body.propertyNames()) {
      if (!LABEL_FIELDS.contains(field)) {
        throw new InvalidException(
            "'" + field + "' cannot be changed; only 'description' and 'tags' can");
      }
    }
    String description = null;
    JsonNode d = body.get("description");
    if (d != null && !d.isNull()) {
      if (!d.isString()) {
        throw new InvalidException("'description' must be a string");
      }
      description = d.asString();
      if (description.length() > MAX_TEXT) {
        throw new InvalidException("'description' must be at most " + MAX_TEXT + " characters");
      }
    }
    Map<String, String> tags = null;
    JsonNode t = body.get("tags");
    if (t != null && !t.isNull()) {
      if (!t.isObject()) {
        throw new InvalidException("'tags' must be an object of string values");
      }
      if (t.size() > MAX_TAGS) {
        throw new InvalidException(
            "'tags' may hold at most " + MAX_TAGS + " tags, not " + t.size());
      }
      tags = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> tag : t.properties()) {
        if (tag.getKey().isEmpty()) {
          throw new InvalidException("'tags' must not have an empty key");
        }
        if (tag.getKey().length() > MAX_TAG_KEY) {
          throw new InvalidException("a tag key must be at most " + MAX_TAG_KEY + " characters");
        }
        if (!tag.getValue().isString()) {
          throw new InvalidException("'tags." + tag.getKey() + "' must be a string");
        }
        if (tag.getValue().asString().length() > MAX_TEXT) {
          throw new InvalidException(
              "'tags." + tag.getKey() + "' must be at most " + MAX_TEXT + " characters");
        }
        tags.put(tag.getKey(), tag.getValue().asString());
      }
    }
    return new Labels(description, tags);
  }

  /** The version number of {@code {"version": N}}. */
  static int aliasTarget(JsonNode body) {
    requireObject(body);
    JsonNode v = body.get("version");
    if (v == null || v.isNull()) {
      throw new InvalidException("'version' is required: the version number the alias names");
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
      throw new InvalidException("'version' must be a version number (an integer from 1)");
    }
    for (String field : body.propertyNames()) {
      if (!field.equals("version")) {
        throw new InvalidException("unknown field '" + field + "'; only 'version' is allowed");
      }
    }
    return v.asInt();
  }

  private static void requireObject(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw new InvalidException("the request body must be a JSON object");
    }
  }
}

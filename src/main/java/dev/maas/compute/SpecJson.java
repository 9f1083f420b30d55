package dev.maas.compute;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Model specs to and from JSON in the API's canonical shape (camelCase fields, lower_snake enum
 * values), with one strict mapper that model files are read with.
 *
 * <p>Safe by construction: the family, read separately, picks the concrete record class, so nothing
 * in the JSON names a type and the mapper has no polymorphic typing to abuse. Unknown fields,
 * missing or null numbers, numbers given as strings or fractions for integers, enums given as
 * numbers and duplicate keys are all errors rather than guesses.
 */
public final class SpecJson {

  /** The strict mapper for manifests and specs; thread-safe. */
  static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(
              DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
              DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
              DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
              DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .enable(EnumFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          // Logistic regression's spec has no fields and is written as {}.
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .changeDefaultPropertyInclusion(v -> v.withValueInclusion(JsonInclude.Include.NON_NULL))
          .build();

  private SpecJson() {}

  /** The spec's fields as a JSON object; its family is not among them. */
  public static JsonNode write(ModelSpec spec) {
    return MAPPER.valueToTree(spec);
  }

  /**
   * Reads the spec of {@code family} from {@code node}.
   *
   * @param field where the spec is, for messages
   */
  public static ModelSpec read(Family family, JsonNode node, String field)
      throws ModelFormatException {
    if (node == null || !node.isObject()) {
      throw new ModelFormatException("manifest field '" + field + "' must be an object");
    }
    try {
      return MAPPER.treeToValue(node, type(family));
    } catch (JacksonException e) {
      throw new ModelFormatException(
          "manifest field '"
              + field
              + path(e)
              + "' is not a valid "
              + family
              + " spec: "
              + firstLine(e.getOriginalMessage()),
          e);
    }
  }

  /** The record class of a family's spec. */
  static Class<? extends ModelSpec> type(Family family) {
    return switch (family) {
      case LINEAR_REGRESSION -> LinearRegressionSpec.class;
      case LOGISTIC_REGRESSION -> LogisticRegressionSpec.class;
      case MLP -> MlpSpec.class;
      case CNN -> CnnSpec.class;
      case RNN -> RnnSpec.class;
    };
  }

  private static String path(JacksonException e) {
    StringBuilder out = new StringBuilder();
    for (JacksonException.Reference r : e.getPath()) {
      if (r.getPropertyName() != null) {
        out.append('.').append(r.getPropertyName());
      } else if (r.getIndex() >= 0) {
        out.append('[').append(r.getIndex()).append(']');
      }
    }
    return out.toString();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "invalid value";
    }
    int end = message.indexOf('\n');
    return end < 0 ? message : message.substring(0, end);
  }
}

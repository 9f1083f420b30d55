package dev.maas.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The contract as OpenAPI 3.0, for the request validator, whose schema checks (JSON Schema draft 4)
 * know only 3.0: {@code type: [T, 'null']} becomes {@code type: T, nullable: true}, which means the
 * same, and an array without {@code items} gets {@code items: {}} (any item), which 3.0 requires.
 * Any other 3.1-only construct is refused rather than dropped, so that nothing of the contract goes
 * unchecked in silence; extend this when the contract needs one.
 */
final class Downgrade {
  private static final Set<String> ONLY_IN_31 =
      Set.of(
          "const",
          "prefixItems",
          "$defs",
          "$schema",
          "unevaluatedProperties",
          "unevaluatedItems",
          "dependentRequired",
          "dependentSchemas",
          "contentMediaType",
          "contentEncoding",
          "if",
          "then",
          "else",
          "webhooks",
          "jsonSchemaDialect");

  private Downgrade() {}

  @SuppressWarnings("unchecked")
  static String to30(String openapi31) {
    Map<String, Object> spec = new Yaml().load(openapi31);
    if (!String.valueOf(spec.get("openapi")).startsWith("3.1")) {
      throw new IllegalStateException("openapi.yaml is expected to be OpenAPI 3.1");
    }
    walk(spec, "", false);
    spec.put("openapi", "3.0.3");
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(options).dump(spec);
  }

  @SuppressWarnings("unchecked")
  private static void walk(Object node, String where, boolean namesOnly) {
    if (node instanceof Map) {
      Map<String, Object> map = (Map<String, Object>) node;
      if (!namesOnly) {
        for (String key : map.keySet()) {
          if (ONLY_IN_31.contains(key)) {
            throw new IllegalStateException(
                where + "/" + key + ": OpenAPI 3.1 only, see Downgrade");
          }
        }
        Object type = map.get("type");
        if (type instanceof List) {
          List<Object> types = new ArrayList<>((List<Object>) type);
          if (types.size() != 2 || !types.remove("null")) {
            throw new IllegalStateException(where + "/type: " + type + " has no 3.0 form");
          }
          map.put("type", types.get(0));
          map.put("nullable", true);
        }
        if ("array".equals(map.get("type")) && !map.containsKey("items")) {
          map.put("items", new java.util.LinkedHashMap<>()); // optional in 3.1, any item
        }
        // 3.1's numeric exclusive bounds are 3.0's bound plus a boolean flag.
        for (String bound : new String[] {"Minimum", "Maximum"}) {
          Object value = map.get("exclusive" + bound);
          if (value instanceof Number) {
            String plain = bound.toLowerCase(java.util.Locale.ROOT);
            if (map.containsKey(plain)) {
              throw new IllegalStateException(
                  where + ": both " + plain + " and exclusive" + bound + " are set");
            }
            map.put(plain, value);
            map.put("exclusive" + bound, true);
          }
        }
      }
      map.forEach((key, value) -> walk(value, where + "/" + key, !namesOnly && isNameMap(key)));
    } else if (node instanceof List) {
      for (Object item : (List<Object>) node) {
        walk(item, where + "[]", false);
      }
    }
  }

  /** Maps whose keys are names (properties, paths, components), not schema keywords. */
  private static boolean isNameMap(String key) {
    return key.equals("properties")
        || key.equals("paths")
        || key.equals("schemas")
        || key.equals("parameters")
        || key.equals("responses")
        || key.equals("headers")
        || key.equals("content")
        || key.equals("examples")
        || key.equals("patternProperties");
  }
}

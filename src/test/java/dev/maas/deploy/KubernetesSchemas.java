package dev.maas.deploy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.TypeAdapter;
import com.google.gson.annotations.SerializedName;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import io.kubernetes.client.openapi.JSON;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Strict validation of a rendered object against the schema of its kind, the way an API server
 * would take it: unknown fields, values of the wrong type, missing required fields, and API
 * versions a current Kubernetes does not serve are all rejected.
 *
 * <ul>
 *   <li>Kubernetes' own kinds: the official Java client's models ({@code
 *       io.kubernetes:client-java-api}, generated from the API server's OpenAPI). The object is
 *       first walked along the models' fields, which names the path of any problem: a field the
 *       model does not have, a field in the model's generated {@code openapiRequiredFields} that is
 *       missing, a JSON type its Java type cannot take (a quoted port, a numeric label value, a map
 *       for a list). Then it is read by the client's own Gson with strings, numbers and booleans
 *       made strict (plain Gson would read {@code "8080"} as an integer and {@code 1} as a string,
 *       where the API server rejects both), through the models' generated {@code
 *       validateJsonElement}, which checks unknown and required fields again, and their adapters
 *       (quantities' syntax, for one). An API version is served when the client has its API class
 *       with a {@code create} call for the kind (so removed versions such as policy/v1beta1 and
 *       autoscaling/v2beta2 fail), and is GA: alpha versions are off unless a feature gate turns
 *       them on, and beta ones have been off by default since Kubernetes 1.24 (KEP-3136).
 *   <li>prometheus-operator's ServiceMonitor and PrometheusRule ({@code monitoring.coreos.com}):
 *       fabric8's models of its CRDs ({@code io.fabric8:openshift-model-monitoring}), read by a
 *       Jackson that fails on unknown fields (the models' catch-all for them is switched off) and
 *       on scalars of the wrong type. Those models do not record which fields the CRDs require or
 *       the pattern of their durations, so {@link #CRD_REQUIRED} and {@link #CRD_DURATIONS} list
 *       them, from the CRDs.
 * </ul>
 */
final class KubernetesSchemas {
  private static final String MODELS = "io.kubernetes.client.openapi.models.";
  private static final String APIS = "io.kubernetes.client.openapi.apis.";
  private static final String MONITORING_GROUP = "monitoring.coreos.com";
  private static final String MONITORING_MODELS = "io.fabric8.openshift.api.model.monitoring.";

  /**
   * Fields that prometheus-operator's CRDs require (their openAPIV3Schema's {@code required}, as of
   * operator 0.82), as paths where {@code []} steps into every element of a list.
   */
  static final Map<String, List<String>> CRD_REQUIRED =
      Map.of(
          "ServiceMonitor",
          List.of(
              "spec",
              "spec.endpoints",
              "spec.selector",
              "spec.selector.matchExpressions[].key",
              "spec.selector.matchExpressions[].operator"),
          "PrometheusRule",
          List.of("spec", "spec.groups[].name", "spec.groups[].rules[].expr"));

  /**
   * The CRDs' pattern of a Prometheus duration, e.g. 30s, 1h30m (fabric8 models them as strings).
   */
  private static final String DURATION =
      "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$";

  /** The CRDs' duration fields (their {@code pattern}), as paths like {@link #CRD_REQUIRED}. */
  static final Map<String, List<String>> CRD_DURATIONS =
      Map.of(
          "ServiceMonitor",
          List.of("spec.endpoints[].interval", "spec.endpoints[].scrapeTimeout"),
          "PrometheusRule",
          List.of(
              "spec.groups[].interval",
              "spec.groups[].rules[].for",
              "spec.groups[].rules[].keep_firing_for"));

  private static final Gson STRICT_GSON =
      JSON.getGson()
          .newBuilder()
          .registerTypeAdapter(String.class, new Strict<>(JsonToken.STRING, s -> s))
          .registerTypeAdapter(Integer.class, new Strict<>(JsonToken.NUMBER, Integer::parseInt))
          .registerTypeAdapter(int.class, new Strict<>(JsonToken.NUMBER, Integer::parseInt))
          .registerTypeAdapter(Long.class, new Strict<>(JsonToken.NUMBER, Long::parseLong))
          .registerTypeAdapter(long.class, new Strict<>(JsonToken.NUMBER, Long::parseLong))
          .registerTypeAdapter(Double.class, new Strict<>(JsonToken.NUMBER, Double::parseDouble))
          .registerTypeAdapter(double.class, new Strict<>(JsonToken.NUMBER, Double::parseDouble))
          .registerTypeAdapter(Float.class, new Strict<>(JsonToken.NUMBER, Float::parseFloat))
          .registerTypeAdapter(
              Boolean.class, new Strict<>(JsonToken.BOOLEAN, Boolean::parseBoolean))
          .registerTypeAdapter(
              boolean.class, new Strict<>(JsonToken.BOOLEAN, Boolean::parseBoolean))
          .create();

  private static final ObjectMapper STRICT_JACKSON =
      JsonMapper.builder()
          .annotationIntrospector(
              new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated a) {
                  return Boolean.FALSE; // no catch-all for unknown fields: they fail
                }

                @Override
                public JsonIgnoreProperties.Value findPropertyIgnoralByName(
                    MapperConfig<?> config, Annotated a) {
                  return JsonIgnoreProperties.Value.empty();
                }
              })
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .withCoercionConfig(
              LogicalType.Textual,
              c ->
                  c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
          .build();

  private KubernetesSchemas() {}

  /** Why an object is not valid. */
  static final class Invalid extends RuntimeException {
    Invalid(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Throws {@link Invalid}, naming the object and the problem, unless it is valid. */
  static void validate(Map<String, Object> object) {
    String name = describe(object);
    if (!(object.get("apiVersion") instanceof String apiVersion) || apiVersion.isEmpty()) {
      throw new Invalid(name + ": apiVersion is missing", null);
    }
    if (!(object.get("kind") instanceof String kind) || kind.isEmpty()) {
      throw new Invalid(name + ": kind is missing", null);
    }
    Object metadata = object.get("metadata");
    if (!(metadata instanceof Map<?, ?> meta) || !(meta.get("name") instanceof String)) {
      throw new Invalid(name + ": metadata.name is missing", null);
    }
    try {
      checkNamesAndLabels(object, "$");
      if (apiVersion.startsWith(MONITORING_GROUP + "/")) {
        validateMonitoring(apiVersion, kind, object);
      } else {
        validateKubernetes(apiVersion, kind, object);
      }
    } catch (Invalid e) {
      throw new Invalid(name + ": " + e.getMessage(), e.getCause());
    } catch (RuntimeException | IOException e) {
      throw new Invalid(name + ": " + shorten(String.valueOf(e.getMessage())), e);
    }
  }

  // ---- Kubernetes' own kinds --------------------------------------------------------------

  private static void validateKubernetes(String apiVersion, String kind, Map<String, Object> o)
      throws IOException {
    Class<?> model = kubernetesModel(apiVersion, kind);
    JsonElement json = new Gson().toJsonTree(o);
    walk(json, model, "$");
    STRICT_GSON.fromJson(json, model);
  }

  /**
   * Checks the JSON against the model's fields with the path of every problem: unknown fields, the
   * generated {@code openapiRequiredFields}, and the JSON type each field's Java type takes. The
   * strict Gson reading after it stays the authority (quantities' syntax, for one).
   */
  private static void walk(JsonElement json, Type type, String path) {
    if (json.isJsonNull()) {
      return;
    }
    Class<?> raw =
        type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
    if (List.class.isAssignableFrom(raw)) {
      expect(json.isJsonArray(), "a list", json, path);
      Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
      for (int i = 0; i < json.getAsJsonArray().size(); i++) {
        walk(json.getAsJsonArray().get(i), element, path + "[" + i + "]");
      }
    } else if (Map.class.isAssignableFrom(raw)) {
      expect(json.isJsonObject(), "a map", json, path);
      Type value = ((ParameterizedType) type).getActualTypeArguments()[1];
      for (Map.Entry<String, JsonElement> e : json.getAsJsonObject().entrySet()) {
        walk(e.getValue(), value, path + "." + e.getKey());
      }
    } else if (raw.getName().startsWith(MODELS)) {
      expect(json.isJsonObject(), "an object (" + raw.getSimpleName() + ")", json, path);
      Map<String, Field> fields = new HashMap<>();
      for (Field f : raw.getDeclaredFields()) {
        SerializedName name = f.getAnnotation(SerializedName.class);
        if (name != null) {
          fields.put(name.value(), f);
        }
      }
      for (String required : requiredFields(raw)) {
        if (!json.getAsJsonObject().has(required)
            || json.getAsJsonObject().get(required).isJsonNull()) {
          throw new Invalid(
              "the required field "
                  + path
                  + "."
                  + required
                  + " is missing ("
                  + raw.getSimpleName()
                  + ")",
              null);
        }
      }
      for (Map.Entry<String, JsonElement> e : json.getAsJsonObject().entrySet()) {
        Field f = fields.get(e.getKey());
        if (f == null) {
          throw new Invalid(
              "unknown field "
                  + path
                  + "."
                  + e.getKey()
                  + ": "
                  + raw.getSimpleName()
                  + " has no field "
                  + e.getKey(),
              null);
        }
        walk(e.getValue(), f.getGenericType(), path + "." + e.getKey());
      }
    } else if (raw == String.class) {
      expect(isString(json), "a string", json, path);
    } else if (raw == Boolean.class) {
      expect(
          json.isJsonPrimitive() && json.getAsJsonPrimitive().isBoolean(), "a boolean", json, path);
    } else if (raw == Integer.class || raw == Long.class) {
      expect(isInteger(json), "an integer", json, path);
    } else if (Number.class.isAssignableFrom(raw)) {
      expect(isNumber(json), "a number", json, path);
    } else if (raw.getSimpleName().equals("IntOrString")) {
      expect(isString(json) || isInteger(json), "a string or an integer", json, path);
    } else if (raw.getSimpleName().equals("Quantity")) {
      expect(isString(json) || isNumber(json), "a quantity", json, path);
    } else {
      expect(json.isJsonPrimitive(), "a " + raw.getSimpleName(), json, path);
    }
  }

  @SuppressWarnings("unchecked")
  private static Set<String> requiredFields(Class<?> model) {
    try {
      return (Set<String>) model.getField("openapiRequiredFields").get(null);
    } catch (ReflectiveOperationException e) {
      return Set.of();
    }
  }

  private static boolean isString(JsonElement json) {
    return json.isJsonPrimitive() && json.getAsJsonPrimitive().isString();
  }

  private static boolean isNumber(JsonElement json) {
    return json.isJsonPrimitive() && json.getAsJsonPrimitive().isNumber();
  }

  private static boolean isInteger(JsonElement json) {
    return isNumber(json) && json.getAsBigDecimal().stripTrailingZeros().scale() <= 0;
  }

  private static void expect(boolean ok, String expected, JsonElement found, String path) {
    if (!ok) {
      String what =
          found.isJsonObject()
              ? "an object"
              : found.isJsonArray()
                  ? "a list"
                  : isString(found)
                      ? "the string " + found
                      : isNumber(found) ? "the number " + found : "the boolean " + found;
      throw new Invalid("expected " + expected + " at " + path + ", found " + what, null);
    }
  }

  /** The client's model of this kind at this API version, if a current Kubernetes serves it. */
  static Class<?> kubernetesModel(String apiVersion, String kind) {
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    String version = apiVersion.substring(slash + 1);
    Class<?> api;
    try {
      api = Class.forName(APIS + apiClassPrefix(group) + capitalize(version) + "Api");
    } catch (ClassNotFoundException e) {
      throw new Invalid(
          "apiVersion "
              + apiVersion
              + " is not served by Kubernetes (the official client "
              + clientVersion()
              + " has no such API group version: removed, or never existed)",
          null);
    }
    if (!version.matches("v[0-9]+")) {
      throw new Invalid(
          "apiVersion "
              + apiVersion
              + " is a pre-release version: alpha versions are off unless a feature gate turns"
              + " them on, beta versions have been off by default since Kubernetes 1.24; use a GA"
              + " version",
          null);
    }
    for (Method m : api.getMethods()) {
      if (m.getName().equals("createNamespaced" + kind) || m.getName().equals("create" + kind)) {
        for (Class<?> p : m.getParameterTypes()) {
          if (p.getName().startsWith(MODELS) && p.getSimpleName().endsWith(kind)) {
            return p;
          }
        }
      }
    }
    throw new Invalid("kind " + kind + " is not served by apiVersion " + apiVersion, null);
  }

  /** The client's class name prefix of an API group: "" Core, "apps" Apps, "x.k8s.io" X. */
  private static String apiClassPrefix(String group) {
    if (group.isEmpty()) {
      return "Core";
    }
    StringBuilder prefix = new StringBuilder();
    for (String part : group.replaceFirst("\\.k8s\\.io$", "").split("\\.")) {
      prefix.append(capitalize(part));
    }
    return prefix.toString();
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
  }

  /** "client-java-api 27.0.0": the Maven version of the models, from the jar's pom.properties. */
  static String clientVersion() {
    Properties pom = new Properties();
    try (InputStream in =
        JSON.class.getResourceAsStream(
            "/META-INF/maven/io.kubernetes/client-java-api/pom.properties")) {
      if (in != null) {
        pom.load(in);
      }
    } catch (IOException e) {
      // the name alone then
    }
    return ("client-java-api " + pom.getProperty("version", "")).strip();
  }

  /** Gson's reading of a scalar, but only from a JSON token of its own type. */
  private static final class Strict<T> extends TypeAdapter<T> {
    private final JsonToken token;
    private final java.util.function.Function<String, T> parse;

    Strict(JsonToken token, java.util.function.Function<String, T> parse) {
      this.token = token;
      this.parse = parse;
    }

    @Override
    public void write(JsonWriter out, T value) throws IOException {
      if (value == null) {
        out.nullValue();
      } else if (value instanceof Number n) {
        out.value(n);
      } else if (value instanceof Boolean b) {
        out.value(b);
      } else {
        out.value(value.toString());
      }
    }

    private static String lower(JsonToken token) {
      return token.toString().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    @Override
    public T read(JsonReader in) throws IOException {
      JsonToken found = in.peek();
      if (found == JsonToken.NULL) {
        in.nextNull();
        return null;
      }
      String path = in.getPath();
      String text =
          switch (found) {
            case STRING, NUMBER -> in.nextString();
            case BOOLEAN -> String.valueOf(in.nextBoolean());
            default -> null;
          };
      if (found != token || text == null) {
        throw new JsonParseException(
            "expected "
                + (token == JsonToken.STRING ? "a string" : "a " + lower(token))
                + " at "
                + path.replaceFirst("\\.$", "")
                + ", found "
                + (found == JsonToken.STRING
                    ? "the string \"" + text + "\""
                    : text == null ? lower(found) : "the " + lower(found) + " " + text));
      }
      try {
        return parse.apply(text);
      } catch (NumberFormatException e) {
        throw new JsonParseException("expected an integer at " + path + ", found " + text);
      }
    }
  }

  // ---- prometheus-operator's kinds ---------------------------------------------------------

  private static void validateMonitoring(String apiVersion, String kind, Map<String, Object> o)
      throws IOException {
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    Class<?> model;
    try {
      model = Class.forName(MONITORING_MODELS + version + "." + kind);
    } catch (ClassNotFoundException e) {
      throw new Invalid(
          "kind "
              + kind
              + " at apiVersion "
              + apiVersion
              + " is not served by prometheus-operator's CRDs",
          null);
    }
    if (!CRD_REQUIRED.containsKey(kind)) {
      throw new Invalid("no list of the required fields of " + kind + " (CRD_REQUIRED)", null);
    }
    for (String path : CRD_REQUIRED.get(kind)) {
      requirePath(o, path, path);
    }
    for (String path : CRD_DURATIONS.getOrDefault(kind, List.of())) {
      for (Object value : valuesAt(o, path)) {
        if (value instanceof String text && !text.matches(DURATION)) {
          throw new Invalid(
              path + " is \"" + text + "\", not a Prometheus duration (" + DURATION + ")", null);
        }
      }
    }
    try {
      STRICT_JACKSON.readValue(STRICT_JACKSON.writeValueAsBytes(o), model);
    } catch (JsonMappingException e) {
      StringBuilder path = new StringBuilder("$");
      for (JsonMappingException.Reference r : e.getPath()) {
        path.append(r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]");
      }
      throw new Invalid(
          shorten(e.getOriginalMessage()) + " at " + path + " (" + model.getSimpleName() + ")", e);
    }
  }

  /** Fails unless the value at a dotted path ({@code []}: each element of a list) is present. */
  private static void requirePath(Object node, String path, String full) {
    if (node == null) {
      return; // a missing parent: reported by its own entry
    }
    int dot = path.indexOf('.');
    String step = dot < 0 ? path : path.substring(0, dot);
    String rest = dot < 0 ? null : path.substring(dot + 1);
    boolean each = step.endsWith("[]");
    String key = each ? step.substring(0, step.length() - 2) : step;
    if (!(node instanceof Map<?, ?> map)) {
      return; // a wrong type: reported by the model
    }
    Object value = map.get(key);
    if (rest == null) {
      if (value == null) {
        throw new Invalid("the required field " + full + " is missing", null);
      }
      return;
    }
    if (value == null) {
      return; // an optional parent, or a required one with its own entry
    }
    if (each && value instanceof List<?> list) {
      for (Object element : list) {
        requirePath(element, rest, full);
      }
    } else if (!each) {
      requirePath(value, rest, full);
    }
  }

  /** The values at a dotted path ({@code []}: each element of a list) that are present. */
  private static List<Object> valuesAt(Object node, String path) {
    List<Object> found = new ArrayList<>();
    if (!(node instanceof Map<?, ?> map)) {
      return found;
    }
    int dot = path.indexOf('.');
    String step = dot < 0 ? path : path.substring(0, dot);
    boolean each = step.endsWith("[]");
    Object value = map.get(each ? step.substring(0, step.length() - 2) : step);
    if (value == null) {
      return found;
    }
    List<?> values = each && value instanceof List<?> list ? list : List.of(value);
    for (Object v : values) {
      if (dot < 0) {
        found.add(v);
      } else {
        found.addAll(valuesAt(v, path.substring(dot + 1)));
      }
    }
    return found;
  }

  // ---- names and labels, as the API server's validation (not the schema) checks them ----------

  /** A DNS-1123 subdomain: an object's name. */
  private static final String SUBDOMAIN =
      "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

  /** A label's or a label key's name part. */
  private static final String LABEL_NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";

  /**
   * Every object's metadata (the object's and its pod template's) has a valid name and labels, and
   * every matchLabels holds valid labels (keys: an optional DNS subdomain prefix and a name of at
   * most 63 characters; values: at most 63, empty or a name).
   */
  private static void checkNamesAndLabels(Object node, String path) {
    if (node instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        checkNamesAndLabels(list.get(i), path + "[" + i + "]");
      }
      return;
    }
    if (!(node instanceof Map<?, ?> map)) {
      return;
    }
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String at = path + "." + e.getKey();
      if (e.getKey().equals("metadata") && e.getValue() instanceof Map<?, ?> meta) {
        if (meta.get("name") instanceof String name
            && (name.length() > 253 || !name.matches(SUBDOMAIN))) {
          throw new Invalid(
              at + ".name \"" + name + "\" is not a DNS-1123 subdomain (lower case, digits, -, .)",
              null);
        }
        checkLabels(meta.get("labels"), at + ".labels");
      } else if (e.getKey().equals("matchLabels")) {
        checkLabels(e.getValue(), at);
      }
      if (!e.getKey().equals("metadata")) {
        checkNamesAndLabels(e.getValue(), at);
      }
    }
  }

  private static void checkLabels(Object labels, String path) {
    if (!(labels instanceof Map<?, ?> map)) {
      return; // absent, or a wrong type the schema reports
    }
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = String.valueOf(e.getKey());
      int slash = key.lastIndexOf('/');
      String prefix = slash < 0 ? null : key.substring(0, slash);
      String name = key.substring(slash + 1);
      if ((prefix != null && (prefix.length() > 253 || !prefix.matches(SUBDOMAIN)))
          || name.length() > 63
          || !name.matches(LABEL_NAME)) {
        throw new Invalid(path + ": \"" + key + "\" is not a valid label key", null);
      }
      if (e.getValue() instanceof String value
          && (value.length() > 63 || !(value.isEmpty() || value.matches(LABEL_NAME)))) {
        throw new Invalid(
            path + "." + key + ": \"" + value + "\" is not a valid label value", null);
      }
    }
  }

  // ---- messages ----------------------------------------------------------------------------

  private static String describe(Map<String, Object> object) {
    Object metadata = object.get("metadata");
    Object name = metadata instanceof Map<?, ?> m ? m.get("name") : null;
    return object.get("apiVersion") + " " + object.get("kind") + " " + name;
  }

  /** The generated models put the whole object's JSON into their messages: cut it off. */
  private static String shorten(String message) {
    int json = message.indexOf(" JSON: ");
    if (json < 0) {
      json = message.indexOf(". JSON");
    }
    String s = json < 0 ? message : message.substring(0, json);
    return s.length() > 400 ? s.substring(0, 400) + "..." : s;
  }

  /** Every problem with these objects, one line each; empty when all are valid. */
  static List<String> problems(List<Map<String, Object>> objects) {
    List<String> problems = new ArrayList<>();
    for (Map<String, Object> o : objects) {
      try {
        validate(o);
      } catch (Invalid e) {
        problems.add(e.getMessage());
      }
    }
    return problems;
  }
}

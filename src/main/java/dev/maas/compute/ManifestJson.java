package dev.maas.compute;

import static dev.maas.compute.JsonFields.integer;
import static dev.maas.compute.JsonFields.invalid;
import static dev.maas.compute.JsonFields.string;

import dev.maas.compute.ModelManifest.TensorEntry;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.buffer.DataType;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@link ModelManifest} to and from the manifest's UTF-8 JSON. Reading checks every field and
 * every rule that ties fields together (see {@link ModelCodec}), so that a manifest it returns
 * describes a model that can be built, with tensors of known, bounded sizes.
 */
final class ManifestJson {
  private static final Set<String> FIELDS =
      Set.of(
          "formatVersion",
          "family",
          "spec",
          "task",
          "inputShape",
          "outputs",
          "labels",
          "dataType",
          "inputScaler",
          "targetScaler",
          "metrics",
          "tensors",
          "features",
          "preprocessing",
          "provenance");
  private static final Set<String> OPTIONAL = Set.of("features", "preprocessing", "provenance");
  private static final Set<String> REQUIRED =
      FIELDS.stream().filter(f -> !OPTIONAL.contains(f)).collect(Collectors.toUnmodifiableSet());
  private static final Set<String> PROVENANCE =
      Set.of("trainingJob", "dataset", "split", "seed", "training", "software");
  private static final Set<String> DATASET = Set.of("id", "sha256");
  private static final Set<String> SCALER = Set.of("mean", "scale");

  private ManifestJson() {}

  static byte[] write(ModelManifest m) {
    ObjectNode root = SpecJson.MAPPER.createObjectNode();
    root.put("formatVersion", m.formatVersion());
    root.put("family", m.family().wireName());
    root.set("spec", SpecJson.write(m.spec()));
    root.put("task", m.task().wireName());
    ArrayNode shape = root.putArray("inputShape");
    Arrays.stream(m.inputShape()).forEach(shape::add);
    root.put("outputs", m.outputs());
    if (m.labels() == null) {
      root.putNull("labels");
    } else {
      ArrayNode labels = root.putArray("labels");
      m.labels().forEach(labels::add);
    }
    root.put("dataType", dtypeName(m.dataType()));
    root.set("inputScaler", scaler(m.inputScaler()));
    if (m.targetScaler() == null) {
      root.putNull("targetScaler");
    } else {
      root.set("targetScaler", scaler(m.targetScaler()));
    }
    if (m.metrics() == null) {
      root.putNull("metrics");
    } else {
      root.set("metrics", MetricsJson.write(m.metrics()));
    }
    if (m.features() != null) {
      ArrayNode features = root.putArray("features");
      m.features().forEach(features::add);
    }
    if (m.preprocessing() != null) {
      root.set("preprocessing", PreprocessorJson.write(m.preprocessing()));
    }
    if (m.provenance() != null) {
      root.set("provenance", provenance(m.provenance()));
    }
    ArrayNode tensors = root.putArray("tensors");
    for (TensorEntry t : m.tensors()) {
      ObjectNode entry = tensors.addObject();
      entry.put("name", t.name());
      entry.put("dtype", dtypeName(t.dtype()));
      ArrayNode dims = entry.putArray("shape");
      Arrays.stream(t.shape()).forEach(dims::add);
      entry.put("offset", t.offset());
      entry.put("length", t.length());
    }
    return SpecJson.MAPPER.writeValueAsBytes(root);
  }

  /** Only what is known: absent fields are unknown. */
  private static ObjectNode provenance(ModelProvenance p) {
    ObjectNode node = SpecJson.MAPPER.createObjectNode();
    if (p.trainingJob() != null) {
      node.put("trainingJob", p.trainingJob());
    }
    if (p.datasetId() != null || p.datasetSha256() != null) {
      ObjectNode dataset = node.putObject("dataset");
      if (p.datasetId() != null) {
        dataset.put("id", p.datasetId());
      }
      if (p.datasetSha256() != null) {
        dataset.put("sha256", p.datasetSha256());
      }
    }
    if (p.split() != null) {
      node.put("split", p.split());
    }
    if (p.seed() != null) {
      node.put("seed", p.seed());
    }
    if (p.training() != null) {
      node.set("training", p.training());
    }
    if (!p.software().isEmpty()) {
      ObjectNode software = node.putObject("software");
      p.software().forEach(software::put);
    }
    return node;
  }

  /** Scalers are JSON numbers: few, readable without the tensors, and exact both ways. */
  private static ObjectNode scaler(Standardizer s) {
    ObjectNode node = SpecJson.MAPPER.createObjectNode();
    ArrayNode mean = node.putArray("mean");
    Arrays.stream(s.mean()).forEach(mean::add);
    ArrayNode scale = node.putArray("scale");
    Arrays.stream(s.scale()).forEach(scale::add);
    return node;
  }

  static ModelManifest read(byte[] utf8, ModelCodec.Limits limits) throws ModelFormatException {
    JsonNode root = JsonFields.object(parse(utf8), "", FIELDS, REQUIRED);
    int formatVersion = integer(root.get("formatVersion"), "formatVersion");
    Family family = family(string(root.get("family"), "family"));
    Task task = task(string(root.get("task"), "task"));
    int[] inputShape = inputShape(root.get("inputShape"));
    int outputs = integer(root.get("outputs"), "outputs");
    if (outputs < 1) {
      throw invalid("outputs", "must be at least 1, was " + outputs);
    }
    List<String> labels = labels(root.get("labels"), task, outputs);
    DataType dataType = dtype(root.get("dataType"), "dataType");
    ModelSpec spec = SpecJson.read(family, root.get("spec"), "spec");
    Problems problems = new Problems();
    spec.validate(task, inputShape, problems);
    if (!problems.isEmpty()) {
      throw new ModelFormatException(
          "manifest holds an invalid spec: " + String.join("; ", problems.messages()));
    }
    Standardizer inputScaler = scaler(root.get("inputScaler"), "inputScaler", inputShape);
    Standardizer targetScaler = null;
    if (task == Task.CLASSIFICATION) {
      if (!root.get("targetScaler").isNull()) {
        throw invalid("targetScaler", "must be null for classification");
      }
    } else if (!root.get("targetScaler").isNull()) {
      targetScaler = scaler(root.get("targetScaler"), "targetScaler", new int[] {outputs});
    }
    Metrics metrics =
        root.get("metrics").isNull() ? null : MetricsJson.read(root.get("metrics"), labels);
    List<TensorEntry> tensors = TensorTable.read(root.get("tensors"), limits);
    TensorEntry parameters =
        tensors.stream().filter(t -> t.name().equals(ModelManifest.PARAMETERS)).findFirst().get();
    TensorTable.checkParameters(parameters, spec, inputShape, labels, outputs, dataType);
    List<String> features = features(root.get("features"), inputShape);
    Preprocessor preprocessing =
        preprocessing(root.get("preprocessing"), formatVersion, inputShape);
    if (preprocessing != null
        && features != null
        && !features.equals(preprocessing.outputNames())) {
      throw invalid("features", "must be the preprocessing's output names");
    }
    return new ModelManifest(
        formatVersion,
        spec,
        task,
        inputShape,
        outputs,
        labels,
        dataType,
        inputScaler,
        targetScaler,
        metrics,
        tensors,
        features,
        preprocessing,
        provenance(root.get("provenance")));
  }

  /** Optional, from format version 2: one step per raw input column, as wide as the input. */
  private static Preprocessor preprocessing(JsonNode node, int formatVersion, int[] inputShape)
      throws ModelFormatException {
    if (node == null || node.isNull()) {
      return null;
    }
    if (formatVersion < 2) {
      throw invalid("preprocessing", "is not part of format version " + formatVersion);
    }
    if (inputShape.length != 1) {
      throw invalid("preprocessing", "is only for models of a feature vector");
    }
    Preprocessor p = PreprocessorJson.read(node);
    if (p.width() != inputShape[0]) {
      throw invalid(
          "preprocessing",
          "yields " + p.width() + " values per row where the input has " + inputShape[0]);
    }
    return p;
  }

  /** Optional, and every field in it: see {@link ModelProvenance}. */
  private static ModelProvenance provenance(JsonNode node) throws ModelFormatException {
    if (node == null || node.isNull()) {
      return null;
    }
    JsonFields.object(node, "provenance", PROVENANCE, Set.of());
    String datasetId = null;
    String datasetSha256 = null;
    JsonNode dataset = node.get("dataset");
    if (dataset != null && !dataset.isNull()) {
      JsonFields.object(dataset, "provenance.dataset", DATASET, Set.of());
      datasetId = optionalString(dataset.get("id"), "provenance.dataset.id");
      datasetSha256 = optionalString(dataset.get("sha256"), "provenance.dataset.sha256");
    }
    JsonNode seed = node.get("seed");
    JsonNode training = node.get("training");
    if (training != null && !training.isNull() && !training.isObject()) {
      throw invalid("provenance.training", "must be an object of training settings");
    }
    Map<String, String> software = new TreeMap<>();
    JsonNode softwareNode = node.get("software");
    if (softwareNode != null && !softwareNode.isNull()) {
      if (!softwareNode.isObject()) {
        throw invalid("provenance.software", "must be an object of names to versions");
      }
      for (String name : softwareNode.propertyNames()) {
        software.put(name, string(softwareNode.get(name), "provenance.software." + name));
      }
    }
    return new ModelProvenance(
        optionalString(node.get("trainingJob"), "provenance.trainingJob"),
        datasetId,
        datasetSha256,
        optionalString(node.get("split"), "provenance.split"),
        seed == null || seed.isNull() ? null : JsonFields.longInteger(seed, "provenance.seed"),
        training == null || training.isNull() ? null : training,
        software);
  }

  private static String optionalString(JsonNode node, String path) throws ModelFormatException {
    return node == null || node.isNull() ? null : string(node, path);
  }

  /** Optional: one distinct, non-blank name per input value. */
  private static List<String> features(JsonNode node, int[] inputShape)
      throws ModelFormatException {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isArray()) {
      throw invalid("features", "must be an array of names");
    }
    long size = 1;
    for (int d : inputShape) {
      size *= d;
    }
    if (node.size() != size) {
      throw invalid("features", "must name each of the " + size + " input values");
    }
    List<String> names = new java.util.ArrayList<>(node.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      String name = string(node.get(i), "features[" + i + "]");
      if (name.isBlank() || !seen.add(name)) {
        throw invalid("features[" + i + "]", "must be a distinct, non-blank name");
      }
      names.add(name);
    }
    return names;
  }

  private static JsonNode parse(byte[] utf8) throws ModelFormatException {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(utf8))
              .toString();
    } catch (CharacterCodingException e) {
      throw new ModelFormatException("manifest is not valid UTF-8", e);
    }
    JsonNode root;
    try {
      root = SpecJson.MAPPER.readTree(text);
    } catch (JacksonException e) {
      throw new ModelFormatException("manifest is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || root.isMissingNode()) {
      throw new ModelFormatException("manifest is empty");
    }
    if (!root.isObject()) {
      throw new ModelFormatException("manifest must be a JSON object");
    }
    return root;
  }

  private static Family family(String name) throws ModelFormatException {
    for (Family f : Family.values()) {
      if (f.wireName().equals(name)) {
        return f;
      }
    }
    throw invalid("family", "names no known family: '" + name + "'");
  }

  private static Task task(String name) throws ModelFormatException {
    for (Task t : Task.values()) {
      if (t.wireName().equals(name)) {
        return t;
      }
    }
    throw invalid("task", "must be regression or classification, was '" + name + "'");
  }

  private static int[] inputShape(JsonNode node) throws ModelFormatException {
    int[] shape = JsonFields.integers(node, "inputShape");
    long size = 1;
    for (int d : shape) {
      if (d < 1) {
        throw invalid("inputShape", "must have positive sizes, was " + Arrays.toString(shape));
      }
      size *= d; // at most 3 dimensions below 2^31: no overflow
    }
    if (shape.length < 1 || shape.length > 3 || size > Integer.MAX_VALUE) {
      throw invalid(
          "inputShape",
          "must have 1 to 3 dimensions of fewer than 2^31 values, was " + Arrays.toString(shape));
    }
    return shape;
  }

  private static List<String> labels(JsonNode node, Task task, int outputs)
      throws ModelFormatException {
    if (task == Task.REGRESSION) {
      if (!node.isNull()) {
        throw invalid("labels", "must be null for regression");
      }
      return null;
    }
    List<String> labels = JsonFields.strings(node, "labels");
    if (labels.size() < 2 || labels.size() != outputs) {
      throw invalid(
          "labels", "must name the " + outputs + " classes (at least 2), has " + labels.size());
    }
    if (new HashSet<>(labels).size() != labels.size()) {
      throw invalid("labels", "must be distinct");
    }
    return labels;
  }

  private static Standardizer scaler(JsonNode node, String path, int[] shape)
      throws ModelFormatException {
    JsonFields.object(node, path, SCALER, SCALER);
    double[] mean = JsonFields.finites(node.get("mean"), path + ".mean");
    double[] scale = JsonFields.finites(node.get("scale"), path + ".scale");
    int groups = shape.length == 2 ? shape[1] : shape[0];
    if (mean.length != groups || scale.length != groups) {
      throw invalid(
          path,
          "needs "
              + groups
              + " means and scales for shape "
              + Arrays.toString(shape)
              + ", has "
              + mean.length
              + " and "
              + scale.length);
    }
    for (int g = 0; g < groups; g++) {
      if (!(scale[g] > 0)) {
        throw invalid(path + ".scale[" + g + "]", "must be positive, was " + scale[g]);
      }
    }
    return new Standardizer(shape, mean, scale);
  }

  static String dtypeName(DataType type) {
    return switch (type) {
      case FLOAT -> "float32";
      case DOUBLE -> "float64";
      default -> throw new IllegalArgumentException("model files hold no " + type + " tensors");
    };
  }

  static DataType dtype(JsonNode node, String path) throws ModelFormatException {
    String name = string(node, path);
    return switch (name) {
      case "float32" -> DataType.FLOAT;
      case "float64" -> DataType.DOUBLE;
      default -> throw invalid(path, "must be float32 or float64, was '" + name + "'");
    };
  }
}

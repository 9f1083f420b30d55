package dev.maas.compute;

import dev.maas.compute.nn.Head;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The checkpoint format: how a {@link TrainingCheckpoint} is stored as bytes and read back, with
 * every damage detected. Data only, like the model format ({@link ModelCodec}): a JSON manifest and
 * raw little-endian tensors, no Java serialization and no type names. The full description is
 * docs/checkpoint-format.md.
 *
 * <h2>Layout (format version 1; all integers little-endian)</h2>
 *
 * <pre>
 * offset   bytes  field
 * 0        8      magic, ASCII "MAASCKPT"
 * 8        4      format version, uint32 (1)
 * 12       4      manifest length M, uint32
 * 16       M      manifest, UTF-8 JSON
 * 16+M     4      manifest checksum: CRC-32C of bytes [0, 16+M)
 * 20+M     D      tensor data: each tensor's raw little-endian values, back to back in table order
 * 20+M+D   4      file checksum: CRC-32C of bytes [0, 20+M+D)
 * </pre>
 *
 * A reader reads the whole checkpoint (under {@link ModelCodec.Limits}), verifies both checksums
 * before interpreting anything, then checks the manifest strictly and every tensor against it; any
 * failure is a {@link CheckpointFormatException} saying what is wrong.
 */
public final class CheckpointCodec {

  /** The version this class writes, and the newest it reads. */
  public static final int FORMAT_VERSION = 1;

  private static final byte[] MAGIC = "MAASCKPT".getBytes(StandardCharsets.US_ASCII);

  private static final Set<String> FIELDS =
      Set.of(
          "formatVersion",
          "family",
          "spec",
          "training",
          "inputShape",
          "outputs",
          "labels",
          "inputScaler",
          "targetScaler",
          "trainingRows",
          "validationRows",
          "epoch",
          "iteration",
          "random",
          "earlyStopping",
          "tensors");
  private static final Set<String> RANDOM =
      Set.of("shuffleState", "dropoutRootState", "dropoutNodeState");
  private static final Set<String> STOPPING =
      Set.of("bestLoss", "bestEpoch", "epochsWithoutImprovement");
  private static final Set<String> TENSOR = Set.of("name", "dtype", "shape", "offset", "length");
  private static final Set<String> SCALER = Set.of("mean", "scale");

  private CheckpointCodec() {}

  private record Tensor(String name, DataType dtype, long elements, Object values) {
    long length() {
      return elements * width(dtype);
    }
  }

  /** Writes {@code checkpoint} to {@code out} and flushes it; does not close it. */
  public static void write(TrainingCheckpoint checkpoint, OutputStream out) throws IOException {
    out.write(toBytes(checkpoint));
    out.flush();
  }

  /** The checkpoint's bytes. The same checkpoint always gives the same bytes. */
  public static byte[] toBytes(TrainingCheckpoint checkpoint) {
    List<Tensor> tensors = tensors(checkpoint);
    byte[] manifest = manifest(checkpoint, tensors);
    long data = 0;
    for (Tensor t : tensors) {
      data += t.length();
    }
    long size = 24L + manifest.length + data;
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a checkpoint of " + size + " bytes is too large");
    }
    ByteBuffer out = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC).putInt(FORMAT_VERSION).putInt(manifest.length).put(manifest);
    out.putInt(crc(out.array(), out.position()));
    for (Tensor t : tensors) {
      switch (t.dtype()) {
        case FLOAT -> {
          for (double v : (double[]) t.values()) {
            out.putFloat((float) v);
          }
        }
        case DOUBLE -> out.asDoubleBuffer().put((double[]) t.values());
        case INT -> out.asIntBuffer().put((int[]) t.values());
        case LONG -> out.asLongBuffer().put((long[]) t.values());
        default -> throw new IllegalStateException();
      }
      if (t.dtype() != DataType.FLOAT) {
        out.position(out.position() + (int) t.length());
      }
    }
    out.putInt(crc(out.array(), out.position()));
    return out.array();
  }

  private static List<Tensor> tensors(TrainingCheckpoint c) {
    List<EpochProgress> curve = c.learningCurve();
    double[] train = new double[curve.size()];
    double[] validation = new double[curve.size()];
    long[] elapsed = new long[curve.size()];
    for (int i = 0; i < train.length; i++) {
      train[i] = curve.get(i).trainLoss();
      validation[i] = curve.get(i).validationLoss();
      elapsed[i] = curve.get(i).elapsed().toNanos();
    }
    List<Tensor> out = new ArrayList<>();
    out.add(new Tensor("parameters", c.dataType(), c.parameters().length, c.parameters()));
    out.add(new Tensor("updaterState", c.dataType(), c.updaterState().length, c.updaterState()));
    if (c.bestParameters() != null) {
      out.add(
          new Tensor(
              "bestParameters", c.dataType(), c.bestParameters().length, c.bestParameters()));
    }
    out.add(new Tensor("order", DataType.INT, c.order().length, c.order()));
    out.add(new Tensor("trainLoss", DataType.DOUBLE, train.length, train));
    out.add(new Tensor("validationLoss", DataType.DOUBLE, validation.length, validation));
    out.add(new Tensor("elapsedNanos", DataType.LONG, elapsed.length, elapsed));
    return out;
  }

  private static byte[] manifest(TrainingCheckpoint c, List<Tensor> tensors) {
    TrainingCheckpoint.Identity id = c.identity();
    ObjectNode root = SpecJson.MAPPER.createObjectNode();
    root.put("formatVersion", FORMAT_VERSION);
    root.put("family", c.family().wireName());
    root.set("spec", SpecJson.write(id.spec()));
    root.set("training", SpecJson.MAPPER.valueToTree(id.params()));
    ArrayNode shape = root.putArray("inputShape");
    Arrays.stream(id.inputShape()).forEach(shape::add);
    root.put("outputs", id.outputs());
    if (id.labels() == null) {
      root.putNull("labels");
    } else {
      ArrayNode labels = root.putArray("labels");
      id.labels().forEach(labels::add);
    }
    root.set("inputScaler", scaler(id.inputScaler()));
    if (id.targetScaler() == null) {
      root.putNull("targetScaler");
    } else {
      root.set("targetScaler", scaler(id.targetScaler()));
    }
    root.put("trainingRows", id.trainingRows());
    root.put("validationRows", id.validationRows());
    root.put("epoch", c.epoch());
    root.put("iteration", c.iteration());
    ObjectNode random = root.putObject("random");
    random.put("shuffleState", c.shuffleState());
    random.put("dropoutRootState", c.dropoutRootState());
    random.put("dropoutNodeState", c.dropoutNodeState());
    ObjectNode stopping = root.putObject("earlyStopping");
    double best = c.stopping().bestLoss();
    if (Double.isFinite(best)) {
      stopping.put("bestLoss", best);
    } else {
      stopping.put("bestLoss", Double.toString(best));
    }
    stopping.put("bestEpoch", c.stopping().bestEpoch());
    stopping.put("epochsWithoutImprovement", c.stopping().sinceBest());
    ArrayNode table = root.putArray("tensors");
    long offset = 0;
    for (Tensor t : tensors) {
      ObjectNode entry = table.addObject();
      entry.put("name", t.name());
      entry.put("dtype", dtypeName(t.dtype()));
      entry.putArray("shape").add(t.elements());
      entry.put("offset", offset);
      entry.put("length", t.length());
      offset += t.length();
    }
    return SpecJson.MAPPER.writeValueAsBytes(root);
  }

  private static ObjectNode scaler(Standardizer s) {
    ObjectNode node = SpecJson.MAPPER.createObjectNode();
    ArrayNode mean = node.putArray("mean");
    Arrays.stream(s.mean()).forEach(mean::add);
    ArrayNode scale = node.putArray("scale");
    Arrays.stream(s.scale()).forEach(scale::add);
    return node;
  }

  /**
   * Reads a checkpoint from {@code in} to the stream's end under the {@link
   * ModelCodec.Limits#DEFAULT default limits}; does not close it.
   *
   * @throws CheckpointFormatException when the bytes are not a valid checkpoint
   * @throws IOException when the stream itself fails
   */
  public static TrainingCheckpoint read(InputStream in) throws IOException {
    return read(in, ModelCodec.Limits.DEFAULT);
  }

  /** Reads a checkpoint from {@code in} under {@code limits}; see {@link #read(InputStream)}. */
  public static TrainingCheckpoint read(InputStream in, ModelCodec.Limits limits)
      throws IOException {
    long max = 24L + limits.maxManifestBytes() + limits.maxTensorBytes();
    int cap = (int) Math.min(max + 1, Integer.MAX_VALUE - 8);
    byte[] bytes = in.readNBytes(cap);
    if (bytes.length > max || bytes.length == cap && in.read() >= 0) {
      throw new CheckpointFormatException(
          "a checkpoint of more than " + max + " bytes is over the limits");
    }
    return read(bytes, limits);
  }

  /** Reads a checkpoint from its whole bytes under the default limits. */
  public static TrainingCheckpoint read(byte[] bytes) throws CheckpointFormatException {
    return read(bytes, ModelCodec.Limits.DEFAULT);
  }

  /** Reads a checkpoint from its whole bytes under {@code limits}. */
  public static TrainingCheckpoint read(byte[] bytes, ModelCodec.Limits limits)
      throws CheckpointFormatException {
    if (bytes.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
      if (bytes.length == 0) {
        throw new CheckpointFormatException("not a maas checkpoint: it is empty");
      }
      byte[] start = Arrays.copyOf(bytes, Math.min(bytes.length, MAGIC.length));
      if (Arrays.equals(start, Arrays.copyOf(MAGIC, start.length))) {
        throw truncated(bytes.length);
      }
      throw new CheckpointFormatException(
          "not a maas checkpoint: it starts with "
              + HexFormat.ofDelimiter(" ").formatHex(start)
              + ", not \"MAASCKPT\"");
    }
    if (bytes.length < 24) {
      throw truncated(bytes.length);
    }
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long version = Integer.toUnsignedLong(in.getInt(8));
    if (version > FORMAT_VERSION) {
      throw new CheckpointFormatException(
          "checkpoint format version "
              + version
              + " is newer than this reader, which reads up to version "
              + FORMAT_VERSION);
    }
    if (version < 1) {
      throw new CheckpointFormatException("checkpoint format version 0 does not exist");
    }
    long length = Integer.toUnsignedLong(in.getInt(12));
    if (length > limits.maxManifestBytes()) {
      throw new CheckpointFormatException(
          "manifest of " + length + " bytes is over the limit of " + limits.maxManifestBytes());
    }
    int manifestEnd = 16 + (int) length;
    if (bytes.length < manifestEnd + 8) {
      throw truncated(bytes.length);
    }
    checksum("manifest checksum", bytes, manifestEnd);
    checksum("file checksum", bytes, bytes.length - 4);
    JsonNode root = parse(Arrays.copyOfRange(bytes, 16, manifestEnd));
    try {
      return build(root, in, manifestEnd + 4, bytes.length - 4, limits);
    } catch (ModelFormatException e) {
      throw new CheckpointFormatException(e.getMessage(), e);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new CheckpointFormatException("the checkpoint is not valid: " + e.getMessage(), e);
    }
  }

  private static CheckpointFormatException truncated(int length) {
    return new CheckpointFormatException(
        "truncated: a checkpoint of " + length + " bytes ends before its checksums");
  }

  private static void checksum(String what, byte[] bytes, int end)
      throws CheckpointFormatException {
    int stored = ByteBuffer.wrap(bytes, end, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    int computed = crc(bytes, end);
    if (stored != computed) {
      throw new CheckpointFormatException(
          String.format(
              "checksum mismatch: the %s is %08x but the bytes give %08x; the checkpoint is"
                  + " damaged (or truncated)",
              what, stored, computed));
    }
  }

  private static int crc(byte[] bytes, int end) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, end);
    return (int) crc.getValue();
  }

  private static JsonNode parse(byte[] utf8) throws CheckpointFormatException {
    CharBuffer text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(utf8));
    } catch (CharacterCodingException e) {
      throw new CheckpointFormatException("manifest is not valid UTF-8", e);
    }
    try {
      JsonNode root = SpecJson.MAPPER.readTree(text.toString());
      if (root == null || !root.isObject()) {
        throw new CheckpointFormatException("manifest must be a JSON object");
      }
      return root;
    } catch (JacksonException e) {
      throw new CheckpointFormatException(
          "manifest is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static TrainingCheckpoint build(
      JsonNode root, ByteBuffer in, int dataStart, int dataEnd, ModelCodec.Limits limits)
      throws ModelFormatException {
    JsonFields.object(root, "", FIELDS, FIELDS);
    int formatVersion = JsonFields.integer(root.get("formatVersion"), "formatVersion");
    if (formatVersion != in.getInt(8)) {
      throw JsonFields.invalid("formatVersion", "differs from the header's version");
    }
    Family family;
    try {
      family = Family.fromWireName(JsonFields.string(root.get("family"), "family"));
    } catch (IllegalArgumentException e) {
      throw JsonFields.invalid("family", e.getMessage());
    }
    ModelSpec spec = SpecJson.read(family, root.get("spec"), "spec");
    TrainingParams params;
    try {
      params = SpecJson.MAPPER.treeToValue(root.get("training"), TrainingParams.class);
    } catch (JacksonException e) {
      throw JsonFields.invalid("training", "is not valid: " + e.getOriginalMessage());
    }
    int[] inputShape = JsonFields.integers(root.get("inputShape"), "inputShape");
    int outputs = JsonFields.integer(root.get("outputs"), "outputs");
    List<String> labels =
        root.get("labels").isNull() ? null : JsonFields.strings(root.get("labels"), "labels");
    Standardizer inputScaler = scaler(root.get("inputScaler"), "inputScaler", inputShape);
    Standardizer targetScaler =
        root.get("targetScaler").isNull()
            ? null
            : scaler(root.get("targetScaler"), "targetScaler", new int[] {outputs});
    int trainingRows = JsonFields.integer(root.get("trainingRows"), "trainingRows");
    int validationRows = JsonFields.integer(root.get("validationRows"), "validationRows");
    Problems problems = new Problems();
    Task task = labels == null ? Task.REGRESSION : Task.CLASSIFICATION;
    spec.validate(task, inputShape, problems);
    params.validate(trainingRows + validationRows, problems);
    if (!problems.isEmpty()) {
      throw JsonFields.invalid("spec", "or training is not valid: " + problems.messages());
    }
    int epoch = JsonFields.integer(root.get("epoch"), "epoch");
    if (epoch < 1 || epoch > params.epochs()) {
      throw JsonFields.invalid("epoch", "must be in [1, " + params.epochs() + "], was " + epoch);
    }
    long iteration = JsonFields.longInteger(root.get("iteration"), "iteration");
    JsonNode random = JsonFields.object(root.get("random"), "random", RANDOM, RANDOM);
    JsonNode stopping =
        JsonFields.object(root.get("earlyStopping"), "earlyStopping", STOPPING, STOPPING);
    TrainingCheckpoint.Stopping stoppingState =
        new TrainingCheckpoint.Stopping(
            JsonFields.anyDouble(stopping.get("bestLoss"), "earlyStopping.bestLoss"),
            JsonFields.integer(stopping.get("bestEpoch"), "earlyStopping.bestEpoch"),
            JsonFields.integer(
                stopping.get("epochsWithoutImprovement"),
                "earlyStopping.epochsWithoutImprovement"));

    Head head = labels == null ? Head.REGRESSION : Head.forClasses(outputs);
    long parameters = Architectures.parameterCount(spec, inputShape, head, outputs);
    IUpdater updater = params.optimizer().nd4jUpdater();
    long stateSize = updater == null ? parameters : updater.stateSize(parameters);
    boolean keepsBest =
        params.earlyStopping() != null
            && params.earlyStopping().restoreBestWeights()
            && stoppingState.bestEpoch() > 0;
    Map<String, Long> expected = new LinkedHashMap<>();
    expected.put("parameters", parameters);
    expected.put("updaterState", stateSize);
    if (keepsBest) {
      expected.put("bestParameters", parameters);
    }
    expected.put("order", (long) trainingRows);
    expected.put("trainLoss", (long) epoch);
    expected.put("validationLoss", (long) epoch);
    expected.put("elapsedNanos", (long) epoch);
    Map<String, Object> values =
        readTensors(
            JsonFields.array(root.get("tensors"), "tensors"),
            expected,
            in,
            dataStart,
            dataEnd,
            limits);

    List<EpochProgress> curve = new ArrayList<>(epoch);
    double[] trainLoss = (double[]) values.get("trainLoss");
    double[] validationLoss = (double[]) values.get("validationLoss");
    long[] elapsed = (long[]) values.get("elapsedNanos");
    for (int i = 0; i < epoch; i++) {
      curve.add(
          new EpochProgress(
              i + 1,
              params.epochs(),
              trainLoss[i],
              validationLoss[i],
              Duration.ofNanos(elapsed[i])));
    }
    int[] order = (int[]) values.get("order");
    boolean[] seen = new boolean[trainingRows];
    for (int row : order) {
      if (row < 0 || row >= trainingRows || seen[row]) {
        throw JsonFields.invalid("tensors", "'order' is not a permutation of the training rows");
      }
      seen[row] = true;
    }
    DataType dataType = entryType(root.get("tensors").get(0));
    return new TrainingCheckpoint(
        new TrainingCheckpoint.Identity(
            spec,
            params,
            inputShape,
            outputs,
            labels,
            inputScaler,
            targetScaler,
            trainingRows,
            validationRows),
        epoch,
        iteration,
        JsonFields.longInteger(random.get("shuffleState"), "random.shuffleState"),
        JsonFields.longInteger(random.get("dropoutRootState"), "random.dropoutRootState"),
        JsonFields.longInteger(random.get("dropoutNodeState"), "random.dropoutNodeState"),
        order,
        dataType,
        (double[]) values.get("parameters"),
        (double[]) values.get("updaterState"),
        stoppingState,
        keepsBest ? (double[]) values.get("bestParameters") : null,
        curve);
  }

  private static DataType entryType(JsonNode entry) throws ModelFormatException {
    return dtype(entry.get("dtype"), "tensors[0].dtype");
  }

  /** Checks the tensor table against {@code expected} (names in order, element counts). */
  private static Map<String, Object> readTensors(
      JsonNode table,
      Map<String, Long> expected,
      ByteBuffer in,
      int dataStart,
      int dataEnd,
      ModelCodec.Limits limits)
      throws ModelFormatException {
    if (table.size() != expected.size()) {
      throw JsonFields.invalid(
          "tensors", "must list " + expected.keySet() + ", has " + table.size() + " entries");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    long offset = 0;
    DataType networkType = null;
    int i = 0;
    for (Map.Entry<String, Long> want : expected.entrySet()) {
      String path = "tensors[" + i + "]";
      JsonNode entry = JsonFields.object(table.get(i++), path, TENSOR, TENSOR);
      String name = JsonFields.string(entry.get("name"), path + ".name");
      if (!name.equals(want.getKey())) {
        throw JsonFields.invalid(
            path + ".name", "must be '" + want.getKey() + "', was '" + name + "'");
      }
      DataType dtype = dtype(entry.get("dtype"), path + ".dtype");
      DataType required =
          switch (name) {
            case "order" -> DataType.INT;
            case "trainLoss", "validationLoss" -> DataType.DOUBLE;
            case "elapsedNanos" -> DataType.LONG;
            default -> networkType == null ? null : networkType;
          };
      if (required == null) {
        if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
          throw JsonFields.invalid(path + ".dtype", "must be float32 or float64");
        }
        networkType = dtype;
      } else if (dtype != required) {
        throw JsonFields.invalid(path + ".dtype", "must be " + dtypeName(required));
      }
      long[] shape = longs(entry.get("shape"), path + ".shape");
      if (shape.length != 1 || shape[0] != want.getValue()) {
        throw JsonFields.invalid(
            path + ".shape",
            "of tensor '"
                + name
                + "' must be ["
                + want.getValue()
                + "] for this spec and training, was "
                + Arrays.toString(shape));
      }
      long length = JsonFields.longInteger(entry.get("length"), path + ".length");
      long at = JsonFields.longInteger(entry.get("offset"), path + ".offset");
      if (at != offset || length != shape[0] * width(dtype)) {
        throw JsonFields.invalid(path, "has the wrong offset or length");
      }
      offset += length;
      if (offset > limits.maxTensorBytes() || offset > dataEnd - dataStart) {
        throw new ModelFormatException(
            "tensor '" + name + "' runs past the end of the checkpoint's data (truncated?)");
      }
      out.put(name, decode(in, dataStart + (int) at, dtype, (int) shape[0]));
    }
    if (offset != dataEnd - dataStart) {
      throw new ModelFormatException(
          "the tensors take "
              + offset
              + " bytes but the checkpoint holds "
              + (dataEnd - dataStart));
    }
    return out;
  }

  private static Object decode(ByteBuffer in, int at, DataType dtype, int n) {
    ByteBuffer view = in.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(at);
    switch (dtype) {
      case FLOAT -> {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
          out[i] = view.getFloat();
        }
        return out;
      }
      case DOUBLE -> {
        double[] out = new double[n];
        view.asDoubleBuffer().get(out);
        return out;
      }
      case INT -> {
        int[] out = new int[n];
        view.asIntBuffer().get(out);
        return out;
      }
      default -> {
        long[] out = new long[n];
        view.asLongBuffer().get(out);
        return out;
      }
    }
  }

  private static long[] longs(JsonNode node, String path) throws ModelFormatException {
    JsonFields.array(node, path);
    long[] out = new long[node.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = JsonFields.longInteger(node.get(i), path + "[" + i + "]");
    }
    return out;
  }

  private static Standardizer scaler(JsonNode node, String path, int[] shape)
      throws ModelFormatException {
    JsonFields.object(node, path, SCALER, SCALER);
    return new Standardizer(
        shape,
        JsonFields.finites(node.get("mean"), path + ".mean"),
        JsonFields.finites(node.get("scale"), path + ".scale"));
  }

  private static int width(DataType type) {
    return type == DataType.DOUBLE || type == DataType.LONG ? 8 : 4;
  }

  private static String dtypeName(DataType type) {
    return switch (type) {
      case FLOAT -> "float32";
      case DOUBLE -> "float64";
      case INT -> "int32";
      case LONG -> "int64";
      default -> throw new IllegalArgumentException("checkpoints hold no " + type + " tensors");
    };
  }

  private static DataType dtype(JsonNode node, String path) throws ModelFormatException {
    String name = JsonFields.string(node, path);
    return switch (name) {
      case "float32" -> DataType.FLOAT;
      case "float64" -> DataType.DOUBLE;
      case "int32" -> DataType.INT;
      case "int64" -> DataType.LONG;
      default -> throw JsonFields.invalid(path, "must be float32, float64, int32 or int64");
    };
  }
}

package dev.maas.serving;

import dev.maas.MaasApplication;
import dev.maas.compute.Predictions;
import dev.maas.compute.Preprocessor;
import dev.maas.compute.TrainedModel;
import dev.maas.errors.InvalidException;
import dev.maas.registry.ModelRegistry;
import dev.maas.registry.ModelVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The Open Inference Protocol for transports other than HTTP (the gRPC server): the same models,
 * versions and aliases, the same input checks, the same prediction path (merged native calls or the
 * heap) and the same meters as {@link InferenceController}, tagged with the caller's {@link
 * Protocol}. It speaks in plain tensors; the transport turns them into its own messages.
 */
public final class OpenInference {
  /** A tensor's metadata: name, datatype and shape, -1 for the batch. */
  public record TensorInfo(String name, String datatype, long[] shape) {}

  /** A model version's metadata. */
  public record ModelInfo(
      String name,
      List<String> versions,
      String platform,
      List<TensorInfo> inputs,
      List<TensorInfo> outputs) {}

  /**
   * An input tensor as sent: numbers ({@code numbers}, {@code count} of them) for a numeric or BOOL
   * datatype, text ({@code texts}) for BYTES. Numbers are the sent values, exactly.
   */
  public record Input(
      String name, String datatype, long[] shape, double[] numbers, int count, List<String> texts) {

    /** A numeric tensor. */
    public static Input numbers(String name, String datatype, long[] shape, double[] values) {
      return new Input(name, datatype, shape, values, values.length, null);
    }

    /** A BYTES tensor. */
    public static Input texts(String name, String datatype, long[] shape, List<String> values) {
      return new Input(name, datatype, shape, null, values.size(), values);
    }
  }

  /**
   * An output tensor: {@code texts} for BYTES (the labels), else {@code numbers} (FP32 outputs are
   * the model's values rounded to float, as the REST answer writes them).
   */
  public record Output(
      String name, String datatype, long[] shape, double[] numbers, List<String> texts) {}

  /** An infer answer: the version that answered and the outputs asked for, in order. */
  public record Answer(String modelName, String modelVersion, List<Output> outputs) {}

  private final Predictor predictor;
  private final ModelRegistry registry;
  private final ServingProperties limits;

  OpenInference(Predictor predictor, ModelRegistry registry, ServingProperties limits) {
    this.predictor = predictor;
    this.registry = registry;
    this.limits = limits;
  }

  /** The server's name. */
  public String serverName() {
    return "maas";
  }

  /** The server's version. */
  public String serverVersion() {
    String version = MaasApplication.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  /** The most bytes a request may have ({@code maas.serving.max-request-size}). */
  public long maxRequestBytes() {
    return limits.maxRequestSize().toBytes();
  }

  /** Loads the version if it is not loaded yet: ready means it answers now. */
  public boolean ready(Protocol protocol, String name, String version) {
    ModelVersion target = resolve(protocol, name, version);
    try (ModelCache.Lease lease = predictor.lease(protocol, target)) {
      return true;
    }
  }

  /** A version's metadata, as the REST metadata endpoint gives it. */
  public ModelInfo metadata(Protocol protocol, String name, String version) {
    ModelVersion target = resolve(protocol, name, version);
    try (ModelCache.Lease lease = predictor.lease(protocol, target)) {
      TrainedModel model = lease.model().model();
      String type = datatype(model);
      List<String> versions =
          registry.versions(target.name()).stream()
              .map(v -> Integer.toString(v.version()))
              .toList();
      List<TensorInfo> outputs =
          model.labels() == null
              ? List.of(new TensorInfo(InferenceController.OUTPUT, type, width(model)))
              : List.of(
                  new TensorInfo(InferenceController.LABEL, "BYTES", new long[] {-1}),
                  new TensorInfo(InferenceController.PROBABILITIES, type, width(model)));
      return new ModelInfo(
          target.name(), versions, "maas_nd4j", inputs(lease.model().layout(), type), outputs);
    }
  }

  /**
   * Predicts with the version {@code name} and {@code version} mean ({@code version} empty: the
   * default, a whole number: that version, else an alias). {@code inputs} is called once the
   * version is loaded, in the batcher's arrival window as for REST; {@code outputs} null or empty
   * asks for all of the model's outputs.
   */
  public Answer infer(
      Protocol protocol,
      String name,
      String version,
      Supplier<List<Input>> inputs,
      List<String> outputs) {
    long start = System.nanoTime();
    ModelVersion target = resolve(protocol, name, version);
    try (ModelCache.Lease lease = predictor.lease(protocol, target)) {
      LoadedModel model = lease.model();
      List<String> names = outputs == null || outputs.isEmpty() ? null : outputs;
      Batcher.Answer answer =
          predictor.predict(
              protocol,
              model,
              () -> {
                Rows rows = rows(inputs.get(), model.layout());
                checkOutputs(model.model(), names);
                return rows;
              });
      Answer out = answer(model, names, answer.predictions());
      predictor.succeeded(protocol, model, start);
      return out;
    }
  }

  private ModelVersion resolve(Protocol protocol, String name, String version) {
    if (name == null || name.isEmpty()) {
      throw new InvalidException("the model name is missing");
    }
    if (version == null || version.isEmpty()) {
      return predictor.resolve(protocol, name, null, null);
    }
    if (version.chars().allMatch(Character::isDigit)) {
      return predictor.resolve(protocol, name, number(version), null);
    }
    return predictor.resolve(protocol, name, null, version);
  }

  private static Integer number(String version) {
    return RequestArguments.versionNumber(version, "a whole number from 1 (or an alias)");
  }

  private Rows rows(List<Input> inputs, InputLayout layout) {
    if (inputs.isEmpty()) {
      throw new InvalidException(
          layout.raw()
              ? "'inputs' is empty; send one tensor per column " + layout.columns()
              : "'inputs' is empty; send the tensor '" + InferenceController.INPUT + "'");
    }
    for (int i = 0; i < inputs.size(); i++) {
      checkShape(inputs.get(i).shape(), "inputs[" + i + "]");
    }
    if (layout.raw()) {
      List<RawTensors.Tensor> tensors = new ArrayList<>();
      for (int i = 0; i < inputs.size(); i++) {
        Input in = inputs.get(i);
        List<Object> values = new ArrayList<>(in.count());
        if (in.texts() != null) {
          values.addAll(in.texts());
        } else {
          for (int k = 0; k < in.count(); k++) {
            values.add(in.numbers()[k]);
          }
        }
        tensors.add(
            RawTensors.checked("inputs[" + i + "]", in.name(), in.datatype(), in.shape(), values));
      }
      return RawTensors.rows(tensors, layout, limits.maxInstances());
    }
    if (inputs.size() > 1) {
      throw new InvalidException(
          "'inputs' has more than one tensor; the model takes one, '"
              + InferenceController.INPUT
              + "'");
    }
    Input in = inputs.get(0);
    if (!in.name().equals(InferenceController.INPUT)) {
      throw InferRequest.notTheInput("inputs[0]", in.name());
    }
    if (in.numbers() == null) {
      throw new InvalidException(
          "inputs[0].datatype '"
              + in.datatype()
              + "' is not a numeric datatype this model takes (FP16, FP32, FP64, INT8 to INT64,"
              + " UINT8 to UINT64)");
    }
    return InferRequest.rows(
        "inputs[0]",
        in.datatype(),
        in.shape(),
        in.numbers(),
        in.count(),
        layout,
        limits.maxInstances());
  }

  private static void checkShape(long[] shape, String path) {
    if (shape.length > 16) {
      throw new InvalidException(path + ".shape has " + shape.length + " sizes, more than 16");
    }
    for (int d = 0; d < shape.length; d++) {
      if (shape[d] < 0) {
        throw new InvalidException(
            path + ".shape[" + d + "] must be a size from 0, was " + shape[d]);
      }
    }
  }

  private static void checkOutputs(TrainedModel model, List<String> asked) {
    if (asked == null) {
      return;
    }
    List<String> known = outputNames(model);
    for (String name : asked) {
      if (!known.contains(name)) {
        throw new InvalidException(
            "the model has no output '" + name + "'; its outputs are " + known);
      }
    }
  }

  private static List<String> outputNames(TrainedModel model) {
    return model.labels() == null
        ? List.of(InferenceController.OUTPUT)
        : List.of(InferenceController.LABEL, InferenceController.PROBABILITIES);
  }

  private static Answer answer(LoadedModel loaded, List<String> asked, Predictions p) {
    TrainedModel model = loaded.model();
    boolean fp32 = model.dataType() != DataType.DOUBLE;
    List<String> names = asked == null ? outputNames(model) : asked;
    List<Output> outputs = new ArrayList<>(names.size());
    for (String name : names) {
      if (name.equals(InferenceController.LABEL)) {
        List<String> labels = new ArrayList<>(p.rows());
        for (int r = 0; r < p.rows(); r++) {
          labels.add(p.label(r));
        }
        outputs.add(new Output(name, "BYTES", new long[] {p.rows()}, null, labels));
      } else {
        double[] values = new double[p.rows() * p.width()];
        int at = 0;
        for (int r = 0; r < p.rows(); r++) {
          for (int k = 0; k < p.width(); k++) {
            double v = p.value(r, k);
            values[at++] = fp32 ? (float) v : v;
          }
        }
        outputs.add(
            new Output(
                name, fp32 ? "FP32" : "FP64", new long[] {p.rows(), p.width()}, values, null));
      }
    }
    return new Answer(loaded.name(), Integer.toString(loaded.number()), outputs);
  }

  private static List<TensorInfo> inputs(InputLayout layout, String type) {
    if (!layout.raw()) {
      return List.of(new TensorInfo(InferenceController.INPUT, type, layout.batchShape()));
    }
    List<TensorInfo> out = new ArrayList<>();
    for (Preprocessor.Step step : layout.preprocessing().steps()) {
      if (step instanceof Preprocessor.Categorical) {
        out.add(new TensorInfo(step.column(), "BYTES", new long[] {-1}));
      } else if (step instanceof Preprocessor.Numeric) {
        out.add(new TensorInfo(step.column(), "FP64", new long[] {-1}));
      }
    }
    if (layout.preprocessing().numeric()) {
      out.add(
          new TensorInfo(
              InferenceController.INPUT, "FP64", new long[] {-1, layout.columns().size()}));
    }
    return out;
  }

  private static long[] width(TrainedModel model) {
    return new long[] {-1, model.outputs()};
  }

  private static String datatype(TrainedModel model) {
    return model.dataType() == DataType.DOUBLE ? "FP64" : "FP32";
  }
}

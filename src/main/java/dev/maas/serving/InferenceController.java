package dev.maas.serving;

import dev.maas.MaasApplication;
import dev.maas.compute.Predictions;
import dev.maas.compute.Preprocessor;
import dev.maas.compute.TrainedModel;
import dev.maas.errors.InvalidException;
import dev.maas.registry.ModelRegistry;
import dev.maas.registry.ModelVersion;
import dev.maas.web.RequestBodies;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JsonGenerator;

/**
 * The Open Inference Protocol's REST endpoints (KServe "v2"): server and model health and metadata,
 * and infer. A model has one input tensor, {@code input}, of shape {@code [-1, ...input shape]}; a
 * regression model answers {@code output} {@code [-1, outputs]}, a classifier {@code label} (BYTES,
 * {@code [-1]}) and {@code probabilities} ({@code [-1, classes]}, in the order of the metadata's
 * {@code parameters.labels}). Errors are {@code {"error": "..."}}.
 */
@RestController
class InferenceController {
  static final String INPUT = "input";
  static final String OUTPUT = "output";
  static final String LABEL = "label";
  static final String PROBABILITIES = "probabilities";

  private final Predictor predictor;
  private final ModelRegistry registry;
  private final ServingProperties limits;

  InferenceController(Predictor predictor, ModelRegistry registry, ServingProperties properties) {
    this.predictor = predictor;
    this.registry = registry;
    this.limits = properties;
  }

  @GetMapping(path = "/v2", produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, Object> server() {
    String version = MaasApplication.class.getPackage().getImplementationVersion();
    return Map.of(
        "name", "maas", "version", version == null ? "dev" : version, "extensions", List.of());
  }

  @GetMapping(path = "/v2/health/live", produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, Object> live() {
    return Map.of("live", true);
  }

  @GetMapping(path = "/v2/health/ready", produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, Object> ready() {
    return Map.of("ready", true);
  }

  @GetMapping(path = "/v2/models/{name}", produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, Object> metadata(@PathVariable String name) {
    return metadata(predictor.resolve(Protocol.REST, name, null, null));
  }

  @GetMapping(
      path = "/v2/models/{name}/versions/{version}",
      produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, Object> metadata(@PathVariable String name, @PathVariable String version) {
    return metadata(predictor.resolve(Protocol.REST, name, number(version), null));
  }

  @GetMapping(path = "/v2/models/{name}/ready", produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, Object> modelReady(@PathVariable String name) {
    return ready(predictor.resolve(Protocol.REST, name, null, null));
  }

  @GetMapping(
      path = "/v2/models/{name}/versions/{version}/ready",
      produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, Object> modelReady(@PathVariable String name, @PathVariable String version) {
    return ready(predictor.resolve(Protocol.REST, name, number(version), null));
  }

  @PostMapping(
      path = "/v2/models/{name}/infer",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<byte[]> infer(HttpServletRequest request) throws IOException {
    long start = System.nanoTime();
    byte[] body =
        RequestBodies.read(
            request,
            limits.maxRequestSize(),
            ServingConfiguration.MAX_REQUEST_SIZE,
            "the infer request");
    String name = RequestArguments.pathVariable(request, "name");
    return infer(start, body, predictor.resolve(Protocol.REST, name, null, null));
  }

  @PostMapping(
      path = "/v2/models/{name}/versions/{version}/infer",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<byte[]> inferVersion(HttpServletRequest request) throws IOException {
    long start = System.nanoTime();
    byte[] body =
        RequestBodies.read(
            request,
            limits.maxRequestSize(),
            ServingConfiguration.MAX_REQUEST_SIZE,
            "the infer request");
    String name = RequestArguments.pathVariable(request, "name");
    Integer version = number(RequestArguments.pathVariable(request, "version"));
    return infer(start, body, predictor.resolve(Protocol.REST, name, version, null));
  }

  private ResponseEntity<byte[]> infer(long start, byte[] body, ModelVersion target) {
    try (ModelCache.Lease lease = predictor.lease(Protocol.REST, target)) {
      LoadedModel model = lease.model();
      InferRequest[] parsed = new InferRequest[1];
      Batcher.Answer answer =
          predictor.predict(
              Protocol.REST,
              model,
              () -> {
                parsed[0] = InferRequest.read(body, model.layout(), limits.maxInstances());
                checkOutputs(model.model(), parsed[0].outputs());
                return parsed[0].rows();
              });
      byte[] json = write(model, parsed[0], answer.predictions());
      predictor.succeeded(Protocol.REST, model, start);
      return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(json);
    }
  }

  /** Loads the version if it is not loaded yet (warm-up included): ready means it answers now. */
  private Map<String, Object> ready(ModelVersion version) {
    try (ModelCache.Lease lease = predictor.lease(Protocol.REST, version)) {
      return Map.of("name", version.name(), "ready", true);
    }
  }

  private Map<String, Object> metadata(ModelVersion version) {
    try (ModelCache.Lease lease = predictor.lease(Protocol.REST, version)) {
      TrainedModel model = lease.model().model();
      String type = datatype(model);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("name", version.name());
      out.put(
          "versions",
          registry.versions(version.name()).stream()
              .map(v -> Integer.toString(v.version()))
              .toList());
      out.put("platform", "maas_nd4j");
      out.put("inputs", inputs(lease.model().layout(), type));
      if (model.labels() == null) {
        out.put("outputs", List.of(tensor(OUTPUT, type, new long[] {-1, model.outputs()})));
      } else {
        out.put(
            "outputs",
            List.of(
                tensor(LABEL, "BYTES", new long[] {-1}),
                tensor(PROBABILITIES, type, new long[] {-1, model.outputs()})));
      }
      Map<String, Object> parameters = new LinkedHashMap<>();
      parameters.put("version", version.version());
      parameters.put("family", version.family());
      parameters.put("task", version.task());
      if (model.labels() != null) {
        parameters.put("labels", model.labels());
      }
      if (model.features() != null) {
        parameters.put("features", model.features());
      }
      out.put("parameters", parameters);
      return out;
    }
  }

  private static Map<String, Object> tensor(String name, String datatype, long[] shape) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("name", name);
    t.put("datatype", datatype);
    t.put("shape", shape);
    return t;
  }

  /** FP32 for models with float parameters, FP64 for double ones (exact least squares). */
  /**
   * The model's inputs: the one tensor {@code input}, or for a model that takes raw table rows one
   * tensor per column it uses ({@code BYTES} for a categorical column; columns it drops are left
   * out, and any column not sent is missing), plus {@code input} with every column when all are
   * numbers.
   */
  private static List<Map<String, Object>> inputs(InputLayout layout, String type) {
    if (!layout.raw()) {
      return List.of(tensor(INPUT, type, layout.batchShape()));
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Preprocessor.Step step : layout.preprocessing().steps()) {
      if (step instanceof Preprocessor.Categorical) {
        out.add(tensor(step.column(), "BYTES", new long[] {-1}));
      } else if (step instanceof Preprocessor.Numeric) {
        out.add(tensor(step.column(), "FP64", new long[] {-1}));
      }
    }
    if (layout.preprocessing().numeric()) {
      out.add(tensor(INPUT, "FP64", new long[] {-1, layout.columns().size()}));
    }
    return out;
  }

  private static String datatype(TrainedModel model) {
    return model.dataType() == DataType.DOUBLE ? "FP64" : "FP32";
  }

  private static List<String> outputNames(TrainedModel model) {
    return model.labels() == null ? List.of(OUTPUT) : List.of(LABEL, PROBABILITIES);
  }

  static void checkOutputs(TrainedModel model, List<String> asked) {
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

  private static Integer number(String version) {
    return RequestArguments.versionNumber(version, "a whole number from 1");
  }

  static byte[] write(LoadedModel loaded, InferRequest request, Predictions p) {
    TrainedModel model = loaded.model();
    boolean fp32 = model.dataType() != DataType.DOUBLE;
    List<String> names = request.outputs() == null ? outputNames(model) : request.outputs();
    ByteArrayOutputStream out = new ByteArrayOutputStream(96 + 24 * p.rows() * p.width());
    try (JsonGenerator g = JsonBody.generator(out)) {
      g.writeStartObject();
      g.writeStringProperty("model_name", loaded.name());
      g.writeStringProperty("model_version", Integer.toString(loaded.number()));
      if (request.id() != null) {
        g.writeStringProperty("id", request.id());
      }
      g.writeArrayPropertyStart("outputs");
      for (String name : names) {
        g.writeStartObject();
        g.writeStringProperty("name", name);
        if (name.equals(LABEL)) {
          g.writeStringProperty("datatype", "BYTES");
          g.writeArrayPropertyStart("shape");
          g.writeNumber(p.rows());
          g.writeEndArray();
          g.writeArrayPropertyStart("data");
          for (int r = 0; r < p.rows(); r++) {
            g.writeString(p.label(r));
          }
        } else {
          g.writeStringProperty("datatype", fp32 ? "FP32" : "FP64");
          g.writeArrayPropertyStart("shape");
          g.writeNumber(p.rows());
          g.writeNumber(p.width());
          g.writeEndArray();
          g.writeArrayPropertyStart("data");
          for (int r = 0; r < p.rows(); r++) {
            for (int k = 0; k < p.width(); k++) {
              if (fp32) {
                g.writeNumber((float) p.value(r, k));
              } else {
                g.writeNumber(p.value(r, k));
              }
            }
          }
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return out.toByteArray();
  }
}

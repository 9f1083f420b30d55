package dev.maas.serving;

import dev.maas.compute.Predictions;
import dev.maas.errors.DomainException;
import dev.maas.registry.ModelVersion;
import dev.maas.web.RequestBodies;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;
import tools.jackson.core.JsonGenerator;

/**
 * {@code POST /api/v1/models/{name}/predict}: instances in, predictions out.
 *
 * <p>It is a functional route ({@link #route()}) rather than an annotated controller method, the
 * hottest path of the server being the one place where that choice shows: Spring's annotated
 * mapping compares a request with every annotated endpoint's conditions, and that scan was over a
 * quarter of a prediction's CPU samples under 32 concurrent clients (JFR), while functional routes
 * are tried first and matched by path directly. Errors still go through {@code
 * ProblemDetailsAdvice}.
 */
final class PredictController {
  static final String PATH = "/api/v1/models/{name}/predict";

  private final Predictor predictor;
  private final ServingProperties limits;

  PredictController(Predictor predictor, ServingProperties properties) {
    this.predictor = predictor;
    this.limits = properties;
  }

  RouterFunction<ServerResponse> route() {
    return RouterFunctions.route().POST(PATH, this::predict).build();
  }

  ServerResponse predict(ServerRequest request)
      throws IOException, HttpMediaTypeNotSupportedException {
    long start = System.nanoTime();
    requireJson(request);
    HttpServletRequest servlet = request.servletRequest();
    byte[] body =
        RequestBodies.read(
            servlet,
            limits.maxRequestSize(),
            ServingConfiguration.MAX_REQUEST_SIZE,
            "the prediction request");
    ModelVersion target =
        predictor.resolve(
            Protocol.REST,
            request.pathVariable("name"),
            RequestArguments.integer(servlet, "version"),
            servlet.getParameter("alias"));
    try (ModelCache.Lease lease = predictor.lease(Protocol.REST, target)) {
      LoadedModel model = lease.model();
      InstancesReader reader = new InstancesReader(model.layout(), limits.maxInstances());
      Batcher.Answer answer = predictor.predict(Protocol.REST, model, () -> reader.read(body));
      byte[] json = write(model, answer.predictions());
      predictor.succeeded(Protocol.REST, model, start);
      return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).body(json);
    }
  }

  /** The body must be JSON (a 415 otherwise, as an annotated {@code consumes} would answer). */
  private static void requireJson(ServerRequest request) throws HttpMediaTypeNotSupportedException {
    String header = request.servletRequest().getContentType();
    MediaType type = null;
    try {
      type = header == null ? null : MediaType.parseMediaType(header);
    } catch (IllegalArgumentException unreadable) { // a malformed type or an unknown charset
      throw new HttpMediaTypeNotSupportedException(
          "the Content-Type '" + DomainException.abbreviate(header) + "' cannot be read");
    }
    if (type == null || !MediaType.APPLICATION_JSON.isCompatibleWith(type)) {
      throw new HttpMediaTypeNotSupportedException(type, List.of(MediaType.APPLICATION_JSON));
    }
  }

  /**
   * {@code {"model", "version", "predictions": [...]}}: per row {@code {"label", "probabilities":
   * {label: p}}}, {@code {"value"}} or {@code {"values": [...]}}.
   */
  static byte[] write(LoadedModel model, Predictions p) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 48 * p.rows() * p.width());
    try (JsonGenerator g = JsonBody.generator(out)) {
      g.writeStartObject();
      g.writeStringProperty("model", model.name());
      g.writeNumberProperty("version", model.number());
      g.writeArrayPropertyStart("predictions");
      List<String> labels = p.labels();
      for (int r = 0; r < p.rows(); r++) {
        g.writeStartObject();
        if (labels != null) {
          g.writeStringProperty("label", p.label(r));
          g.writeObjectPropertyStart("probabilities");
          for (int k = 0; k < labels.size(); k++) {
            g.writeNumberProperty(labels.get(k), p.value(r, k));
          }
          g.writeEndObject();
        } else if (p.width() == 1) {
          g.writeNumberProperty("value", p.value(r, 0));
        } else {
          g.writeArrayPropertyStart("values");
          for (int k = 0; k < p.width(); k++) {
            g.writeNumber(p.value(r, k));
          }
          g.writeEndArray();
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return out.toByteArray();
  }
}

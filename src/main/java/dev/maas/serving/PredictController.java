package dev.maas.serving;

import dev.maas.MaasProperties;
import dev.maas.compute.Predictions;
import dev.maas.registry.ModelVersion;
import dev.maas.web.RequestBodies;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JsonGenerator;

/**
 * {@code POST /api/v1/models/{name}/predict}: instances in, predictions out. Its arguments are read
 * from the request itself ({@link RequestArguments}) rather than bound by annotations: Spring's
 * binding of named arguments evaluates each name through a shared cache that was the most contended
 * monitor of a prediction's path under 32 concurrent clients (JFR).
 */
@RestController
class PredictController {
  private final Predictor predictor;
  private final MaasProperties.Serving limits;

  PredictController(Predictor predictor, MaasProperties properties) {
    this.predictor = predictor;
    this.limits = properties.serving();
  }

  @PostMapping(
      path = "/api/v1/models/{name}/predict",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<byte[]> predict(HttpServletRequest request) throws IOException {
    long start = System.nanoTime();
    byte[] body = RequestBodies.read(request, limits.maxRequestSize(), "the prediction request");
    ModelVersion target =
        predictor.resolve(
            RequestArguments.pathVariable(request, "name"),
            RequestArguments.integer(request, "version"),
            request.getParameter("alias"));
    try (ModelCache.Lease lease = predictor.lease(target)) {
      LoadedModel model = lease.model();
      InstancesReader reader = new InstancesReader(model.layout(), limits.maxInstances());
      Batcher.Answer answer = predictor.predict(model, () -> reader.read(body));
      byte[] json = write(model, answer.predictions());
      predictor.succeeded(model, start);
      return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(json);
    }
  }

  /**
   * {@code {"model", "version", "predictions": [...]}}: per row {@code {"label", "probabilities":
   * {label: p}}}, {@code {"value"}} or {@code {"values": [...]}}.
   */
  private static byte[] write(LoadedModel model, Predictions p) {
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

package dev.maas.capacity;

import dev.maas.compute.Architectures;
import dev.maas.compute.Family;
import dev.maas.compute.ModelSpec;
import dev.maas.compute.Problems;
import dev.maas.compute.Task;
import dev.maas.errors.InvalidException;
import dev.maas.training.TrainingSpecs;
import dev.maas.web.Paging;
import java.util.Locale;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code /api/v1/capacity}: the capacity and cost report, and training forecasts. */
@RestController
@RequestMapping("/api/v1/capacity")
class CapacityController {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final CapacityReport report;
  private final Forecaster forecaster;

  CapacityController(CapacityReport report, Forecaster forecaster) {
    this.report = report;
    this.forecaster = forecaster;
  }

  @GetMapping
  CapacityAnswer capacity(
      @RequestParam(required = false) Double targetRps,
      @RequestParam(required = false) Double p99Ms,
      @RequestParam(required = false) String model,
      @RequestParam(defaultValue = "0") int offset,
      @RequestParam(defaultValue = Paging.DEFAULT_LIMIT_TEXT) int limit) {
    Paging page = new Paging(offset, limit);
    if ((targetRps == null) != (p99Ms == null)) {
      throw new InvalidException("'targetRps' and 'p99Ms' go together: give both or neither");
    }
    CapacityAnswer.Target target = null;
    if (targetRps != null) {
      if (!(targetRps >= 0) || Double.isInfinite(targetRps)) {
        throw new InvalidException("'targetRps' must be a finite number, 0 or more");
      }
      if (!(p99Ms > 0) || Double.isInfinite(p99Ms)) {
        throw new InvalidException("'p99Ms' must be a finite number above 0");
      }
      target = new CapacityAnswer.Target(targetRps, p99Ms);
    }
    return report.report(target, model, page.offset(), page.limit());
  }

  @GetMapping("/forecast")
  Forecast forecast(
      @RequestParam String family,
      @RequestParam long rows,
      @RequestParam int epochs,
      @RequestParam(required = false) String spec,
      @RequestParam(required = false) String inputShape,
      @RequestParam(required = false) Integer outputs,
      @RequestParam(required = false) String task) {
    Family f;
    try {
      f = Family.fromWireName(family);
    } catch (IllegalArgumentException e) {
      throw new InvalidException("'family': " + e.getMessage());
    }
    if (rows < 1 || epochs < 1) {
      throw new InvalidException("'rows' and 'epochs' must be at least 1");
    }
    Long flopsPerRow = null;
    if (inputShape != null) {
      flopsPerRow = flopsPerRow(f, spec, shape(inputShape), outputs, task);
    } else if (spec != null || outputs != null || task != null) {
      throw new InvalidException("'spec', 'outputs' and 'task' need 'inputShape'");
    }
    return forecaster.forecast(f, rows, epochs, flopsPerRow);
  }

  private static long flopsPerRow(
      Family family, String specJson, int[] shape, Integer outputs, String taskName) {
    JsonNode node = null;
    if (specJson != null) {
      try {
        node = JSON.readTree(specJson);
      } catch (JacksonException e) {
        throw new InvalidException("'spec' is not JSON: " + e.getOriginalMessage());
      }
    }
    Task task;
    if (taskName == null) {
      task = family == Family.LOGISTIC_REGRESSION ? Task.CLASSIFICATION : Task.REGRESSION;
    } else if (taskName.equals("classification") || taskName.equals("regression")) {
      task = Task.valueOf(taskName.toUpperCase(Locale.ROOT));
    } else {
      throw new InvalidException("'task' must be classification or regression");
    }
    int out = outputs != null ? outputs : task == Task.CLASSIFICATION ? 2 : 1;
    if (out < 1 || out > 100_000) {
      throw new InvalidException("'outputs' must be 1 to 100000");
    }
    ModelSpec spec = TrainingSpecs.read(family, node);
    Problems problems = new Problems();
    spec.validate(task, shape, problems);
    problems.throwIfAny();
    try {
      return Architectures.flopsPerRow(spec, shape, task, out)[1];
    } catch (IllegalArgumentException e) {
      throw new InvalidException("cannot count FLOPs of this spec: " + e.getMessage());
    }
  }

  private static int[] shape(String text) {
    String[] parts = text.split(",");
    int[] shape = new int[parts.length];
    try {
      for (int i = 0; i < parts.length; i++) {
        shape[i] = Integer.parseInt(parts[i].trim());
        if (shape[i] < 1 || shape[i] > 1_000_000) {
          throw new NumberFormatException();
        }
      }
    } catch (NumberFormatException e) {
      throw new InvalidException(
          "'inputShape' must be 1 to 3 positive integers separated by commas, e.g. 1,8,8");
    }
    if (shape.length > 3) {
      throw new InvalidException("'inputShape' has at most 3 dimensions");
    }
    return shape;
  }
}

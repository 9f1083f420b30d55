package dev.maas.comparison;

import dev.maas.errors.InvalidException;
import dev.maas.web.Callers;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** {@code /api/v1/comparisons}: candidates trained, ranked by quality against what they cost. */
@RestController
@RequestMapping("/api/v1/comparisons")
class ComparisonController {
  private final Comparisons comparisons;

  ComparisonController(Comparisons comparisons) {
    this.comparisons = comparisons;
  }

  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<ComparisonView> start(@RequestBody JsonNode body) {
    Comparison c = comparisons.start(body, Callers.current().orElse(null));
    return ResponseEntity.accepted()
        .location(URI.create("/api/v1/comparisons/" + c.id))
        .body(c.view());
  }

  /** The newest comparisons first, as their views. */
  @GetMapping
  Map<String, List<ComparisonView>> list(@RequestParam(defaultValue = "20") int limit) {
    if (limit < 1 || limit > 100) {
      throw new InvalidException("'limit' must be from 1 to 100");
    }
    return Map.of("comparisons", comparisons.list(limit));
  }

  @GetMapping("/{id}")
  ComparisonView get(@PathVariable String id) {
    return comparisons.get(id).view();
  }

  @PostMapping("/{id}/cancel")
  ComparisonView cancel(@PathVariable String id) {
    return comparisons.cancel(id).view();
  }
}

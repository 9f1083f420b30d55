package dev.maas.capacity;

import dev.maas.compute.Architectures;
import dev.maas.compute.ModelCodec;
import dev.maas.compute.ModelFormatException;
import dev.maas.compute.ModelManifest;
import dev.maas.registry.ModelRegistry;
import dev.maas.registry.ModelVersion;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a stored model version's file says about its cost: parameters, analytic FLOPs per prediction
 * and per training row, and the bytes its parameters take. Read from the manifest alone (no
 * parameters are loaded) and cached by SHA-256, since versions never change.
 */
final class VersionFigures {
  /**
   * @param parameters the parameter count
   * @param flopsPerPrediction analytic FLOPs of one prediction row
   * @param flopsPerTrainingRow analytic FLOPs of one training row (forward and backward)
   * @param parameterBytes bytes of the parameters in memory (count x the type's width)
   */
  record Figures(
      long parameters, long flopsPerPrediction, long flopsPerTrainingRow, long parameterBytes) {}

  private final ModelRegistry registry;
  private final Map<String, Figures> bySha = new ConcurrentHashMap<>();

  VersionFigures(ModelRegistry registry) {
    this.registry = registry;
  }

  /** The figures of {@code v}, or null when its file cannot be read. */
  Figures of(ModelVersion v) {
    Figures cached = bySha.get(v.artifactSha256());
    if (cached != null) {
      return cached;
    }
    try {
      ModelManifest m = ModelCodec.readManifest(registry.artifact(v.name(), v.version()));
      long[] flops = Architectures.flopsPerRow(m.spec(), m.inputShape(), m.task(), m.outputs());
      Figures f =
          new Figures(
              m.parameterCount(), flops[0], flops[1], m.parameterCount() * m.dataType().width());
      bySha.put(v.artifactSha256(), f);
      return f;
    } catch (ModelFormatException | RuntimeException e) {
      return null;
    }
  }
}

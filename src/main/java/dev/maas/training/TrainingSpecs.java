package dev.maas.training;

import dev.maas.compute.Family;
import dev.maas.compute.ModelSpec;
import dev.maas.compute.Problems;
import tools.jackson.databind.JsonNode;

/** Reads a spec in the training API's shape, with its defaults, for other features. */
public final class TrainingSpecs {
  private TrainingSpecs() {}

  /**
   * The spec of {@code family} written as in a training request ({@code null} or empty: the
   * family's defaults).
   *
   * @throws dev.maas.compute.InvalidException listing every problem
   */
  public static ModelSpec read(Family family, JsonNode spec) {
    Problems problems = new Problems();
    ModelSpec out = SpecReader.spec(family, spec, problems);
    problems.throwIfAny();
    return out;
  }
}

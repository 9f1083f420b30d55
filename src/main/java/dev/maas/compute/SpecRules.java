package dev.maas.compute;

import java.util.Arrays;

/** Limits shared by the specs, and the input-shape checks of the vector families. */
final class SpecRules {
  static final int MAX_UNITS = 65_536;
  static final int MAX_LAYERS = 64;

  private SpecRules() {}

  static void requireVector(int[] inputShape, Problems problems) {
    problems.require(
        inputShape != null && inputShape.length == 1 && inputShape[0] >= 1,
        "inputShape",
        "must be [features] with at least one feature, was " + Arrays.toString(inputShape));
  }

  static boolean positive(int[] shape) {
    return Arrays.stream(shape).allMatch(d -> d >= 1);
  }
}

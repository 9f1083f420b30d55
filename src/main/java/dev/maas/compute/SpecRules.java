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

  /**
   * An unmodifiable copy that keeps null elements, so that validation can name them instead of the
   * constructor failing without saying where.
   */
  static <T> java.util.List<T> copy(java.util.List<T> list) {
    return list == null
        ? java.util.List.of()
        : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(list));
  }

  static boolean positive(int[] shape) {
    return Arrays.stream(shape).allMatch(d -> d >= 1);
  }
}

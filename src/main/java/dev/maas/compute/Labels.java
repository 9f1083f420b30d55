package dev.maas.compute;

import dev.maas.errors.InvalidException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The class labels of a classification task in a fixed order: numerically when every label is a
 * number ("2" before "10"), otherwise alphabetically. The order defines class indices and is stored
 * with the model.
 */
public final class Labels {
  private Labels() {}

  /** The distinct labels of {@code values}, in label order. */
  /**
   * A number as a text value, for class labels and categorical levels read from a number column:
   * integral values below 10^15 without a fraction ({@code 3}, not {@code 3.0}), others as {@link
   * Double#toString(double)} writes them.
   */
  public static String text(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  public static List<String> distinct(String[] values) {
    TreeSet<String> set = new TreeSet<>(order(values));
    for (String v : values) {
      set.add(v);
    }
    return List.copyOf(set);
  }

  /** Class index of each value in {@code labels}; unknown values are an error naming the row. */
  public static int[] indices(String[] values, List<String> labels) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      index.put(labels.get(i), i);
    }
    int[] out = new int[values.length];
    for (int r = 0; r < values.length; r++) {
      Integer k = index.get(values[r]);
      if (k == null) {
        throw InvalidException.listing(
            "target row " + r + " has label '" + values[r] + "', unknown to the model " + labels);
      }
      out[r] = k;
    }
    return out;
  }

  private static Comparator<String> order(String[] values) {
    List<String> all = new ArrayList<>(List.of(values));
    boolean numeric = all.stream().allMatch(Labels::isNumber);
    return numeric
        ? Comparator.<String>comparingDouble(Double::parseDouble).thenComparing(s -> s)
        : Comparator.naturalOrder();
  }

  private static boolean isNumber(String s) {
    try {
      return Double.isFinite(Double.parseDouble(s));
    } catch (NumberFormatException e) {
      return false;
    }
  }
}

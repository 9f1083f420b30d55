package dev.maas.compute;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a feature-vector model does to a raw table row before its network sees it, fitted on the
 * training rows only and stored in the model file, so that predictions take raw rows: numbers with
 * gaps, and text categories.
 *
 * <p>Each input column is one {@link Step}, in the order of the model's input columns:
 *
 * <ul>
 *   <li>{@link Numeric}: a missing value is replaced by the column's median of the training rows
 *       (or mean, or a constant), and when the training rows had gaps an indicator column says
 *       which values were imputed (1) or given (0);
 *   <li>{@link Categorical}: one-hot over the levels kept (those seen at least {@code minCount}
 *       times, at most {@code maxLevels} of them, most frequent first), one {@code (other)} column
 *       for the levels not kept when there were any, and one {@code (missing)} column when the
 *       training rows had missing values. A level never seen in training goes to {@code (other)}
 *       when there is one, and a missing value to {@code (missing)}, else to {@code (other)}; with
 *       neither, the row has no 1 in that column's block (as scikit-learn's
 *       handle_unknown="ignore");
 *   <li>{@link Dropped}: a column that carries nothing (no value in the training rows, or one value
 *       only) or that the request dropped; its input is accepted and ignored.
 * </ul>
 *
 * The output is a row of {@link #width()} numbers, named by {@link #outputNames()}; the model's
 * standardizer then scales each output column as it scales any numeric feature.
 */
public final class Preprocessor {
  /** How a number column's missing values are filled. */
  public enum Impute {
    MEDIAN,
    MEAN,
    CONSTANT;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The strategy named {@code name} ({@code median}, {@code mean}, {@code constant}), or null.
     */
    public static Impute of(String name) {
      for (Impute i : values()) {
        if (i.wireName().equals(name)) {
          return i;
        }
      }
      return null;
    }
  }

  /** One input column's transformation. */
  public sealed interface Step permits Numeric, Categorical, Dropped {
    /** The input column's name. */
    String column();

    /** The number of output values. */
    int width();
  }

  /**
   * A number column: missing values become {@code fill}; {@code indicator} adds a column that is 1
   * where the value was missing.
   */
  public record Numeric(String column, Impute impute, double fill, boolean indicator)
      implements Step {
    public Numeric {
      if (!Double.isFinite(fill)) {
        throw new IllegalArgumentException("column '" + column + "': fill must be finite");
      }
    }

    @Override
    public int width() {
      return indicator ? 2 : 1;
    }
  }

  /** A text column, one-hot over {@code levels}, then {@code (other)} and {@code (missing)}. */
  public record Categorical(String column, List<String> levels, boolean other, boolean missing)
      implements Step {
    public Categorical {
      levels = List.copyOf(levels);
      if (new HashSet<>(levels).size() != levels.size()) {
        throw new IllegalArgumentException("column '" + column + "': levels repeat");
      }
    }

    @Override
    public int width() {
      return levels.size() + (other ? 1 : 0) + (missing ? 1 : 0);
    }
  }

  /** A column the model ignores, and why. */
  public record Dropped(String column, String reason) implements Step {
    @Override
    public int width() {
      return 0;
    }
  }

  /**
   * How to fit. {@code columns} overrides the defaults per column.
   *
   * @param impute the default strategy for number columns
   * @param minCount the fewest training rows a level needs to get a column of its own
   * @param maxLevels the most levels one text column keeps (the most frequent)
   */
  public record Options(
      Impute impute, int minCount, int maxLevels, Map<String, ColumnOptions> columns) {
    public static final Options DEFAULT = new Options(Impute.MEDIAN, 5, 50, Map.of());

    public Options {
      columns = Map.copyOf(columns);
    }

    ColumnOptions of(String column) {
      return columns.getOrDefault(column, ColumnOptions.NONE);
    }
  }

  /**
   * One column's overrides; null fields take the defaults. {@code categorical} treats a number
   * column as text (the caller passes its values as text).
   */
  public record ColumnOptions(
      boolean drop,
      boolean categorical,
      Impute impute,
      Double value,
      Integer minCount,
      Integer maxLevels) {
    public static final ColumnOptions NONE =
        new ColumnOptions(false, false, null, null, null, null);
  }

  /** A raw value of the wrong kind for its column: text where a number belongs. */
  public static final class ValueException extends IllegalArgumentException {
    private final int column;

    ValueException(int column, String message) {
      super(message);
      this.column = column;
    }

    /** The index of the input column. */
    public int column() {
      return column;
    }
  }

  private final List<Step> steps;
  private final List<String> columns;
  private final List<String> outputNames;
  private final List<Map<String, Integer>> levelIndex = new ArrayList<>();
  private final int width;

  private Preprocessor(List<Step> steps) {
    this.steps = List.copyOf(steps);
    List<String> names = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Step step : this.steps) {
      if (!seen.add(step.column())) {
        throw new IllegalArgumentException("column '" + step.column() + "' appears twice");
      }
      names.add(step.column());
      Map<String, Integer> index = null;
      if (step instanceof Numeric n) {
        outputs.add(n.column());
        if (n.indicator()) {
          outputs.add(n.column() + "=(missing)");
        }
      } else if (step instanceof Categorical c) {
        index = new HashMap<>();
        for (String level : c.levels()) {
          index.put(level, index.size());
          outputs.add(c.column() + "=" + level);
        }
        if (c.other()) {
          outputs.add(c.column() + "=(other)");
        }
        if (c.missing()) {
          outputs.add(c.column() + "=(missing)");
        }
      }
      levelIndex.add(index);
    }
    this.columns = List.copyOf(names);
    this.outputNames = List.copyOf(outputs);
    this.width = outputs.size();
    if (width == 0) {
      throw new IllegalArgumentException(
          "no input column is left: every column was dropped (" + reasons() + ")");
    }
  }

  /** A preprocessor of {@code steps}, one per input column, in input order. */
  public static Preprocessor of(List<Step> steps) {
    return new Preprocessor(steps);
  }

  public List<Step> steps() {
    return steps;
  }

  /** The input columns' names, in order. */
  public List<String> columns() {
    return columns;
  }

  /** The names of the output values: a column, {@code column=level}, {@code column=(missing)}. */
  public List<String> outputNames() {
    return outputNames;
  }

  /** The number of output values per row. */
  public int width() {
    return width;
  }

  /** Whether every column is a number column (an input row may then be an array of numbers). */
  public boolean numeric() {
    return steps.stream().noneMatch(s -> s instanceof Categorical);
  }

  /** Whether a row of numbers without gaps passes unchanged: numbers only, nothing dropped. */
  public boolean identityForCompleteRows() {
    return steps.stream().allMatch(s -> s instanceof Numeric n && !n.indicator());
  }

  /**
   * Fits a preprocessor on the training rows. {@code values.get(i)} is the column {@code
   * names.get(i)}: a {@code double[]} (NaN for missing) for a number column, a {@code String[]}
   * (null for missing) for a text column.
   */
  public static Preprocessor fit(List<String> names, List<Object> values, Options options) {
    List<Step> steps = new ArrayList<>();
    for (int c = 0; c < names.size(); c++) {
      String name = names.get(c);
      ColumnOptions o = options.of(name);
      if (o.drop()) {
        steps.add(new Dropped(name, "dropped by the request"));
      } else if (values.get(c) instanceof double[] numbers) {
        steps.add(numeric(name, numbers, o.impute() == null ? options.impute() : o.impute(), o));
      } else if (values.get(c) instanceof String[] text) {
        steps.add(
            categorical(
                name,
                text,
                o.minCount() == null ? options.minCount() : o.minCount(),
                o.maxLevels() == null ? options.maxLevels() : o.maxLevels()));
      } else {
        throw new IllegalArgumentException("column '" + name + "' is neither numbers nor text");
      }
    }
    return new Preprocessor(steps);
  }

  private static Step numeric(String name, double[] values, Impute impute, ColumnOptions o) {
    double[] present = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
    if (present.length == 0) {
      return new Dropped(name, "no value in the training rows");
    }
    boolean gaps = present.length < values.length;
    if (!gaps && present[0] == present[present.length - 1]) {
      return new Dropped(name, "one value only in the training rows");
    }
    double fill;
    int n = present.length;
    if (impute == Impute.MEDIAN) {
      fill = n % 2 == 1 ? present[n / 2] : (present[n / 2 - 1] + present[n / 2]) / 2;
    } else if (impute == Impute.MEAN) {
      fill = Arrays.stream(present).sum() / n;
    } else if (o.value() != null) {
      fill = o.value();
    } else {
      throw new IllegalArgumentException("column '" + name + "': impute constant needs a value");
    }
    return new Numeric(name, impute, fill, gaps);
  }

  private static Step categorical(String name, String[] values, int minCount, int maxLevels) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    boolean missing = false;
    for (String v : values) {
      if (v == null) {
        missing = true;
      } else {
        counts.merge(v, 1, Integer::sum);
      }
    }
    if (counts.isEmpty()) {
      return new Dropped(name, "no value in the training rows");
    }
    if (counts.size() == 1 && !missing) {
      return new Dropped(name, "one value only in the training rows");
    }
    List<Map.Entry<String, Integer>> byCount = new ArrayList<>(counts.entrySet());
    byCount.sort(
        Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue)
            .reversed()
            .thenComparing(Map.Entry::getKey));
    List<String> kept = new ArrayList<>();
    for (Map.Entry<String, Integer> e : byCount) {
      if (e.getValue() >= minCount && kept.size() < maxLevels) {
        kept.add(e.getKey());
      }
    }
    boolean other = kept.size() < counts.size();
    return new Categorical(name, kept, other, missing);
  }

  /**
   * Transforms one raw row into {@code out[offset .. offset + width)}. {@code raw[i]} is input
   * column {@code i}'s value: a {@link Number} or a {@link String}, null (or NaN) when missing.
   *
   * @throws ValueException text for a number column
   */
  public void transform(Object[] raw, double[] out, int offset) {
    if (raw.length != steps.size()) {
      throw new IllegalArgumentException(
          "a row has " + raw.length + " values where the model takes " + steps.size());
    }
    int o = offset;
    for (int c = 0; c < raw.length; c++) {
      Object v = raw[c];
      Step step = steps.get(c);
      if (step instanceof Numeric n) {
        double d;
        if (v == null) {
          d = Double.NaN;
        } else if (v instanceof Number number) {
          d = number.doubleValue();
        } else {
          throw new ValueException(
              c, "column '" + n.column() + "' takes a number, not the text '" + v + "'");
        }
        if (Double.isInfinite(d)) {
          throw new ValueException(c, "column '" + n.column() + "' takes a finite number");
        }
        boolean gap = Double.isNaN(d);
        out[o++] = gap ? n.fill() : d;
        if (n.indicator()) {
          out[o++] = gap ? 1 : 0;
        }
      } else if (step instanceof Categorical cat) {
        int block = cat.width();
        Arrays.fill(out, o, o + block, 0);
        String level = text(v);
        Integer index = level == null ? null : levelIndex.get(c).get(level);
        int levels = cat.levels().size();
        if (index != null) {
          out[o + index] = 1;
        } else if (level == null && cat.missing()) {
          out[o + levels + (cat.other() ? 1 : 0)] = 1;
        } else if (cat.other()) {
          out[o + levels] = 1;
        }
        o += block;
      }
    }
  }

  /**
   * Transforms a table given by column ({@code values} as in {@link #fit}) into a row-major array
   * [rows, width].
   */
  public double[] transformColumns(List<Object> values, int rows) {
    double[] out = new double[Math.multiplyExact(rows, width)];
    Object[] row = new Object[steps.size()];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < row.length; c++) {
        Object column = values.get(c);
        row[c] =
            column instanceof double[] d
                ? Double.valueOf(d[r])
                : column instanceof String[] s ? s[r] : null;
      }
      transform(row, out, r * width);
    }
    return out;
  }

  /**
   * A categorical value's text: numbers as a table's text column writes them (integral values
   * without a fraction), so a number column treated as categorical matches its levels.
   */
  static String text(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof Number n) {
      double d = n.doubleValue();
      return Double.isNaN(d) ? null : Labels.text(d);
    }
    return v.toString();
  }

  /** The model file's {@code preprocessing} block, e.g. for a registry to show. */
  public tools.jackson.databind.JsonNode toJson() {
    return PreprocessorJson.write(this);
  }

  /** What was dropped and why, for messages: "a: one value only; b: dropped by the request". */
  public String reasons() {
    List<String> out = new ArrayList<>();
    for (Step s : steps) {
      if (s instanceof Dropped d) {
        out.add(d.column() + ": " + d.reason());
      }
    }
    return String.join("; ", out);
  }
}

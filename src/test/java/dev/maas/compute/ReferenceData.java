package dev.maas.compute;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared datasets (copied to src/test/resources/datasets) split by the rule used everywhere:
 * row i is test data when {@code i % 5 == 4}; sunspots are windows of 12 years, train up to 1946.
 */
public final class ReferenceData {
  private ReferenceData() {}

  /** A train/test pair. */
  public record Split(Examples train, Examples test) {}

  /** The CSV's header and rows as strings. */
  record Table(String[] header, List<String[]> rows) {
    double number(int row, int column) {
      return Double.parseDouble(rows.get(row)[column]);
    }
  }

  static Table read(String name) {
    String path = "/datasets/" + name + ".csv";
    try (InputStream in = ReferenceData.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + path);
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String[] header = reader.readLine().split(",");
      List<String[]> rows = new ArrayList<>();
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (!line.isBlank()) {
          rows.add(line.split(","));
        }
      }
      return new Table(header, rows);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A dataset whose last column is the target, with features reshaped to {@code inputShape}. */
  public static Split split(String name, boolean classification, int[] inputShape) {
    Table t = read(name);
    int features = t.header().length - 1;
    List<Integer> train = new ArrayList<>();
    List<Integer> test = new ArrayList<>();
    for (int i = 0; i < t.rows().size(); i++) {
      (i % 5 == 4 ? test : train).add(i);
    }
    return new Split(
        examples(t, train, features, classification, inputShape),
        examples(t, test, features, classification, inputShape));
  }

  /** A dataset with feature vectors. */
  public static Split split(String name, boolean classification) {
    return split(name, classification, new int[] {read(name).header().length - 1});
  }

  private static Examples examples(
      Table t, List<Integer> rows, int features, boolean classification, int[] inputShape) {
    double[] x = new double[rows.size() * features];
    String[] labels = new String[rows.size()];
    double[] y = new double[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      int r = rows.get(i);
      for (int j = 0; j < features; j++) {
        x[i * features + j] = t.number(r, j);
      }
      labels[i] = t.rows().get(r)[features];
      if (!classification) {
        y[i] = t.number(r, features);
      }
    }
    return classification
        ? Examples.classification(inputShape, x, labels)
        : Examples.regression(inputShape, x, y, 1);
  }

  /**
   * Sunspots as windows of 12 years [12, 1] predicting the next year; windows whose target year is
   * up to row 246 (1946) train, the rest test.
   */
  public static Split sunspots() {
    Table t = read("sunspots");
    int n = t.rows().size();
    int window = 12;
    int cut = 247 - window;
    double[] series = new double[n];
    for (int i = 0; i < n; i++) {
      series[i] = t.number(i, 1);
    }
    return new Split(windows(series, 0, cut, window), windows(series, cut, n - window, window));
  }

  private static Examples windows(double[] series, int from, int to, int window) {
    int rows = to - from;
    double[] x = new double[rows * window];
    double[] y = new double[rows];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(series, from + i, x, i * window, window);
      y[i] = series[from + i + window];
    }
    return Examples.regression(new int[] {window, 1}, x, y, 1);
  }
}

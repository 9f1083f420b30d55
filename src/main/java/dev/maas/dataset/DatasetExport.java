package dev.maas.dataset;

import dev.maas.dataset.Dataset.Column;
import dev.maas.dataset.Dataset.ColumnType;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes every row of a stored dataset as CSV (RFC 4180) or JSON Lines, reading the columnar file a
 * slice of rows at a time, so memory does not grow with the dataset.
 *
 * <p>Numbers are written so that they parse back to exactly the same double: an integral value of
 * magnitude below 10^15 without a fraction ({@code 3}, {@code -12}), any other in Java's {@link
 * Double#toString(double)} form ({@code 0.1}, {@code 1.0E-5}, {@code -0.0}). A missing value is an
 * empty field in CSV and {@code null} in JSON.
 */
final class DatasetExport {
  /** The formats a dataset downloads in. */
  enum Format {
    CSV("text/csv"),
    NDJSON("application/x-ndjson");

    private final String mediaType;

    Format(String mediaType) {
      this.mediaType = mediaType;
    }

    String mediaType() {
      return mediaType;
    }
  }

  /** At most this many values are held at once (a slice's rows times the columns). */
  static final int VALUES_PER_SLICE = 1 << 18;

  private final Datasets datasets;

  DatasetExport(Datasets datasets) {
    this.datasets = datasets;
  }

  /** The dataset; throws NotFoundException (404) when there is none, before anything is written. */
  Dataset dataset(String id) {
    return datasets.get(id);
  }

  /**
   * Writes every row of the dataset to {@code out} in {@code format}; {@code out} is not closed.
   */
  void write(Dataset dataset, Format format, OutputStream out) throws IOException {
    int n = dataset.columns().size();
    write(
        dataset, format, out, Math.max(1, Math.min(64 * 1024, VALUES_PER_SLICE / Math.max(n, 1))));
  }

  /**
   * Writes the rows as {@link #write(Dataset, Format, OutputStream)}, {@code sliceRows} at a time.
   */
  void write(Dataset dataset, Format format, OutputStream out, int sliceRows) throws IOException {
    List<Column> columns = dataset.columns();
    int n = columns.size();
    Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
    String[] keys = new String[n];
    if (format == Format.CSV) {
      for (int c = 0; c < n; c++) {
        if (c > 0) {
          w.write(',');
        }
        csvText(w, columns.get(c).name());
      }
      w.write("\r\n");
    } else {
      for (int c = 0; c < n; c++) {
        StringBuilder key = new StringBuilder(c == 0 ? "{" : ",");
        jsonText(key, columns.get(c).name());
        keys[c] = key.append(':').toString();
      }
    }
    double[][] numbers = new double[n][];
    String[][] strings = new String[n][];
    StringBuilder text = new StringBuilder();
    for (long offset = 0; offset < dataset.rows(); offset += sliceRows) {
      TableData slice = datasets.slice(dataset.id(), (int) offset, sliceRows);
      for (int c = 0; c < n; c++) {
        String name = columns.get(c).name();
        boolean number = columns.get(c).type() == ColumnType.NUMBER;
        numbers[c] = number ? slice.column(name) : null;
        strings[c] = number ? null : slice.stringColumn(name);
      }
      for (int r = 0; r < slice.rows(); r++) {
        text.setLength(0);
        for (int c = 0; c < n; c++) {
          if (format == Format.CSV) {
            if (c > 0) {
              text.append(',');
            }
            if (numbers[c] != null) {
              double v = numbers[c][r];
              if (!Double.isNaN(v)) {
                text.append(number(v));
              }
            } else if (strings[c][r] != null) {
              csvText(text, strings[c][r]);
            }
          } else {
            text.append(keys[c]);
            if (numbers[c] != null) {
              double v = numbers[c][r];
              text.append(Double.isNaN(v) ? "null" : number(v));
            } else if (strings[c][r] == null) {
              text.append("null");
            } else {
              jsonText(text, strings[c][r]);
            }
          }
        }
        if (format == Format.NDJSON) {
          text.append(n == 0 ? "{}" : "}");
        }
        text.append(format == Format.CSV ? "\r\n" : "\n");
        w.append(text);
      }
    }
    w.flush();
  }

  /**
   * A number as text that parses back to exactly {@code v}: integral values below 10^15 without a
   * fraction, others (and -0.0) as {@link Double#toString(double)} writes them.
   */
  static String number(double v) {
    if (v == Math.rint(v)
        && Math.abs(v) < 1e15
        && !(v == 0 && Double.doubleToRawLongBits(v) != 0)) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  /** A CSV field: quoted when it holds a comma, quote or line break, or is empty (RFC 4180). */
  private static void csvText(Appendable out, String s) throws IOException {
    boolean quote = s.isEmpty();
    for (int i = 0; i < s.length() && !quote; i++) {
      char ch = s.charAt(i);
      quote = ch == ',' || ch == '"' || ch == '\r' || ch == '\n';
    }
    if (!quote) {
      out.append(s);
      return;
    }
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '"') {
        out.append('"');
      }
      out.append(ch);
    }
    out.append('"');
  }

  private static void jsonText(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (ch < 0x20) {
            out.append(String.format("\\u%04x", (int) ch));
          } else {
            out.append(ch);
          }
        }
      }
    }
    out.append('"');
  }
}

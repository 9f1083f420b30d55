package dev.maas.dataset;

import dev.maas.dataset.Dataset.Column;
import dev.maas.dataset.Dataset.ColumnType;
import dev.maas.errors.DomainException;
import dev.maas.errors.InvalidException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns an upload into the columnar data file. Tables take two streaming passes over the spooled
 * upload: the first counts rows, checks them and infers each column's type from all its rows
 * (number when every value that is not missing is a finite number, so also when every value is
 * missing), the second writes the values and summarizes each column. Neither holds more than one
 * row, so heap use does not grow with the upload (string columns keep their distinct values).
 */
final class Ingest {

  /** The limits an upload must keep. */
  record Limits(int maxRows, int maxColumns) {}

  /** Opens a fresh pass over the upload. */
  interface Opener {
    RowSource open() throws IOException;
  }

  private Ingest() {}

  static TableLayout table(Opener opener, Path dataFile, Limits limits) throws IOException {
    return table(opener, dataFile, limits, java.util.Map.of());
  }

  /**
   * Like {@link #table(Opener, Path, Limits)}, with column types given by name ({@code given}),
   * which win over what the source declares. A column of no declared type is a number column when
   * all its values that are not missing are finite numbers; a declared number column refuses text,
   * naming the line and column.
   */
  static TableLayout table(
      Opener opener, Path dataFile, Limits limits, java.util.Map<String, ColumnType> given)
      throws IOException {
    List<String> names;
    ColumnType[] types;
    int rows = 0;
    try (RowSource source = opener.open()) {
      names = source.names();
      checkNames(names, limits);
      int n = names.size();
      ColumnType[] declared =
          source.declaredTypes() == null ? new ColumnType[n] : source.declaredTypes().clone();
      for (var t : given.entrySet()) {
        int c = names.indexOf(t.getKey());
        if (c < 0) {
          throw new InvalidException("types: the dataset has no column '" + t.getKey() + "'");
        }
        declared[c] = t.getValue();
      }
      String[] cells = new String[n];
      boolean[] numeric = new boolean[n];
      boolean[] text = new boolean[n];
      while (source.next(cells, numeric)) {
        rows++;
        if (rows > limits.maxRows()) {
          throw new InvalidException(
              "the dataset has more than the limit of " + limits.maxRows() + " rows");
        }
        for (int c = 0; c < n; c++) {
          if (!numeric[c] && cells[c] != null) {
            text[c] = true;
            if (declared[c] == ColumnType.NUMBER) {
              throw new InvalidException(
                  source.where()
                      + " column '"
                      + names.get(c)
                      + "': '"
                      + DomainException.abbreviate(cells[c])
                      + "' is not a finite number (the column is numeric; declare it a string"
                      + " column with types="
                      + names.get(c)
                      + ":string)");
            }
          }
        }
      }
      if (rows == 0) {
        throw new InvalidException("the dataset has a header but no rows");
      }
      types = new ColumnType[n];
      for (int c = 0; c < n; c++) {
        types[c] =
            declared[c] != null ? declared[c] : text[c] ? ColumnType.STRING : ColumnType.NUMBER;
      }
    }
    List<Column> columns = new ArrayList<>();
    try (RowSource source = opener.open();
        TableWriter writer = new TableWriter(dataFile, rows, List.of(types))) {
      source.names();
      int n = names.size();
      String[] cells = new String[n];
      boolean[] numeric = new boolean[n];
      int written = 0;
      while (source.next(cells, numeric)) {
        for (int c = 0; c < n; c++) {
          if (types[c] == ColumnType.NUMBER) {
            writer.number(c, cells[c] == null ? Double.NaN : Double.parseDouble(cells[c]));
          } else {
            writer.string(c, cells[c]);
          }
        }
        written++;
      }
      if (written != rows) {
        throw new IOException("the upload changed between passes");
      }
      writer.finish();
      for (int c = 0; c < n; c++) {
        columns.add(new Column(names.get(c), types[c], writer.summary(c)));
      }
    }
    return new TableLayout(columns, rows, List.of((long) rows, (long) names.size()));
  }

  /**
   * Writes an NPY feature array [N, ...] flattened into number columns {@code x0, x1, ...}, and the
   * labels array [N] (or [N, 1]) as a number column {@code label}.
   */
  static TableLayout npy(NpyArray features, NpyArray labels, Path dataFile, Limits limits)
      throws IOException {
    List<Long> shape = features.shape();
    long rows = shape.get(0);
    long width = 1;
    for (int i = 1; i < shape.size(); i++) {
      width *= shape.get(i);
    }
    if (rows == 0) {
      throw new InvalidException("features.npy has no rows");
    }
    if (rows > limits.maxRows()) {
      throw new InvalidException(
          "features.npy has " + rows + " rows, over the limit of " + limits.maxRows());
    }
    long columnCount = width + (labels == null ? 0 : 1);
    if (columnCount > limits.maxColumns()) {
      throw new InvalidException(
          "features.npy has "
              + columnCount
              + " values per row, over the limit of "
              + limits.maxColumns()
              + " columns");
    }
    if (labels != null) {
      List<Long> l = labels.shape();
      boolean fits = l.get(0) == rows && (l.size() == 1 || (l.size() == 2 && l.get(1) == 1));
      if (!fits) {
        throw new InvalidException(
            "labels.npy has shape "
                + l
                + " where features.npy has "
                + rows
                + " rows: want ["
                + rows
                + "]");
      }
    }
    List<String> names = new ArrayList<>();
    List<ColumnType> types = new ArrayList<>();
    for (int c = 0; c < width; c++) {
      names.add("x" + c);
      types.add(ColumnType.NUMBER);
    }
    if (labels != null) {
      names.add("label");
      types.add(ColumnType.NUMBER);
    }
    List<Column> columns = new ArrayList<>();
    try (TableWriter writer = new TableWriter(dataFile, (int) rows, types)) {
      for (long r = 0; r < rows; r++) {
        for (int c = 0; c < width; c++) {
          double v = features.next();
          if (!Double.isFinite(v)) {
            throw new InvalidException(
                "features.npy row " + r + " value " + c + " is not a finite number");
          }
          writer.number(c, v);
        }
        if (labels != null) {
          double v = labels.next();
          if (!Double.isFinite(v)) {
            throw new InvalidException("labels.npy row " + r + " is not a finite number");
          }
          writer.number((int) width, v);
        }
      }
      writer.finish();
      for (int c = 0; c < names.size(); c++) {
        columns.add(new Column(names.get(c), ColumnType.NUMBER, writer.summary(c)));
      }
    }
    return new TableLayout(columns, rows, shape);
  }

  private static void checkNames(List<String> names, Limits limits) {
    if (names.isEmpty()) {
      throw new InvalidException("the dataset has no columns");
    }
    if (names.size() > limits.maxColumns()) {
      throw new InvalidException(
          "the dataset has " + names.size() + " columns, over the limit of " + limits.maxColumns());
    }
    Set<String> seen = new HashSet<>();
    for (int c = 0; c < names.size(); c++) {
      String name = names.get(c);
      if (name.isBlank()) {
        throw new InvalidException("column " + c + " has no name");
      }
      if (!seen.add(name)) {
        throw new InvalidException("column '" + name + "' appears twice");
      }
    }
  }
}

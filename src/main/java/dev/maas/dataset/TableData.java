package dev.maas.dataset;

import dev.maas.dataset.Dataset.Column;
import dev.maas.dataset.Dataset.ColumnType;
import dev.maas.errors.InvalidException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A dataset's values in memory, by column: what training reads. Numeric columns as {@code
 * double[]}, string columns as {@code String[]}; {@link #features} builds a row-major array.
 */
public final class TableData {
  private final Dataset dataset;
  private final int rows;
  private final Map<String, double[]> numbers = new HashMap<>();
  private final Map<String, String[]> strings = new HashMap<>();

  private TableData(Dataset dataset, int rows) {
    this.dataset = dataset;
    this.rows = rows;
  }

  public Dataset dataset() {
    return dataset;
  }

  public int rows() {
    return rows;
  }

  /**
   * A numeric column's values; an InvalidException when it is missing or holds strings. Do not
   * modify.
   */
  public double[] column(String name) {
    double[] values = numbers.get(name);
    if (values == null) {
      throw new InvalidException(
          strings.containsKey(name)
              ? "column '" + name + "' of dataset " + dataset.id() + " holds strings, not numbers"
              : "dataset " + dataset.id() + " has no column '" + name + "'");
    }
    return values;
  }

  /**
   * A column's values as text (numbers as Java writes doubles); an InvalidException when it is
   * missing.
   */
  public String[] stringColumn(String name) {
    String[] values = strings.get(name);
    if (values != null) {
      return values;
    }
    double[] n = column(name);
    String[] text = new String[n.length];
    for (int i = 0; i < n.length; i++) {
      text[i] =
          n[i] == Math.rint(n[i]) && Math.abs(n[i]) < 1e15
              ? Long.toString((long) n[i])
              : Double.toString(n[i]);
    }
    return text;
  }

  /** The named numeric columns as one row-major array [rows, names.size()]. */
  public double[] features(List<String> names) {
    double[][] cols = new double[names.size()][];
    for (int c = 0; c < cols.length; c++) {
      cols[c] = column(names.get(c));
    }
    double[] out = new double[rows * cols.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols.length; c++) {
        out[r * cols.length + c] = cols[c][r];
      }
    }
    return out;
  }

  /** Reads a data file written by {@link TableWriter} for {@code dataset}. */
  static TableData read(Dataset dataset, Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer header = readFully(channel, 0, TableWriter.HEADER);
      byte[] magic = new byte[8];
      header.get(magic);
      int rows = header.getInt();
      int n = header.getInt();
      List<Column> columns = dataset.columns();
      if (!Arrays.equals(magic, TableWriter.MAGIC)
          || n != columns.size()
          || rows != dataset.rows()) {
        throw new IOException("the data file does not match its metadata");
      }
      TableData data = new TableData(dataset, rows);
      long position = TableWriter.HEADER;
      int[][] indices = new int[n][];
      for (int c = 0; c < n; c++) {
        ColumnType type = columns.get(c).type();
        int length = rows * TableWriter.width(type);
        ByteBuffer b = readFully(channel, position, length);
        position += length;
        if (type == ColumnType.NUMBER) {
          double[] values = new double[rows];
          b.asDoubleBuffer().get(values);
          data.numbers.put(columns.get(c).name(), values);
        } else {
          indices[c] = new int[rows];
          b.asIntBuffer().get(indices[c]);
        }
      }
      for (int c = 0; c < n; c++) {
        if (indices[c] == null) {
          continue;
        }
        int count = readFully(channel, position, 4).getInt();
        position += 4;
        String[] dictionary = new String[count];
        for (int i = 0; i < count; i++) {
          int length = readFully(channel, position, 4).getInt();
          ByteBuffer bytes = readFully(channel, position + 4, length);
          position += 4 + length;
          dictionary[i] = StandardCharsets.UTF_8.decode(bytes).toString();
        }
        String[] values = new String[rows];
        for (int r = 0; r < rows; r++) {
          values[r] = dictionary[indices[c][r]];
        }
        data.strings.put(columns.get(c).name(), values);
      }
      return data;
    }
  }

  private static ByteBuffer readFully(FileChannel channel, long position, int length)
      throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      int read = channel.read(b, position + b.position());
      if (read < 0) {
        throw new IOException("the data file is truncated");
      }
    }
    return b.flip();
  }
}

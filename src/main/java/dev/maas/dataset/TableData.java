package dev.maas.dataset;

import dev.maas.compute.Labels;
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
 * A dataset's values in memory, by column: what training reads. Numeric columns as {@code double[]}
 * (NaN for a missing value), string columns as {@code String[]} (null for a missing value); {@link
 * #features} builds a row-major array of columns without gaps. It may hold a slice of the dataset's
 * rows ({@link #offset()}, {@link #rows()}), as a preview does.
 */
public final class TableData {
  private final Dataset dataset;
  private final int offset;
  private final int rows;
  private final Map<String, double[]> numbers = new HashMap<>();
  private final Map<String, String[]> strings = new HashMap<>();

  private TableData(Dataset dataset, int offset, int rows) {
    this.dataset = dataset;
    this.offset = offset;
    this.rows = rows;
  }

  public Dataset dataset() {
    return dataset;
  }

  /** The number of rows held (all of the dataset's, unless this is a slice). */
  public int rows() {
    return rows;
  }

  /** The dataset row of this data's first row: 0 unless this is a slice. */
  public int offset() {
    return offset;
  }

  /**
   * A numeric column's values, NaN where a value is missing; 400 when there is no such column or it
   * holds strings. Do not modify.
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
   * A column's values as text (integral numbers without a fraction, other numbers as Java writes
   * doubles), null where a value is missing; 400 when there is no such column. Do not modify.
   */
  public String[] stringColumn(String name) {
    String[] values = strings.get(name);
    if (values != null) {
      return values;
    }
    double[] n = column(name);
    String[] text = new String[n.length];
    for (int i = 0; i < n.length; i++) {
      text[i] = Double.isNaN(n[i]) ? null : Labels.text(n[i]);
    }
    return text;
  }

  /** Whether the column called {@code name} is a number column; 400 when there is none. */
  public boolean isNumber(String name) {
    if (numbers.containsKey(name)) {
      return true;
    }
    if (strings.containsKey(name)) {
      return false;
    }
    throw new InvalidException("dataset " + dataset.id() + " has no column '" + name + "'");
  }

  /** How many of the column's values (in the rows held) are missing; 400 when there is none. */
  public int missing(String name) {
    int count = 0;
    if (isNumber(name)) {
      for (double v : numbers.get(name)) {
        if (Double.isNaN(v)) {
          count++;
        }
      }
    } else {
      for (String v : strings.get(name)) {
        if (v == null) {
          count++;
        }
      }
    }
    return count;
  }

  /**
   * The named numeric columns as one row-major array [rows, names.size()]; 400 when one of them
   * holds strings or has missing values (they are never passed on as NaN).
   */
  public double[] features(List<String> names) {
    double[][] cols = new double[names.size()][];
    for (int c = 0; c < cols.length; c++) {
      cols[c] = column(names.get(c));
      int missing = missing(names.get(c));
      if (missing > 0) {
        throw new InvalidException(
            "column '"
                + names.get(c)
                + "' of dataset "
                + dataset.id()
                + " has "
                + missing
                + " missing value"
                + (missing == 1 ? "" : "s")
                + ": a feature array cannot hold them");
      }
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
    return read(dataset, file, 0, Integer.MAX_VALUE);
  }

  /**
   * Reads rows {@code offset} to {@code offset + limit} (fewer at the end) of a data file written
   * by {@link TableWriter} for {@code dataset}: only those rows' values and the dictionary entries
   * they name are decoded.
   */
  static TableData read(Dataset dataset, Path file, int offset, int limit) throws IOException {
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
      int from = Math.min(Math.max(offset, 0), rows);
      int count = (int) Math.min((long) rows - from, Math.max(limit, 0));
      TableData data = new TableData(dataset, from, count);
      long position = TableWriter.HEADER;
      int[][] indices = new int[n][];
      for (int c = 0; c < n; c++) {
        ColumnType type = columns.get(c).type();
        int width = TableWriter.width(type);
        ByteBuffer b = readFully(channel, position + (long) from * width, count * width);
        position += (long) rows * width;
        if (type == ColumnType.NUMBER) {
          double[] values = new double[count];
          b.asDoubleBuffer().get(values);
          data.numbers.put(columns.get(c).name(), values);
        } else {
          indices[c] = new int[count];
          b.asIntBuffer().get(indices[c]);
        }
      }
      for (int c = 0; c < n; c++) {
        if (indices[c] == null) {
          continue;
        }
        Sequential in = new Sequential(channel, position);
        int entries = in.readInt();
        if (entries < 0 || entries > rows) {
          throw new IOException("the data file does not match its metadata");
        }
        boolean[] used = new boolean[entries];
        for (int index : indices[c]) {
          if (index != TableWriter.MISSING) {
            if (index < 0 || index >= entries) {
              throw new IOException("the data file does not match its metadata");
            }
            used[index] = true;
          }
        }
        // The whole dictionary is walked (entries have no index), in large reads, not one per
        // entry: a slice of a column with a million distinct values would otherwise take two
        // million reads.
        String[] dictionary = new String[entries];
        for (int i = 0; i < entries; i++) {
          int length = in.readInt();
          if (length < 0) {
            throw new IOException("the data file does not match its metadata");
          }
          if (used[i]) {
            dictionary[i] = in.readString(length);
          } else {
            in.skip(length);
          }
        }
        position = in.position();
        String[] values = new String[count];
        for (int r = 0; r < count; r++) {
          int index = indices[c][r];
          values[r] = index == TableWriter.MISSING ? null : dictionary[index];
        }
        data.strings.put(columns.get(c).name(), values);
      }
      return data;
    }
  }

  /** Reads a file region front to back through a buffer of 64 KB. */
  private static final class Sequential {
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
    private long next; // the file position of the byte after the buffered ones

    Sequential(FileChannel channel, long position) {
      this.channel = channel;
      this.next = position;
      buffer.limit(0);
    }

    /** The file position of the next byte to read. */
    long position() {
      return next - buffer.remaining();
    }

    int readInt() throws IOException {
      fill(4);
      return buffer.getInt();
    }

    String readString(int length) throws IOException {
      if (length > buffer.capacity()) {
        long at = position();
        buffer.limit(0);
        next = at + length;
        return StandardCharsets.UTF_8.decode(readFully(channel, at, length)).toString();
      }
      fill(length);
      int end = buffer.position() + length;
      ByteBuffer bytes = buffer.duplicate().limit(end);
      buffer.position(end);
      return StandardCharsets.UTF_8.decode(bytes).toString();
    }

    void skip(int length) throws IOException {
      if (length <= buffer.remaining()) {
        buffer.position(buffer.position() + length);
      } else {
        long at = position() + length;
        buffer.limit(0);
        next = at;
      }
    }

    /** Makes at least {@code n} (at most the buffer's capacity) bytes available. */
    private void fill(int n) throws IOException {
      if (buffer.remaining() >= n) {
        return;
      }
      buffer.compact();
      while (buffer.position() < n) {
        int read = channel.read(buffer, next);
        if (read < 0) {
          throw new IOException("the data file is truncated");
        }
        next += read;
      }
      buffer.flip();
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

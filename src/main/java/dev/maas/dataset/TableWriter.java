package dev.maas.dataset;

import dev.maas.dataset.Dataset.ColumnType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the canonical columnar data file, row by row, with a small buffer per column.
 *
 * <pre>
 * "MAASTAB1"  int32 rows  int32 columns                      (little-endian)
 * per column: rows x float64 (number) or rows x int32 index (string)
 * per string column, in column order: int32 count, then count x (int32 length, UTF-8 bytes)
 * </pre>
 *
 * Dictionaries list strings in order of first appearance, so the same data gives the same bytes.
 *
 * <p>Missing values have a sentinel each, so files without gaps read as before: NaN in a number
 * column (finite numbers are the only other values stored there) and index {@value #MISSING} in a
 * string column (it names no dictionary entry).
 *
 * <p>The writer also summarizes each column as it goes ({@link #summary(int)}): counts, min, max
 * and sum for numbers; a count per dictionary entry for strings, so no second copy of the data.
 */
final class TableWriter implements AutoCloseable {
  static final byte[] MAGIC = "MAASTAB1".getBytes(StandardCharsets.US_ASCII);
  static final int HEADER = 16;

  /** The dictionary index of a missing value in a string column. */
  static final int MISSING = -1;

  private final FileChannel channel;
  private final int rows;
  private final List<ColumnType> types;
  private final ByteBuffer[] buffers;
  private final long[] positions;
  private final long[] ends;
  private final List<Map<String, Integer>> dictionaries = new ArrayList<>();
  private final long[] missing;
  private final long[] present;
  private final double[] min;
  private final double[] max;
  private final double[] sum;
  private final long[][] counts;

  TableWriter(Path file, int rows, List<ColumnType> types) throws IOException {
    this.channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    this.rows = rows;
    this.types = List.copyOf(types);
    int n = types.size();
    int bufferSize = Math.max(512, Math.min(64 * 1024, (8 << 20) / Math.max(n, 1)));
    buffers = new ByteBuffer[n];
    positions = new long[n];
    ends = new long[n];
    missing = new long[n];
    present = new long[n];
    min = new double[n];
    max = new double[n];
    sum = new double[n];
    counts = new long[n][];
    long offset = HEADER;
    for (int c = 0; c < n; c++) {
      buffers[c] = ByteBuffer.allocate(bufferSize & ~7).order(ByteOrder.LITTLE_ENDIAN);
      positions[c] = offset;
      offset += (long) rows * width(types.get(c));
      ends[c] = offset;
      dictionaries.add(types.get(c) == ColumnType.STRING ? new HashMap<>() : null);
      counts[c] = types.get(c) == ColumnType.STRING ? new long[16] : null;
      min[c] = Double.POSITIVE_INFINITY;
      max[c] = Double.NEGATIVE_INFINITY;
    }
    ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
    header.put(MAGIC).putInt(rows).putInt(n).flip();
    writeFully(header, 0);
  }

  static int width(ColumnType type) {
    return type == ColumnType.NUMBER ? 8 : 4;
  }

  /** Writes a number; NaN is a missing value. */
  void number(int column, double value) throws IOException {
    if (Double.isNaN(value)) {
      missing[column]++;
    } else {
      present[column]++;
      min[column] = Math.min(min[column], value);
      max[column] = Math.max(max[column], value);
      sum[column] += value;
    }
    ByteBuffer b = buffers[column];
    if (b.remaining() < 8) {
      flush(column);
    }
    b.putDouble(value);
  }

  /** Writes a string; null is a missing value. */
  void string(int column, String value) throws IOException {
    int index;
    if (value == null) {
      index = MISSING;
      missing[column]++;
    } else {
      Map<String, Integer> dictionary = dictionaries.get(column);
      Integer known = dictionary.get(value);
      if (known == null) {
        known = dictionary.size();
        dictionary.put(value, known);
        if (known == counts[column].length) {
          counts[column] = Arrays.copyOf(counts[column], known * 2);
        }
      }
      index = known;
      counts[column][index]++;
    }
    ByteBuffer b = buffers[column];
    if (b.remaining() < 4) {
      flush(column);
    }
    b.putInt(index);
  }

  /** The summary of what was written to {@code column} so far. */
  Dataset.Summary summary(int column) {
    if (types.get(column) == ColumnType.NUMBER) {
      long n = present[column];
      return n == 0
          ? new Dataset.NumberSummary(missing[column], null, null, null)
          : new Dataset.NumberSummary(missing[column], min[column], max[column], sum[column] / n);
    }
    Map<String, Integer> dictionary = dictionaries.get(column);
    String[] values = ordered(dictionary);
    long[] count = counts[column];
    Integer[] order = new Integer[values.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    // stable: equal counts keep the order of first appearance
    Arrays.sort(order, (a, b) -> Long.compare(count[b], count[a]));
    List<Dataset.ValueCount> top = new ArrayList<>();
    for (int i = 0; i < Math.min(Dataset.TextSummary.TOP, order.length); i++) {
      top.add(new Dataset.ValueCount(values[order[i]], count[order[i]]));
    }
    return new Dataset.TextSummary(missing[column], values.length, top);
  }

  private static String[] ordered(Map<String, Integer> dictionary) {
    String[] ordered = new String[dictionary.size()];
    dictionary.forEach((s, i) -> ordered[i] = s);
    return ordered;
  }

  private void flush(int column) throws IOException {
    ByteBuffer b = buffers[column];
    b.flip();
    int length = b.remaining();
    if (positions[column] + length > ends[column]) {
      throw new IllegalStateException("column " + column + " has more than " + rows + " values");
    }
    writeFully(b, positions[column]);
    positions[column] += length;
    b.clear();
  }

  private void writeFully(ByteBuffer b, long position) throws IOException {
    while (b.hasRemaining()) {
      position += channel.write(b, position);
    }
  }

  /** Flushes every column, appends the dictionaries and forces the file to disk. */
  void finish() throws IOException {
    for (int c = 0; c < types.size(); c++) {
      flush(c);
      if (positions[c] != ends[c]) {
        throw new IllegalStateException("column " + c + " is incomplete");
      }
    }
    long position = types.isEmpty() ? HEADER : ends[types.size() - 1];
    ByteBuffer out = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
    for (Map<String, Integer> dictionary : dictionaries) {
      if (dictionary == null) {
        continue;
      }
      String[] ordered = ordered(dictionary);
      out = ensure(out, 4, position);
      position = drained;
      out.putInt(ordered.length);
      for (String s : ordered) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out = ensure(out, 4 + bytes.length, position);
        position = drained;
        out.putInt(bytes.length).put(bytes);
      }
    }
    out.flip();
    writeFully(out, position);
    channel.force(true);
  }

  private long drained;

  /** Makes room for {@code need} bytes, writing out what is buffered; sets {@link #drained}. */
  private ByteBuffer ensure(ByteBuffer out, int need, long position) throws IOException {
    drained = position;
    if (out.remaining() >= need) {
      return out;
    }
    out.flip();
    int length = out.remaining();
    writeFully(out, position);
    drained = position + length;
    out.clear();
    if (out.capacity() < need) {
      return ByteBuffer.allocate(need).order(ByteOrder.LITTLE_ENDIAN);
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}

package dev.maas.dataset;

import dev.maas.errors.InvalidException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A streaming CSV reader (RFC 4180): a header row, fields separated by commas, quoted fields may
 * hold commas, line breaks and doubled quotes. Blank lines are skipped; a row with another number
 * of fields than the header is an InvalidException naming its line. An empty field, or one that
 * equals a missing-value token ignoring case (quoted or not; by default {@link #DEFAULT_MISSING}),
 * is a missing value.
 */
final class CsvRows implements RowSource {
  /** The tokens that mean a missing value unless the upload names others. */
  static final List<String> DEFAULT_MISSING = List.of("NA", "N/A", "NaN", "null");

  private final Set<String> missing;
  private final int longestMissing;
  private final Reader in;
  private final char[] buffer = new char[64 * 1024];
  private int position;
  private int limit;
  private long line = 1;
  private long recordLine;
  private final StringBuilder field = new StringBuilder();
  private final List<String> fields = new ArrayList<>();
  private List<String> names;

  CsvRows(InputStream stream) {
    this(stream, DEFAULT_MISSING);
  }

  /** A reader for which an empty field and {@code missing} (any case) are missing values. */
  CsvRows(InputStream stream, List<String> missing) {
    this.in = new InputStreamReader(stream, StandardCharsets.UTF_8);
    this.missing = new HashSet<>();
    int longest = 0;
    for (String token : missing) {
      this.missing.add(token.toLowerCase(Locale.ROOT));
      longest = Math.max(longest, token.length());
    }
    this.longestMissing = longest;
  }

  /**
   * The missing-value tokens of a {@code na} parameter: comma-separated, each trimmed; null gives
   * the defaults, an empty text none (only an empty field is then missing).
   */
  static List<String> missingTokens(String na) {
    if (na == null) {
      return DEFAULT_MISSING;
    }
    List<String> tokens = new ArrayList<>();
    for (String token : na.split(",", -1)) {
      if (!token.isBlank()) {
        tokens.add(token.strip());
      }
    }
    return List.copyOf(tokens);
  }

  private boolean isMissing(String text) {
    return text.isEmpty()
        || (text.length() <= longestMissing && missing.contains(text.toLowerCase(Locale.ROOT)));
  }

  @Override
  public List<String> names() throws IOException {
    if (names == null) {
      if (!readRecord()) {
        throw new InvalidException("the CSV is empty: it needs a header row and data rows");
      }
      if (!fields.isEmpty() && fields.get(0).startsWith("\uFEFF")) {
        fields.set(0, fields.get(0).substring(1));
      }
      names = List.copyOf(fields);
    }
    return names;
  }

  @Override
  public boolean next(String[] cells, boolean[] numeric) throws IOException {
    names();
    if (!readRecord()) {
      return false;
    }
    if (fields.size() != names.size()) {
      throw new InvalidException(
          "line "
              + recordLine
              + " has "
              + fields.size()
              + " fields where the header has "
              + names.size());
    }
    for (int c = 0; c < cells.length; c++) {
      String text = fields.get(c);
      if (isMissing(text)) {
        cells[c] = null;
        numeric[c] = false;
      } else {
        cells[c] = text;
        numeric[c] = RowSource.isFiniteNumber(text);
      }
    }
    return true;
  }

  @Override
  public String where() {
    return "line " + recordLine;
  }

  private int read() throws IOException {
    if (position == limit) {
      limit = in.read(buffer);
      position = 0;
      if (limit <= 0) {
        limit = 0;
        return -1;
      }
    }
    return buffer[position++];
  }

  private int peek() throws IOException {
    int c = read();
    if (c >= 0) {
      position--;
    }
    return c;
  }

  /** Reads one record into {@link #fields}, skipping blank lines; false at the end. */
  private boolean readRecord() throws IOException {
    while (true) {
      fields.clear();
      field.setLength(0);
      recordLine = line;
      int c = read();
      if (c < 0) {
        return false;
      }
      if (c == '\n' || c == '\r') {
        endOfLine(c);
        continue; // blank line
      }
      boolean quotedField = false;
      while (true) {
        if (c == '"' && field.length() == 0 && !quotedField) {
          quotedField = true;
          readQuoted();
          c = read();
          continue;
        }
        if (c < 0 || c == '\n' || c == '\r') {
          fields.add(field.toString());
          if (c >= 0) {
            endOfLine(c);
          }
          return true;
        }
        if (c == ',') {
          fields.add(field.toString());
          field.setLength(0);
          quotedField = false;
        } else {
          if (quotedField) {
            throw new InvalidException(
                "line " + line + ": text after a closing quote; a quote inside a field is doubled");
          }
          field.append((char) c);
        }
        c = read();
      }
    }
  }

  private void readQuoted() throws IOException {
    long start = line;
    while (true) {
      int c = read();
      if (c < 0) {
        throw new InvalidException("line " + start + ": a quoted field is never closed");
      }
      if (c == '"') {
        if (peek() == '"') {
          read();
          field.append('"');
        } else {
          return;
        }
      } else {
        if (c == '\n') {
          line++;
        }
        field.append((char) c);
      }
    }
  }

  private void endOfLine(int c) throws IOException {
    if (c == '\r' && peek() == '\n') {
      read();
    }
    line++;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}

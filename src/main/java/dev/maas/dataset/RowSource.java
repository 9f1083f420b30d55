package dev.maas.dataset;

import dev.maas.dataset.Dataset.ColumnType;
import java.io.IOException;
import java.util.List;

/** Rows of text cells read one at a time from an upload (CSV or JSON), never all at once. */
interface RowSource extends AutoCloseable {

  /** The column names. */
  List<String> names() throws IOException;

  /** Declared column types (null where not declared); null when none are declared. */
  default ColumnType[] declaredTypes() {
    return null;
  }

  /**
   * Reads the next row into {@code cells} (its text, or null for a missing value) and {@code
   * numeric} (whether the cell is a finite number; false when missing); false at the end. A row
   * with the wrong number of cells is a 400.
   */
  boolean next(String[] cells, boolean[] numeric) throws IOException;

  /** Where the last row came from, for messages: "line 7", "row 3". */
  String where();

  @Override
  void close() throws IOException;

  /** Whether {@code text} is a plain decimal number (no hex, no NaN/Infinity) that is finite. */
  static boolean isFiniteNumber(String text) {
    int n = text.length();
    int i = 0;
    if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
      i++;
    }
    int digits = 0;
    while (i < n && Character.isDigit(text.charAt(i)) && text.charAt(i) < 128) {
      i++;
      digits++;
    }
    if (i < n && text.charAt(i) == '.') {
      i++;
      while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
        i++;
        digits++;
      }
    }
    if (digits == 0) {
      return false;
    }
    if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
      i++;
      if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
        i++;
      }
      int exponent = 0;
      while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
        i++;
        exponent++;
      }
      if (exponent == 0) {
        return false;
      }
    }
    return i == n && Double.isFinite(Double.parseDouble(text));
  }
}

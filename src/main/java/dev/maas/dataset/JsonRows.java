package dev.maas.dataset;

import dev.maas.dataset.Dataset.ColumnType;
import dev.maas.errors.InvalidException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * A streaming JSON table, in one of two forms: {@code {"columns": ["a", {"name": "b", "type":
 * "number"}], "rows": [[1, 2], ...]}} ("columns" before "rows") or a list of records {@code [{"a":
 * 1, "b": 2}, ...]} whose first record names the columns. Strings are text, numbers are numbers,
 * null is a missing value; a nested object or array, or a row of the wrong arity is an
 * InvalidException naming the row and column.
 */
final class JsonRows implements RowSource {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final JsonParser parser;
  private List<String> names;
  private ColumnType[] declared;
  private Map<String, Integer> positions;
  private boolean records;
  private long row = -1;
  private boolean done;
  private boolean firstRecordPending;
  private String[] firstCells;
  private boolean[] firstNumeric;

  JsonRows(InputStream in) {
    this.parser = JSON.createParser(in);
  }

  @Override
  public List<String> names() throws IOException {
    if (names == null) {
      try {
        start();
      } catch (JacksonException e) {
        throw invalid(e);
      }
    }
    return names;
  }

  @Override
  public ColumnType[] declaredTypes() {
    return declared;
  }

  private void start() {
    JsonToken t = parser.nextToken();
    if (t == null) {
      throw new InvalidException("the JSON body is empty");
    }
    if (t == JsonToken.START_ARRAY) {
      records = true;
      t = parser.nextToken();
      if (t == JsonToken.END_ARRAY) {
        throw new InvalidException("the JSON list of records is empty");
      }
      if (t != JsonToken.START_OBJECT) {
        throw new InvalidException("row 0 must be an object (a record), not " + t.asString());
      }
      names = new ArrayList<>();
      List<String> cells = new ArrayList<>();
      List<Boolean> numeric = new ArrayList<>();
      row = 0;
      while ((t = parser.nextToken()) == JsonToken.PROPERTY_NAME) {
        String name = parser.currentName();
        if (names.contains(name)) {
          throw new InvalidException("row 0 has column '" + name + "' twice");
        }
        names.add(name);
        parser.nextToken();
        String[] one = new String[1];
        boolean[] isNumber = new boolean[1];
        cell(name, one, isNumber, 0);
        cells.add(one[0]);
        numeric.add(isNumber[0]);
      }
      positions = new HashMap<>();
      for (int i = 0; i < names.size(); i++) {
        positions.put(names.get(i), i);
      }
      firstCells = cells.toArray(new String[0]);
      firstNumeric = new boolean[names.size()];
      for (int i = 0; i < firstNumeric.length; i++) {
        firstNumeric[i] = numeric.get(i);
      }
      firstRecordPending = true;
      names = List.copyOf(names);
      return;
    }
    if (t != JsonToken.START_OBJECT) {
      throw new InvalidException(
          "the JSON body must be {\"columns\": [...], \"rows\": [[...]]} or a list of records");
    }
    while ((t = parser.nextToken()) == JsonToken.PROPERTY_NAME) {
      String key = parser.currentName();
      parser.nextToken();
      if (key.equals("columns")) {
        readColumns();
      } else if (key.equals("rows")) {
        if (names == null) {
          throw new InvalidException("\"columns\" must come before \"rows\"");
        }
        if (parser.currentToken() != JsonToken.START_ARRAY) {
          throw new InvalidException("\"rows\" must be a list of rows");
        }
        return;
      } else {
        throw new InvalidException(
            "unknown field '" + key + "': the body has \"columns\" and \"rows\"");
      }
    }
    throw new InvalidException("the JSON body has no \"rows\"");
  }

  private void readColumns() {
    if (parser.currentToken() != JsonToken.START_ARRAY) {
      throw new InvalidException("\"columns\" must be a list of names or {name, type}");
    }
    List<String> list = new ArrayList<>();
    List<ColumnType> types = new ArrayList<>();
    JsonToken t;
    while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
      String name;
      ColumnType type = null;
      if (t == JsonToken.VALUE_STRING) {
        name = parser.getString();
      } else if (t == JsonToken.START_OBJECT) {
        name = null;
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
          String key = parser.currentName();
          JsonToken v = parser.nextToken();
          if (key.equals("name") && v == JsonToken.VALUE_STRING) {
            name = parser.getString();
          } else if (key.equals("type") && v == JsonToken.VALUE_STRING) {
            String text = parser.getString();
            if (!text.equals("number") && !text.equals("string")) {
              throw new InvalidException(
                  "columns["
                      + list.size()
                      + "].type must be 'number' or 'string', not '"
                      + text
                      + "'");
            }
            type = text.equals("number") ? ColumnType.NUMBER : ColumnType.STRING;
          } else {
            throw new InvalidException(
                "columns[" + list.size() + "] has an unknown or malformed field '" + key + "'");
          }
        }
        if (name == null) {
          throw new InvalidException("columns[" + list.size() + "] has no name");
        }
      } else {
        throw new InvalidException(
            "columns[" + list.size() + "] must be a name or {\"name\", \"type\"}");
      }
      list.add(name);
      types.add(type);
    }
    names = List.copyOf(list);
    declared = types.toArray(new ColumnType[0]);
  }

  @Override
  public boolean next(String[] cells, boolean[] numeric) throws IOException {
    names();
    if (done) {
      return false;
    }
    try {
      return records ? nextRecord(cells, numeric) : nextRow(cells, numeric);
    } catch (JacksonException e) {
      throw invalid(e);
    }
  }

  private boolean nextRow(String[] cells, boolean[] numeric) {
    JsonToken t = parser.nextToken();
    if (t == JsonToken.END_ARRAY) {
      done = true;
      return false;
    }
    row++;
    if (t != JsonToken.START_ARRAY) {
      throw new InvalidException("row " + row + " must be a list of values");
    }
    int c = 0;
    while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
      if (c >= cells.length) {
        throw new InvalidException(
            "row " + row + " has more than the " + cells.length + " values of the columns");
      }
      cell(names.get(c), cells, numeric, c);
      c++;
    }
    if (c != cells.length) {
      throw new InvalidException(
          "row " + row + " has " + c + " values where there are " + cells.length + " columns");
    }
    return true;
  }

  private boolean nextRecord(String[] cells, boolean[] numeric) {
    if (firstRecordPending) {
      firstRecordPending = false;
      System.arraycopy(firstCells, 0, cells, 0, cells.length);
      System.arraycopy(firstNumeric, 0, numeric, 0, cells.length);
      return true;
    }
    JsonToken t = parser.nextToken();
    if (t == JsonToken.END_ARRAY) {
      done = true;
      return false;
    }
    row++;
    if (t != JsonToken.START_OBJECT) {
      throw new InvalidException("row " + row + " must be an object (a record)");
    }
    boolean[] seen = new boolean[cells.length];
    int count = 0;
    while ((t = parser.nextToken()) == JsonToken.PROPERTY_NAME) {
      String name = parser.currentName();
      Integer c = positions.get(name);
      if (c == null) {
        throw new InvalidException(
            "row " + row + " has column '" + name + "' that the first record does not have");
      }
      if (seen[c]) {
        throw new InvalidException("row " + row + " has column '" + name + "' twice");
      }
      seen[c] = true;
      count++;
      parser.nextToken();
      cell(name, cells, numeric, c);
    }
    if (count != cells.length) {
      for (int c = 0; c < seen.length; c++) {
        if (!seen[c]) {
          throw new InvalidException("row " + row + " has no column '" + names.get(c) + "'");
        }
      }
    }
    return true;
  }

  /** Reads the current value token into cell {@code c}. */
  private void cell(String column, String[] cells, boolean[] numeric, int c) {
    JsonToken t = parser.currentToken();
    switch (t) {
      case VALUE_STRING -> {
        cells[c] = parser.getString();
        numeric[c] = false;
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        cells[c] = parser.getString();
        numeric[c] = RowSource.isFiniteNumber(cells[c]);
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        cells[c] = parser.getString();
        numeric[c] = false;
      }
      case VALUE_NULL -> {
        cells[c] = null;
        numeric[c] = false;
      }
      default ->
          throw new InvalidException(
              "row "
                  + row
                  + " column '"
                  + column
                  + "' holds a nested "
                  + (t == JsonToken.START_OBJECT ? "object" : "list")
                  + ": values must be numbers or strings");
    }
  }

  @Override
  public String where() {
    return "row " + row;
  }

  private static InvalidException invalid(JacksonException e) {
    String why = e.getOriginalMessage();
    int nl = why == null ? -1 : why.indexOf('\n');
    var at = e.getLocation();
    return new InvalidException(
        "the body is not valid JSON"
            + (at != null && at.getLineNr() > 0
                ? " at line " + at.getLineNr() + ", column " + at.getColumnNr()
                : "")
            + (why == null ? "" : ": " + (nl < 0 ? why : why.substring(0, nl))));
  }

  @Override
  public void close() throws IOException {
    parser.close();
  }
}

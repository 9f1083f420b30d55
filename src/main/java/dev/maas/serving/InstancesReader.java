package dev.maas.serving;

import static dev.maas.serving.JsonBody.kind;
import static dev.maas.serving.JsonBody.next;
import static dev.maas.serving.JsonBody.number;

import dev.maas.compute.Preprocessor;
import dev.maas.errors.InvalidException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Reads the native predict body, {@code {"instances": [...]}}, into rows. An instance is an array
 * of the model's input values in training column order (flat, or nested in the input shape for
 * images and sequences), or an object of feature name to value in any order. Every error is an
 * InvalidException that names the instance and the value.
 */
final class InstancesReader {
  private final InputLayout layout;
  private final int maxInstances;

  InstancesReader(InputLayout layout, int maxInstances) {
    this.layout = layout;
    this.maxInstances = maxInstances;
  }

  Rows read(byte[] body) {
    try (JsonParser p = JsonBody.parser(body)) {
      if (next(p) != JsonToken.START_OBJECT) {
        throw new InvalidException(
            "the request body must be a JSON object: {\"instances\": [[...], ...]}");
      }
      Rows rows = null;
      Set<String> seen = new HashSet<>();
      JsonToken t;
      while ((t = next(p)) == JsonToken.PROPERTY_NAME) {
        String field = p.currentName();
        JsonToken value = next(p);
        if (!"instances".equals(field)) {
          throw new InvalidException(
              "unknown field '" + field + "'; a prediction request has only 'instances'");
        }
        JsonBody.once(seen, field, "'instances'");
        rows = instances(p, value);
      }
      JsonBody.end(p);
      if (rows == null) {
        throw new InvalidException("'instances' is missing");
      }
      if (rows.rows() == 0) {
        throw new InvalidException("'instances' is empty; send at least one instance");
      }
      return rows;
    }
  }

  private Rows instances(JsonParser p, JsonToken t) {
    if (t != JsonToken.START_ARRAY) {
      throw new InvalidException("'instances' must be an array of instances, was " + kind(t));
    }
    Rows rows = new Rows(layout.rowLength(), 1);
    JsonToken item;
    while ((item = next(p)) != JsonToken.END_ARRAY) {
      int r = rows.rows();
      if (r >= maxInstances) {
        throw new InvalidException(
            "more than "
                + maxInstances
                + " instances in one request (maas.serving.max-instances); split it");
      }
      String path = "instances[" + r + "]";
      int at = rows.addRow();
      if (layout.raw()) {
        raw(p, item, rows, at, path);
      } else if (item == JsonToken.START_ARRAY) {
        array(p, rows, at, path);
      } else if (item == JsonToken.START_OBJECT) {
        named(p, rows, at, path);
      } else {
        throw new InvalidException(
            path
                + " must be an array of numbers or an object of feature values, was "
                + kind(item));
      }
    }
    return rows;
  }

  /** An instance as an array: flat, or nested in the input shape; the '[' is read. */
  private void array(JsonParser p, Rows rows, int at, String path) {
    JsonToken first = next(p);
    if (first == JsonToken.START_ARRAY && layout.rank() > 1) {
      int n = nested(p, first, rows, at, 0, path);
      if (n != layout.rowLength()) {
        throw wrongLength(path, n);
      }
      return;
    }
    int n = 0;
    for (JsonToken t = first; t != JsonToken.END_ARRAY; t = next(p)) {
      if (n >= layout.rowLength()) {
        throw wrongLength(path, n + 1 + remaining(p));
      }
      rows.set(at + n, value(p, t, n, path + "[" + n + "]"));
      n++;
    }
    if (n != layout.rowLength()) {
      throw wrongLength(path, n);
    }
  }

  /**
   * One axis of a nested instance, whose '[' is read and whose first element is {@code first};
   * returns the values written.
   */
  private int nested(JsonParser p, JsonToken first, Rows rows, int at, int axis, String path) {
    int size = layout.dim(axis);
    int written = 0;
    int i = 0;
    for (JsonToken t = first; t != JsonToken.END_ARRAY; t = next(p), i++) {
      String here = path + "[" + i + "]";
      if (i >= size) {
        throw wrongShape(path, axis, "more than " + size);
      }
      if (axis == layout.rank() - 1) {
        rows.set(at + written, number(p, t, here));
        written++;
      } else {
        if (t != JsonToken.START_ARRAY) {
          throw new InvalidException(
              here
                  + " must be an array (axis "
                  + (axis + 1)
                  + " of "
                  + layout
                  + "), was "
                  + kind(t));
        }
        written += nested(p, next(p), rows, at + written, axis + 1, here);
      }
    }
    if (i != size) {
      throw wrongShape(path, axis, Integer.toString(i));
    }
    return written;
  }

  /** An instance as feature name to value; the '{' is read. */
  private void named(JsonParser p, Rows rows, int at, String path) {
    if (layout.features() == null) {
      throw new InvalidException(
          path
              + " names its features, but this model version does not know their names (it was"
              + " imported or trained before names were kept); send the values as an array");
    }
    boolean[] seen = new boolean[layout.rowLength()];
    int count = 0;
    JsonToken t;
    while ((t = next(p)) == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      int i = layout.indexOf(name);
      if (i < 0) {
        throw new InvalidException(
            path + " has an unknown feature '" + name + "'; the model takes " + layout.features());
      }
      if (seen[i]) {
        throw new InvalidException(path + " gives feature '" + name + "' twice");
      }
      seen[i] = true;
      count++;
      rows.set(at + i, value(p, next(p), i, path + "." + name));
    }
    if (count != layout.rowLength()) {
      for (int i = 0; i < seen.length; i++) {
        if (!seen[i]) {
          throw new InvalidException(
              path + " is missing feature '" + layout.features().get(i) + "'");
        }
      }
    }
  }

  /**
   * Input value {@code i}: a finite number, or null for a model whose preprocessing fills a gap
   * there (its training rows' median, or the strategy it was trained with).
   */
  private double value(JsonParser p, JsonToken t, int i, String path) {
    if (t == JsonToken.VALUE_NULL && !Double.isNaN(layout.fill(i))) {
      return layout.fill(i);
    }
    return number(p, t, path);
  }

  /**
   * An instance of a model that takes raw table rows: an array of the input columns' values in
   * training column order, or an object of column name to value (a column left out is missing).
   * Values are numbers, text, or null for missing; the model's preprocessing turns the row into its
   * input values.
   */
  private void raw(JsonParser p, JsonToken item, Rows rows, int at, String path) {
    List<String> columns = layout.columns();
    Object[] row = new Object[columns.size()];
    if (item == JsonToken.START_ARRAY) {
      int n = 0;
      for (JsonToken t = next(p); t != JsonToken.END_ARRAY; t = next(p)) {
        if (n >= row.length) {
          throw new InvalidException(
              path
                  + " has "
                  + (n + 1 + remaining(p))
                  + " values; the model takes "
                  + row.length
                  + " "
                  + columns);
        }
        row[n] = rawValue(p, t, path + "[" + n + "]");
        n++;
      }
      if (n != row.length) {
        throw new InvalidException(
            path + " has " + n + " values; the model takes " + row.length + " " + columns);
      }
    } else if (item == JsonToken.START_OBJECT) {
      boolean[] seen = new boolean[row.length];
      JsonToken t;
      while ((t = next(p)) == JsonToken.PROPERTY_NAME) {
        String name = p.currentName();
        int i = layout.columnIndex(name);
        if (i < 0) {
          throw new InvalidException(
              path + " has an unknown column '" + name + "'; the model takes " + columns);
        }
        if (seen[i]) {
          throw new InvalidException(path + " gives column '" + name + "' twice");
        }
        seen[i] = true;
        row[i] = rawValue(p, next(p), path + "." + name);
      }
    } else {
      throw new InvalidException(
          path
              + " must be an array of column values or an object of column to value, was "
              + kind(item));
    }
    double[] out = new double[layout.rowLength()];
    try {
      layout.preprocessing().transform(row, out, 0);
    } catch (Preprocessor.ValueException e) {
      throw new InvalidException(path + ": " + e.getMessage());
    }
    for (int i = 0; i < out.length; i++) {
      rows.set(at + i, out[i]);
    }
  }

  /** A raw value: a finite number, text, or null. */
  private static Object rawValue(JsonParser p, JsonToken t, String path) {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t == JsonToken.VALUE_STRING) {
      return JsonBody.string(p, t, path);
    }
    if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
      return number(p, t, path);
    }
    throw new InvalidException(path + " must be a number, text or null, was " + kind(t));
  }

  /** Skips to the end of the array the parser is in and counts the values skipped. */
  private static int remaining(JsonParser p) {
    int n = 0;
    JsonToken t;
    while ((t = next(p)) != JsonToken.END_ARRAY && t != null) {
      JsonBody.skip(p);
      n++;
    }
    return n;
  }

  private InvalidException wrongLength(String path, int got) {
    String names =
        layout.features() == null || layout.features().size() > 32 ? "" : " " + layout.features();
    return new InvalidException(
        path
            + " has "
            + got
            + " values; the model takes "
            + layout.rowLength()
            + (layout.rank() > 1 ? " (input shape " + layout + ")" : "")
            + names);
  }

  private InvalidException wrongShape(String path, int axis, String got) {
    return new InvalidException(
        path
            + " has "
            + got
            + " entries on axis "
            + axis
            + " of the input shape "
            + layout
            + ", which needs "
            + layout.dim(axis));
  }
}

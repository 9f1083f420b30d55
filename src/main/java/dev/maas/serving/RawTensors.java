package dev.maas.serving;

import static dev.maas.serving.JsonBody.kind;
import static dev.maas.serving.JsonBody.next;
import static dev.maas.serving.JsonBody.number;
import static dev.maas.serving.JsonBody.string;

import dev.maas.compute.Preprocessor;
import dev.maas.errors.InvalidException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * The {@code inputs} of an infer request to a model that takes raw table rows, in the tabular form
 * of KServe's and MLServer's codecs: one tensor per input column, named as the column, shape {@code
 * [N]} or {@code [N, 1]}, {@code BYTES} for a text column and a numeric datatype for a number
 * column, {@code null} for a missing value. A model whose columns are all numbers also takes the
 * single tensor {@code input} of shape {@code [N, columns]}. A column sent by no tensor is missing
 * in every row.
 */
final class RawTensors {
  private static final Set<String> NUMERIC =
      Set.of(
          "FP16", "FP32", "FP64", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32",
          "UINT64");

  private RawTensors() {}

  /** Reads the tensors of the {@code inputs} array whose '[' is read, into transformed rows. */
  static Rows read(JsonParser p, InputLayout layout, int maxInstances) {
    List<Tensor> tensors = new ArrayList<>();
    JsonToken item;
    long limit = maxInstances * (long) Math.max(1, layout.columns().size());
    while ((item = next(p)) != JsonToken.END_ARRAY) {
      tensors.add(tensor(p, item, "inputs[" + tensors.size() + "]", limit));
    }
    return rows(tensors, layout, maxInstances);
  }

  /** Transformed rows from the request's tensors, {@code inputs[i]} in messages. */
  static Rows rows(List<Tensor> tensors, InputLayout layout, int maxInstances) {
    Preprocessor preprocessing = layout.preprocessing();
    List<String> columns = layout.columns();
    Object[][] byColumn = new Object[columns.size()][];
    int batch = -1;
    Set<String> seen = new HashSet<>();
    for (int index = 0; index < tensors.size(); index++) {
      String path = "inputs[" + index + "]";
      Tensor tensor = tensors.get(index);
      if (!seen.add(tensor.name)) {
        throw new InvalidException(path + " repeats the input '" + tensor.name + "'");
      }
      int n;
      if (tensor.name.equals(InferenceController.INPUT) && preprocessing.numeric()) {
        checkShape(tensor, path, columns.size());
        n = (int) tensor.shape[0];
        for (int c = 0; c < columns.size(); c++) {
          if (byColumn[c] != null) {
            throw new InvalidException(
                path + " gives column '" + columns.get(c) + "' again, as part of 'input'");
          }
          byColumn[c] = new Object[n];
          for (int r = 0; r < n; r++) {
            byColumn[c][r] = tensor.values.get(r * columns.size() + c);
          }
        }
      } else {
        int c = layout.columnIndex(tensor.name);
        if (c < 0) {
          throw new InvalidException(
              path
                  + ".name is '"
                  + tensor.name
                  + "'; the model's inputs are its columns "
                  + columns
                  + (preprocessing.numeric() ? ", or 'input' with all of them" : ""));
        }
        if (byColumn[c] != null) {
          throw new InvalidException(path + " gives column '" + tensor.name + "' again");
        }
        checkShape(tensor, path, 1);
        n = (int) tensor.shape[0];
        checkKind(preprocessing.steps().get(c), tensor, path);
        byColumn[c] = tensor.values.toArray();
      }
      if (n > maxInstances) {
        throw new InvalidException(
            path
                + ".shape asks for "
                + n
                + " instances, over the limit of "
                + maxInstances
                + " (maas.serving.max-instances); split it");
      }
      if (batch >= 0 && n != batch) {
        throw new InvalidException(
            path + " has " + n + " rows where the inputs before it have " + batch);
      }
      batch = n;
    }
    if (batch < 0) {
      throw new InvalidException("'inputs' is empty; send one tensor per column " + columns);
    }
    Rows rows = new Rows(layout.rowLength(), batch);
    Object[] row = new Object[columns.size()];
    double[] out = new double[layout.rowLength()];
    for (int r = 0; r < batch; r++) {
      for (int c = 0; c < row.length; c++) {
        row[c] = byColumn[c] == null ? null : byColumn[c][r];
      }
      try {
        preprocessing.transform(row, out, 0);
      } catch (Preprocessor.ValueException e) {
        throw new InvalidException("row " + r + ": " + e.getMessage());
      }
      int at = rows.addRow();
      for (int i = 0; i < out.length; i++) {
        rows.set(at + i, out[i]);
      }
    }
    return rows;
  }

  private static void checkShape(Tensor t, String path, int width) {
    boolean fits =
        t.shape.length >= 1
            && t.shape.length <= 2
            && (t.shape.length == 1 ? width == 1 : t.shape[1] == width)
            && t.shape[0] >= 1;
    if (!fits) {
      throw new InvalidException(
          path
              + ".shape "
              + Arrays.toString(t.shape)
              + " does not fit: want "
              + (width == 1 ? "[N] or [N, 1]" : "[N, " + width + "]")
              + " with N at least 1");
    }
    if (t.values.size() != t.shape[0] * width) {
      throw new InvalidException(
          path
              + ".data has "
              + t.values.size()
              + " values; shape "
              + Arrays.toString(t.shape)
              + " needs "
              + t.shape[0] * width);
    }
  }

  private static void checkKind(Preprocessor.Step step, Tensor t, String path) {
    boolean bytes = t.datatype.equals("BYTES");
    if (step instanceof Preprocessor.Numeric && bytes) {
      throw new InvalidException(
          path
              + " is BYTES, but column '"
              + step.column()
              + "' takes numbers (FP16 to FP64, INT8 to INT64, UINT8 to UINT64)");
    }
  }

  /**
   * One input tensor: its values row-major, each a {@code String} (BYTES), a {@code Double} or null
   * (missing).
   */
  record Tensor(String name, String datatype, long[] shape, List<Object> values) {}

  private static Tensor tensor(JsonParser p, JsonToken t, String path, long limit) {
    if (t != JsonToken.START_OBJECT) {
      throw new InvalidException(path + " must be a tensor object, was " + kind(t));
    }
    String name = null;
    String datatype = null;
    long[] shape = null;
    List<Object> data = null;
    Set<String> seen = new HashSet<>();
    JsonToken f;
    while ((f = next(p)) == JsonToken.PROPERTY_NAME) {
      String field = p.currentName();
      JsonToken value = next(p);
      JsonBody.once(seen, field, path + "." + field);
      switch (field) {
        case "name" -> name = string(p, value, path + ".name");
        case "datatype" -> datatype = string(p, value, path + ".datatype");
        case "shape" -> shape = InferRequest.shape(p, value, path + ".shape");
        case "data" -> data = values(p, value, path + ".data", limit);
        case "parameters" -> {
          if (value != JsonToken.START_OBJECT) {
            throw new InvalidException(path + ".parameters must be an object, was " + kind(value));
          }
          JsonBody.skip(p);
        }
        default ->
            throw new InvalidException(
                "unknown field '"
                    + path
                    + "."
                    + field
                    + "'; a tensor has 'name', 'shape', 'datatype', 'data' and 'parameters'");
      }
    }
    if (name == null || datatype == null || shape == null || data == null) {
      throw new InvalidException(path + " needs 'name', 'shape', 'datatype' and 'data'");
    }
    return checked(path, name, datatype, shape, data);
  }

  /** A tensor after checking its datatype and that its values are of that datatype. */
  static Tensor checked(
      String path, String name, String datatype, long[] shape, List<Object> data) {
    if (!datatype.equals("BYTES") && !NUMERIC.contains(datatype)) {
      throw new InvalidException(
          path + ".datatype '" + datatype + "' is not BYTES or a numeric datatype");
    }
    boolean bytes = datatype.equals("BYTES");
    for (int i = 0; i < data.size(); i++) {
      Object v = data.get(i);
      if (v != null && (v instanceof String) != bytes) {
        throw new InvalidException(
            path
                + ".data["
                + i
                + "] is "
                + (bytes ? "a number, but the datatype is BYTES" : "text, but the datatype is ")
                + (bytes ? "" : datatype));
      }
    }
    return new Tensor(name, datatype, shape, data);
  }

  /** A flat or nested array of numbers, strings and nulls, row-major. */
  private static List<Object> values(JsonParser p, JsonToken t, String path, long limit) {
    if (t != JsonToken.START_ARRAY) {
      throw new InvalidException(path + " must be an array, was " + kind(t));
    }
    List<Object> out = new ArrayList<>();
    flatten(p, out, path, limit, 0);
    return out;
  }

  private static void flatten(JsonParser p, List<Object> out, String path, long limit, int depth) {
    JsonToken t;
    while ((t = next(p)) != JsonToken.END_ARRAY) {
      if (t == JsonToken.START_ARRAY) {
        if (depth >= 2) {
          throw new InvalidException(path + " is nested deeper than [N, columns]");
        }
        flatten(p, out, path, limit, depth + 1);
        continue;
      }
      if (out.size() >= limit) {
        throw new InvalidException(
            path + " has more values than " + limit + " (maas.serving.max-instances rows)");
      }
      String here = path + "[" + out.size() + "]";
      if (t == JsonToken.VALUE_NULL) {
        out.add(null);
      } else if (t == JsonToken.VALUE_STRING) {
        out.add(string(p, t, here));
      } else {
        out.add(number(p, t, here));
      }
    }
  }
}

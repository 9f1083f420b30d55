package dev.maas.serving;

import static dev.maas.serving.JsonBody.kind;
import static dev.maas.serving.JsonBody.next;
import static dev.maas.serving.JsonBody.number;
import static dev.maas.serving.JsonBody.string;

import dev.maas.errors.InvalidException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * An Open Inference Protocol (KServe v2) infer request: {@code {"id", "parameters", "inputs":
 * [{"name", "shape", "datatype", "data", "parameters"}], "outputs": [{"name"}]}}. maas models have
 * one input tensor of shape {@code [batch, ...input shape]}; its data may be flat or nested,
 * row-major, of any numeric datatype.
 *
 * @param id the request's id, echoed in the answer, or null
 * @param rows the input tensor as rows
 * @param outputs the outputs asked for, or null for all
 */
record InferRequest(String id, Rows rows, List<String> outputs) {
  private static final Set<String> FLOATS = Set.of("FP16", "FP32", "FP64");
  private static final Set<String> INTEGERS =
      Set.of("INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64");

  static InferRequest read(byte[] body, InputLayout layout, int maxInstances) {
    try (JsonParser p = JsonBody.parser(body)) {
      if (next(p) != JsonToken.START_OBJECT) {
        throw new InvalidException(
            "the request body must be a JSON object: {\"inputs\": [{\"name\", \"shape\","
                + " \"datatype\", \"data\"}]}");
      }
      String id = null;
      Rows rows = null;
      List<String> outputs = null;
      Set<String> seen = new HashSet<>();
      JsonToken t;
      while ((t = next(p)) == JsonToken.PROPERTY_NAME) {
        String field = p.currentName();
        JsonToken value = next(p);
        JsonBody.once(seen, field, "'" + field + "'");
        switch (field) {
          case "id":
            id = string(p, value, "id");
            break;
          case "parameters":
            object(p, value, "parameters");
            break;
          case "inputs":
            rows = inputs(p, value, layout, maxInstances);
            break;
          case "outputs":
            outputs = outputs(p, value);
            break;
          default:
            throw new InvalidException(
                "unknown field '"
                    + field
                    + "'; an infer request has 'id', 'parameters', 'inputs' and 'outputs'");
        }
      }
      JsonBody.end(p);
      if (rows == null) {
        throw new InvalidException("'inputs' is missing");
      }
      return new InferRequest(id, rows, outputs);
    }
  }

  private static void object(JsonParser p, JsonToken t, String path) {
    if (t != JsonToken.START_OBJECT) {
      throw new InvalidException(path + " must be an object, was " + kind(t));
    }
    JsonBody.skip(p);
  }

  private static Rows inputs(JsonParser p, JsonToken t, InputLayout layout, int maxInstances) {
    if (t != JsonToken.START_ARRAY) {
      throw new InvalidException("'inputs' must be an array of tensors, was " + kind(t));
    }
    if (layout.raw()) {
      return RawTensors.read(p, layout, maxInstances);
    }
    Rows rows = null;
    int count = 0;
    JsonToken item;
    while ((item = next(p)) != JsonToken.END_ARRAY) {
      if (count > 0) {
        throw new InvalidException(
            "'inputs' has more than one tensor; the model takes one, '"
                + InferenceController.INPUT
                + "'");
      }
      rows = tensor(p, item, "inputs[0]", layout, maxInstances);
      count++;
    }
    if (rows == null) {
      throw new InvalidException("'inputs' is empty; send the tensor 'input'");
    }
    return rows;
  }

  private static Rows tensor(
      JsonParser p, JsonToken t, String path, InputLayout layout, int maxInstances) {
    if (t != JsonToken.START_OBJECT) {
      throw new InvalidException(path + " must be a tensor object, was " + kind(t));
    }
    String name = null;
    String datatype = null;
    long[] shape = null;
    Values data = null;
    Set<String> seen = new HashSet<>();
    JsonToken f;
    while ((f = next(p)) == JsonToken.PROPERTY_NAME) {
      String field = p.currentName();
      JsonToken value = next(p);
      JsonBody.once(seen, field, path + "." + field);
      switch (field) {
        case "name":
          name = string(p, value, path + ".name");
          if (!name.equals(InferenceController.INPUT)) {
            throw notTheInput(path, name);
          }
          break;
        case "datatype":
          datatype = string(p, value, path + ".datatype");
          break;
        case "shape":
          shape = shape(p, value, path + ".shape");
          break;
        case "data":
          data = data(p, value, path + ".data", maxInstances * (long) layout.rowLength());
          break;
        case "parameters":
          object(p, value, path + ".parameters");
          break;
        default:
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
    return rows(path, datatype, shape, data.buffer, data.size, layout, maxInstances);
  }

  /**
   * The model's one input tensor as rows, its name already checked: the datatype, the shape and the
   * number of values ({@code size} of {@code values}) are checked as for any transport.
   */
  static Rows rows(
      String path,
      String datatype,
      long[] shape,
      double[] values,
      int size,
      InputLayout layout,
      int maxInstances) {
    checkDatatype(datatype, values, size, path);
    int batch = checkShape(shape, layout, maxInstances, path);
    if (size != (long) batch * layout.rowLength()) {
      throw new InvalidException(
          path
              + ".data has "
              + size
              + " values; shape "
              + Arrays.toString(shape)
              + " needs "
              + (long) batch * layout.rowLength());
    }
    return new Rows(
        values.length == size ? values : Arrays.copyOf(values, size), batch, layout.rowLength());
  }

  /** The error for an input tensor that is not the model's one input. */
  static InvalidException notTheInput(String path, String name) {
    return new InvalidException(
        path
            + ".name is '"
            + name
            + "'; the model's one input is '"
            + InferenceController.INPUT
            + "'");
  }

  /** A tensor's shape: an array of sizes from 0, at most 16 of them. */
  static long[] shape(JsonParser p, JsonToken t, String path) {
    if (t != JsonToken.START_ARRAY) {
      throw new InvalidException(path + " must be an array of sizes, was " + kind(t));
    }
    List<Long> dims = new ArrayList<>();
    JsonToken d;
    while ((d = next(p)) != JsonToken.END_ARRAY) {
      String here = path + "[" + dims.size() + "]";
      if (d != JsonToken.VALUE_NUMBER_INT || dims.size() >= 16) {
        throw new InvalidException(here + " must be a size (a whole number), was " + kind(d));
      }
      long value = p.getValueAsLong(-1);
      if (value < 0 || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        throw new InvalidException(here + " must be a size from 0, was " + p.getString());
      }
      dims.add(value);
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  /** The batch size, after checking the shape is {@code [batch, ...input shape]}. */
  private static int checkShape(long[] shape, InputLayout layout, int maxInstances, String path) {
    boolean fits = shape.length == layout.rank() + 1;
    for (int i = 0; fits && i < layout.rank(); i++) {
      fits = shape[i + 1] == layout.dim(i);
    }
    if (!fits) {
      throw new InvalidException(
          path
              + ".shape "
              + Arrays.toString(shape)
              + " does not match the model's input "
              + Arrays.toString(layout.batchShape()));
    }
    if (shape[0] < 1) {
      throw new InvalidException(path + ".shape has no instances (batch size 0)");
    }
    if (shape[0] > maxInstances) {
      throw new InvalidException(
          path
              + ".shape asks for "
              + shape[0]
              + " instances, over the limit of "
              + maxInstances
              + " (maas.serving.max-instances); split it");
    }
    return (int) shape[0];
  }

  private static void checkDatatype(String datatype, double[] data, int size, String path) {
    if (FLOATS.contains(datatype)) {
      return;
    }
    if (!INTEGERS.contains(datatype)) {
      throw new InvalidException(
          path
              + ".datatype '"
              + datatype
              + "' is not a numeric datatype this model takes (FP16, FP32, FP64, INT8 to INT64,"
              + " UINT8 to UINT64)");
    }
    for (int i = 0; i < size; i++) {
      double v = data[i];
      if (v != Math.rint(v)) {
        throw new InvalidException(
            path + ".data[" + i + "] is " + v + ", not an integer as " + datatype + " needs");
      }
      if (datatype.startsWith("U") && v < 0) {
        throw new InvalidException(
            path + ".data[" + i + "] is negative, which " + datatype + " cannot hold");
      }
    }
  }

  private static Values data(JsonParser p, JsonToken t, String path, long limit) {
    if (t != JsonToken.START_ARRAY) {
      throw new InvalidException(path + " must be an array of numbers, was " + kind(t));
    }
    Values values = new Values();
    flatten(p, values, path, limit, 0);
    return values;
  }

  /** Reads a (possibly nested) array whose '[' is read, appending its numbers row-major. */
  private static void flatten(JsonParser p, Values values, String path, long limit, int depth) {
    JsonToken t;
    while ((t = next(p)) != JsonToken.END_ARRAY) {
      if (t == JsonToken.START_ARRAY) {
        if (depth >= 16) {
          throw new InvalidException(path + " is nested deeper than any input shape");
        }
        flatten(p, values, path, limit, depth + 1);
        continue;
      }
      if (values.size >= limit) {
        throw new InvalidException(
            path + " has more values than " + limit + " (maas.serving.max-instances rows)");
      }
      values.add(number(p, t, path + "[" + values.size + "]"));
    }
  }

  private static List<String> outputs(JsonParser p, JsonToken t) {
    if (t != JsonToken.START_ARRAY) {
      throw new InvalidException("'outputs' must be an array of {\"name\"}, was " + kind(t));
    }
    List<String> names = new ArrayList<>();
    JsonToken item;
    while ((item = next(p)) != JsonToken.END_ARRAY) {
      String path = "outputs[" + names.size() + "]";
      if (item != JsonToken.START_OBJECT) {
        throw new InvalidException(path + " must be an object {\"name\"}, was " + kind(item));
      }
      String name = null;
      Set<String> seen = new HashSet<>();
      JsonToken f;
      while ((f = next(p)) == JsonToken.PROPERTY_NAME) {
        String field = p.currentName();
        JsonToken value = next(p);
        JsonBody.once(seen, field, path + "." + field);
        if (field.equals("name")) {
          name = string(p, value, path + ".name");
        } else if (field.equals("parameters")) {
          object(p, value, path + ".parameters");
        } else {
          throw new InvalidException(
              "unknown field '" + path + "." + field + "'; an output has 'name' and 'parameters'");
        }
      }
      if (name == null) {
        throw new InvalidException(path + ".name is missing");
      }
      names.add(name);
    }
    return names;
  }

  /** A growable array of doubles. */
  private static final class Values {
    double[] buffer = new double[64];
    int size;

    void add(double v) {
      if (size == buffer.length) {
        buffer = Arrays.copyOf(buffer, buffer.length * 2);
      }
      buffer[size++] = v;
    }
  }
}

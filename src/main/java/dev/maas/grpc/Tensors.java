package dev.maas.grpc;

import com.google.protobuf.ByteString;
import dev.maas.errors.InvalidException;
import dev.maas.grpc.proto.InferTensorContents;
import dev.maas.grpc.proto.ModelInferRequest;
import dev.maas.grpc.proto.ModelInferResponse;
import dev.maas.serving.OpenInference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Tensors between the protocol's messages and {@link OpenInference}'s: typed contents (the repeated
 * field of the tensor's datatype) or raw contents (little-endian elements; BYTES elements each a
 * 4-byte little-endian length and the bytes), decoded to the exact values sent.
 */
final class Tensors {
  private Tensors() {}

  /** The request's input tensors; raw contents when the request has any. */
  static List<OpenInference.Input> inputs(ModelInferRequest request) {
    int raw = request.getRawInputContentsCount();
    if (raw > 0 && raw != request.getInputsCount()) {
      throw new InvalidException(
          "raw_input_contents has "
              + raw
              + " entries for "
              + request.getInputsCount()
              + " inputs; send one per input, in the order of 'inputs'");
    }
    List<OpenInference.Input> out = new ArrayList<>(request.getInputsCount());
    for (int i = 0; i < request.getInputsCount(); i++) {
      ModelInferRequest.InferInputTensor t = request.getInputs(i);
      String path = "inputs[" + i + "]";
      long[] shape = t.getShapeList().stream().mapToLong(Long::longValue).toArray();
      if (t.getName().isEmpty()) {
        throw new InvalidException(path + ".name is missing");
      }
      if (t.getDatatype().isEmpty()) {
        throw new InvalidException(path + ".datatype is missing");
      }
      if (raw > 0) {
        if (t.hasContents()) {
          throw new InvalidException(
              path
                  + " has contents, but the request sends raw_input_contents: use one or the other");
        }
        out.add(raw(path, t.getName(), t.getDatatype(), shape, request.getRawInputContents(i)));
      } else {
        out.add(typed(path, t.getName(), t.getDatatype(), shape, t.getContents()));
      }
    }
    return out;
  }

  private static OpenInference.Input typed(
      String path, String name, String datatype, long[] shape, InferTensorContents c) {
    if (size(datatype) < 0) {
      // not a datatype of the protocol: the serving checks name the ones the model takes
      return OpenInference.Input.numbers(name, datatype, shape, new double[0]);
    }
    String field = field(datatype);
    int[] counts = {
      c.getBoolContentsCount(),
      c.getIntContentsCount(),
      c.getInt64ContentsCount(),
      c.getUintContentsCount(),
      c.getUint64ContentsCount(),
      c.getFp32ContentsCount(),
      c.getFp64ContentsCount(),
      c.getBytesContentsCount()
    };
    String[] fields = {
      "bool_contents",
      "int_contents",
      "int64_contents",
      "uint_contents",
      "uint64_contents",
      "fp32_contents",
      "fp64_contents",
      "bytes_contents"
    };
    for (int k = 0; k < fields.length; k++) {
      if (counts[k] > 0 && !fields[k].equals(field)) {
        throw new InvalidException(
            path
                + ".contents has "
                + fields[k]
                + ", but datatype "
                + datatype
                + (field == null
                    ? " has no typed contents (send raw_input_contents)"
                    : " takes " + field));
      }
    }
    if (field == null) {
      return OpenInference.Input.numbers(name, datatype, shape, new double[0]);
    }
    switch (field) {
      case "bytes_contents":
        {
          List<String> texts = new ArrayList<>(c.getBytesContentsCount());
          for (ByteString b : c.getBytesContentsList()) {
            texts.add(b.toStringUtf8());
          }
          return OpenInference.Input.texts(name, datatype, shape, texts);
        }
      case "bool_contents":
        {
          double[] v = new double[c.getBoolContentsCount()];
          for (int i = 0; i < v.length; i++) {
            v[i] = c.getBoolContents(i) ? 1 : 0;
          }
          return OpenInference.Input.numbers(name, datatype, shape, v);
        }
      case "int_contents":
        {
          double[] v = new double[c.getIntContentsCount()];
          for (int i = 0; i < v.length; i++) {
            v[i] = c.getIntContents(i);
          }
          return OpenInference.Input.numbers(name, datatype, shape, v);
        }
      case "int64_contents":
        {
          double[] v = new double[c.getInt64ContentsCount()];
          for (int i = 0; i < v.length; i++) {
            v[i] = c.getInt64Contents(i);
          }
          return OpenInference.Input.numbers(name, datatype, shape, v);
        }
      case "uint_contents":
        {
          double[] v = new double[c.getUintContentsCount()];
          for (int i = 0; i < v.length; i++) {
            v[i] = Integer.toUnsignedLong(c.getUintContents(i));
          }
          return OpenInference.Input.numbers(name, datatype, shape, v);
        }
      case "uint64_contents":
        {
          double[] v = new double[c.getUint64ContentsCount()];
          for (int i = 0; i < v.length; i++) {
            v[i] = unsigned(c.getUint64Contents(i));
          }
          return OpenInference.Input.numbers(name, datatype, shape, v);
        }
      case "fp32_contents":
        {
          double[] v = new double[c.getFp32ContentsCount()];
          for (int i = 0; i < v.length; i++) {
            v[i] = c.getFp32Contents(i);
          }
          return OpenInference.Input.numbers(name, datatype, shape, v);
        }
      default:
        {
          double[] v = new double[c.getFp64ContentsCount()];
          for (int i = 0; i < v.length; i++) {
            v[i] = c.getFp64Contents(i);
          }
          return OpenInference.Input.numbers(name, datatype, shape, v);
        }
    }
  }

  /** The typed contents field of a datatype; null for FP16 (raw only) and unknown datatypes. */
  private static String field(String datatype) {
    return switch (datatype) {
      case "BOOL" -> "bool_contents";
      case "INT8", "INT16", "INT32" -> "int_contents";
      case "INT64" -> "int64_contents";
      case "UINT8", "UINT16", "UINT32" -> "uint_contents";
      case "UINT64" -> "uint64_contents";
      case "FP32" -> "fp32_contents";
      case "FP64" -> "fp64_contents";
      case "BYTES" -> "bytes_contents";
      default -> null;
    };
  }

  /** Bytes per element of a fixed-size datatype; 0 for BYTES, -1 for unknown ones. */
  private static int size(String datatype) {
    return switch (datatype) {
      case "BOOL", "INT8", "UINT8" -> 1;
      case "INT16", "UINT16", "FP16" -> 2;
      case "INT32", "UINT32", "FP32" -> 4;
      case "INT64", "UINT64", "FP64" -> 8;
      case "BYTES" -> 0;
      default -> -1;
    };
  }

  private static OpenInference.Input raw(
      String path, String name, String datatype, long[] shape, ByteString bytes) {
    String where =
        "raw_input_contents[" + path.substring("inputs[".length(), path.length() - 1) + "]";
    ByteBuffer b = bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    int size = size(datatype);
    if (size < 0) {
      // unknown: the serving checks name the datatypes it takes
      return OpenInference.Input.numbers(name, datatype, shape, new double[0]);
    }
    if (size == 0) {
      List<String> texts = new ArrayList<>();
      while (b.hasRemaining()) {
        if (b.remaining() < 4) {
          throw new InvalidException(
              where + " ends inside a BYTES element's 4-byte length (" + path + ")");
        }
        int length = b.getInt();
        if (length < 0 || length > b.remaining()) {
          throw new InvalidException(
              where
                  + " has a BYTES element of "
                  + Integer.toUnsignedLong(length)
                  + " bytes where "
                  + b.remaining()
                  + " are left ("
                  + path
                  + ")");
        }
        byte[] text = new byte[length];
        b.get(text);
        texts.add(new String(text, StandardCharsets.UTF_8));
      }
      return OpenInference.Input.texts(name, datatype, shape, texts);
    }
    if (b.remaining() % size != 0) {
      throw new InvalidException(
          where
              + " has "
              + b.remaining()
              + " bytes, not a whole number of "
              + datatype
              + " elements ("
              + size
              + " bytes each)");
    }
    double[] v = new double[b.remaining() / size];
    for (int i = 0; i < v.length; i++) {
      v[i] =
          switch (datatype) {
            case "BOOL" -> b.get() != 0 ? 1 : 0;
            case "INT8" -> b.get();
            case "UINT8" -> Byte.toUnsignedInt(b.get());
            case "INT16" -> b.getShort();
            case "UINT16" -> Short.toUnsignedInt(b.getShort());
            case "FP16" -> half(b.getShort());
            case "INT32" -> b.getInt();
            case "UINT32" -> Integer.toUnsignedLong(b.getInt());
            case "FP32" -> b.getFloat();
            case "INT64" -> b.getLong();
            case "UINT64" -> unsigned(b.getLong());
            default -> b.getDouble();
          };
    }
    return OpenInference.Input.numbers(name, datatype, shape, v);
  }

  private static double unsigned(long v) {
    return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
  }

  /** An IEEE 754 half-precision value, exactly. */
  static double half(short bits) {
    int sign = (bits >>> 15) & 1;
    int exponent = (bits >>> 10) & 0x1f;
    int fraction = bits & 0x3ff;
    double value;
    if (exponent == 0) {
      value = fraction * 0x1p-24;
    } else if (exponent == 31) {
      value = fraction == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
    } else {
      value = (1024 + fraction) * Math.scalb(1.0, exponent - 25);
    }
    return sign == 1 ? -value : value;
  }

  /** The answer's outputs, typed or raw (raw when the request sent raw inputs). */
  static ModelInferResponse response(String id, OpenInference.Answer answer, boolean raw) {
    ModelInferResponse.Builder out =
        ModelInferResponse.newBuilder()
            .setModelName(answer.modelName())
            .setModelVersion(answer.modelVersion())
            .setId(id);
    for (OpenInference.Output o : answer.outputs()) {
      ModelInferResponse.InferOutputTensor.Builder t =
          ModelInferResponse.InferOutputTensor.newBuilder()
              .setName(o.name())
              .setDatatype(o.datatype());
      for (long d : o.shape()) {
        t.addShape(d);
      }
      if (raw) {
        out.addRawOutputContents(rawBytes(o));
      } else {
        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        if (o.texts() != null) {
          for (String s : o.texts()) {
            c.addBytesContents(ByteString.copyFromUtf8(s));
          }
        } else if (o.datatype().equals("FP32")) {
          for (double v : o.numbers()) {
            c.addFp32Contents((float) v);
          }
        } else {
          for (double v : o.numbers()) {
            c.addFp64Contents(v);
          }
        }
        t.setContents(c);
      }
      out.addOutputs(t);
    }
    return out.build();
  }

  private static ByteString rawBytes(OpenInference.Output o) {
    if (o.texts() != null) {
      List<byte[]> texts = new ArrayList<>(o.texts().size());
      int length = 0;
      for (String s : o.texts()) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        texts.add(b);
        length += 4 + b.length;
      }
      ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
      for (byte[] t : texts) {
        b.putInt(t.length).put(t);
      }
      return ByteString.copyFrom(b.array());
    }
    boolean fp32 = o.datatype().equals("FP32");
    ByteBuffer b =
        ByteBuffer.allocate(o.numbers().length * (fp32 ? 4 : 8)).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : o.numbers()) {
      if (fp32) {
        b.putFloat((float) v);
      } else {
        b.putDouble(v);
      }
    }
    return ByteString.copyFrom(b.array());
  }
}

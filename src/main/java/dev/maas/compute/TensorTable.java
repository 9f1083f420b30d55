package dev.maas.compute;

import static dev.maas.compute.JsonFields.invalid;
import static dev.maas.compute.JsonFields.string;

import dev.maas.compute.ModelManifest.TensorEntry;
import dev.maas.compute.nn.Head;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import tools.jackson.databind.JsonNode;

/**
 * The manifest's tensor table, checked before any tensor byte is read or any buffer allocated: what
 * the tensors are, how large, where, and that the parameters fit the spec's network.
 */
final class TensorTable {
  private static final Set<String> FIELDS = Set.of("name", "dtype", "shape", "offset", "length");
  private static final Set<String> NAMES = Set.of(ModelManifest.PARAMETERS);

  private TensorTable() {}

  /**
   * The tensor table: known, distinct names; sizes that agree with shapes and stay under the limit;
   * tensors back to back in table order from offset 0. All in arithmetic that cannot overflow,
   * before anything is allocated for them.
   */
  static List<TensorEntry> read(JsonNode node, ModelCodec.Limits limits)
      throws ModelFormatException {
    JsonFields.array(node, "tensors");
    List<TensorEntry> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    long offset = 0;
    for (int i = 0; i < node.size(); i++) {
      String path = "tensors[" + i + "]";
      JsonNode t = JsonFields.object(node.get(i), path, FIELDS, FIELDS);
      String name = string(t.get("name"), path + ".name");
      if (!NAMES.contains(name) || !names.add(name)) {
        throw invalid(path + ".name", "must be one of " + NAMES + " once, was '" + name + "'");
      }
      DataType dtype = ManifestJson.dtype(t.get("dtype"), path + ".dtype");
      JsonNode shapeNode = JsonFields.array(t.get("shape"), path + ".shape");
      long[] shape = new long[shapeNode.size()];
      long elements = 1;
      for (int k = 0; k < shape.length; k++) {
        shape[k] = JsonFields.longInteger(shapeNode.get(k), path + ".shape[" + k + "]");
        if (shape[k] < 0) {
          throw invalid(path + ".shape", "must not hold negative sizes");
        }
        elements = multiplyOrMax(elements, shape[k]);
      }
      long needed = multiplyOrMax(elements, dtype.width());
      long length = JsonFields.longInteger(t.get("length"), path + ".length");
      if (length != needed) {
        throw new ModelFormatException(
            "tensor '"
                + name
                + "': shape "
                + Arrays.toString(shape)
                + " of "
                + ManifestJson.dtypeName(dtype)
                + (needed == Long.MAX_VALUE ? " overflows 64 bits" : " needs " + needed + " bytes")
                + " but the table says "
                + length);
      }
      if (length > limits.maxTensorBytes() - offset) {
        throw new ModelFormatException(
            "tensor '"
                + name
                + "' of "
                + length
                + " bytes takes the tensor data over the limit of "
                + limits.maxTensorBytes()
                + " bytes");
      }
      long at = JsonFields.longInteger(t.get("offset"), path + ".offset");
      if (at != offset) {
        throw invalid(path + ".offset", "must be " + offset + " (tensors lie back to back)");
      }
      offset += length;
      out.add(new TensorEntry(name, dtype, shape, at, length));
    }
    for (String required : NAMES) {
      if (!names.contains(required)) {
        throw new ModelFormatException("manifest has no tensor '" + required + "'");
      }
    }
    return out;
  }

  /** {@code a * b}, or {@link Long#MAX_VALUE} when it overflows; both not negative. */
  private static long multiplyOrMax(long a, long b) {
    long high = Math.multiplyHigh(a, b);
    long product = a * b;
    return high != 0 || product < 0 ? Long.MAX_VALUE : product;
  }

  /** The parameters tensor against the network the spec builds, computed without allocating. */
  static void checkParameters(
      TensorEntry parameters,
      ModelSpec spec,
      int[] inputShape,
      List<String> labels,
      int outputs,
      DataType dataType)
      throws ModelFormatException {
    if (parameters.dtype() != dataType || parameters.shape().length != 1) {
      throw new ModelFormatException(
          "tensor 'parameters' must be a vector of the model's "
              + ManifestJson.dtypeName(dataType)
              + ", was "
              + ManifestJson.dtypeName(parameters.dtype())
              + Arrays.toString(parameters.shape()));
    }
    Head head = labels == null ? Head.REGRESSION : Head.forClasses(labels.size());
    long expected;
    try {
      expected = Architectures.parameterCount(spec, inputShape, head, outputs);
    } catch (RuntimeException e) {
      throw new ModelFormatException(
          "the " + spec.family() + " spec cannot be built: " + e.getMessage(), e);
    }
    if (parameters.elements() > Integer.MAX_VALUE - 8) {
      throw new ModelFormatException(
          "tensor 'parameters' has "
              + parameters.elements()
              + " values, more than a Java array holds");
    }
    if (parameters.elements() != expected) {
      throw new ModelFormatException(
          "the "
              + spec.family()
              + " spec needs "
              + expected
              + " parameters, the file has "
              + parameters.elements());
    }
  }
}

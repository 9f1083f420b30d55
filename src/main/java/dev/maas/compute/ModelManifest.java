package dev.maas.compute;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Everything a model file says about its model except the parameter values: what {@link
 * ModelCodec#readManifest} returns, so that a registry can list and describe a stored model without
 * building it. Read from a file, every field has been validated (see {@link ModelCodec}).
 *
 * @param formatVersion the file's format version
 * @param spec the architecture; its family is {@link #family()}
 * @param task regression or classification
 * @param inputShape the shape of one example
 * @param outputs regression outputs, or the number of classes
 * @param labels class labels in class-index order; null for regression
 * @param dataType FLOAT or DOUBLE, the parameters' numeric type
 * @param inputScaler the features' standardizer
 * @param targetScaler the regression targets' standardizer; null for classification
 * @param metrics test metrics, or null when the model was trained without test rows
 * @param tensors the tensor table, in file order
 * @param features the name of each input value in row-major order, or null when unknown (files
 *     written before names were kept, or models trained outside a job)
 * @param preprocessing what is done to a raw table row before the network, or null when the model
 *     takes its input values as they are (format version 2)
 * @param provenance where the model came from (job, data, split, seed, settings, software), or null
 *     when unknown (files written before it was kept, or models trained outside a job)
 */
public record ModelManifest(
    int formatVersion,
    ModelSpec spec,
    Task task,
    int[] inputShape,
    int outputs,
    List<String> labels,
    DataType dataType,
    Standardizer inputScaler,
    Standardizer targetScaler,
    Metrics metrics,
    List<TensorEntry> tensors,
    List<String> features,
    Preprocessor preprocessing,
    ModelProvenance provenance) {

  /** The name of the flat parameter vector in the tensor table. */
  public static final String PARAMETERS = "parameters";

  public ModelManifest {
    inputShape = inputShape.clone();
    labels = labels == null ? null : List.copyOf(labels);
    tensors = List.copyOf(tensors);
    features = features == null ? null : List.copyOf(features);
  }

  /** The manifest of {@code model}, with its parameters as the only tensor. */
  static ModelManifest of(TrainedModel model, int formatVersion, ModelProvenance provenance) {
    long count = model.parameterCount();
    DataType type = model.dataType();
    return new ModelManifest(
        formatVersion,
        model.spec(),
        model.task(),
        model.inputShape(),
        model.outputs(),
        model.labels(),
        type,
        model.inputScaler(),
        model.targetScaler(),
        model.metrics(),
        List.of(new TensorEntry(PARAMETERS, type, new long[] {count}, 0, count * type.width())),
        model.features(),
        model.preprocessing(),
        provenance);
  }

  public Family family() {
    return spec.family();
  }

  @Override
  public int[] inputShape() {
    return inputShape.clone();
  }

  /** The number of values of the parameters tensor. */
  public long parameterCount() {
    return tensors.stream()
        .filter(t -> t.name().equals(PARAMETERS))
        .mapToLong(TensorEntry::elements)
        .sum();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelManifest m
        && formatVersion == m.formatVersion
        && spec.equals(m.spec)
        && task == m.task
        && Arrays.equals(inputShape, m.inputShape)
        && outputs == m.outputs
        && Objects.equals(labels, m.labels)
        && dataType == m.dataType
        && inputScaler.equals(m.inputScaler)
        && Objects.equals(targetScaler, m.targetScaler)
        && Objects.equals(metrics, m.metrics)
        && tensors.equals(m.tensors)
        && Objects.equals(features, m.features)
        && Objects.equals(provenance, m.provenance);
  }

  @Override
  public int hashCode() {
    return Objects.hash(spec, task, Arrays.hashCode(inputShape), outputs, labels, tensors);
  }

  @Override
  public String toString() {
    return "ModelManifest[formatVersion="
        + formatVersion
        + ", family="
        + family()
        + ", spec="
        + spec
        + ", task="
        + task
        + ", inputShape="
        + Arrays.toString(inputShape)
        + ", outputs="
        + outputs
        + ", labels="
        + labels
        + ", dataType="
        + dataType
        + ", metrics="
        + metrics
        + ", tensors="
        + tensors
        + "]";
  }

  /**
   * One entry of the tensor table: a tensor's raw little-endian values lie at {@code offset} bytes
   * from the start of the tensor data, {@code length} bytes long.
   *
   * @param name what the tensor holds, e.g. {@value #PARAMETERS}
   * @param dtype FLOAT (float32) or DOUBLE (float64)
   * @param shape the tensor's dimensions; {@code length} is their product times the type's width
   * @param offset bytes from the start of the tensor data
   * @param length bytes of the tensor
   */
  public record TensorEntry(String name, DataType dtype, long[] shape, long offset, long length) {
    public TensorEntry {
      shape = shape.clone();
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }

    /** The number of values: the product of the shape. */
    public long elements() {
      long n = 1;
      for (long d : shape) {
        n = Math.multiplyExact(n, d);
      }
      return n;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof TensorEntry t
          && name.equals(t.name)
          && dtype == t.dtype
          && Arrays.equals(shape, t.shape)
          && offset == t.offset
          && length == t.length;
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, dtype, Arrays.hashCode(shape), offset, length);
    }

    @Override
    public String toString() {
      return name + ":" + dtype + Arrays.toString(shape) + "@" + offset + "+" + length;
    }
  }
}

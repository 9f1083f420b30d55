package dev.maas.compute;

import dev.maas.compute.nn.Head;
import dev.maas.compute.nn.HeapDense;
import dev.maas.compute.nn.HostArrays;
import dev.maas.compute.nn.Network;
import dev.maas.compute.nn.NetworkPass;
import dev.maas.compute.nn.PassCache;
import dev.maas.compute.nn.Workspaces;
import dev.maas.errors.InvalidException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained model: its spec, input shape, scalers, labels, metrics and parameters. Immutable and
 * safe for concurrent {@link #predict} calls; each caller borrows preallocated buffers of its own.
 * Holds native memory until {@link #close()}d, which must not race with predictions.
 */
public final class TrainedModel implements AutoCloseable {
  /** Largest batch one native pass takes; longer requests are run in chunks of this many rows. */
  static final int MAX_PASS_ROWS = 256;

  /**
   * The most floating-point operations a call may take to run on the heap ({@link HeapDense})
   * rather than natively: below it ND4J's fixed cost per native call outweighs the arithmetic.
   */
  static final long HEAP_FLOPS = 256 * 1024;

  private final ModelSpec spec;
  private final int[] inputShape;
  private final int rowLength;
  private final Head head;
  private final int outputs;
  private final List<String> labels;
  private final Standardizer inputScaler;
  private final Standardizer targetScaler;
  private final Network network;
  private final Metrics metrics;
  private final ConcurrentLinkedDeque<PassCache> idle;
  private final List<String> features;
  private final Preprocessor preprocessing;
  private final HeapDense heap;

  private TrainedModel(
      ModelSpec spec,
      int[] inputShape,
      Head head,
      int outputs,
      List<String> labels,
      Standardizer inputScaler,
      Standardizer targetScaler,
      Network network,
      Metrics metrics,
      ConcurrentLinkedDeque<PassCache> idle,
      List<String> features,
      Preprocessor preprocessing) {
    this.spec = spec;
    this.inputShape = inputShape.clone();
    this.rowLength = Math.toIntExact(dev.maas.compute.nn.Shapes.size(inputShape));
    this.head = head;
    this.outputs = outputs;
    this.labels = labels == null ? null : List.copyOf(labels);
    this.inputScaler = inputScaler;
    this.targetScaler = targetScaler;
    this.network = network;
    this.metrics = metrics;
    this.idle = idle;
    this.features = features == null ? null : List.copyOf(features);
    this.preprocessing = preprocessing;
    if (preprocessing != null && preprocessing.width() != rowLength) {
      throw new IllegalArgumentException(
          "a model with " + rowLength + " input values needs a preprocessing of that width");
    }
    HeapDense dense = HeapDense.of(network);
    this.heap = dense != null && dense.flopsPerRow() <= HEAP_FLOPS ? dense : null;
    if (this.features != null && this.features.size() != rowLength) {
      throw new IllegalArgumentException(
          "a model with " + rowLength + " input values needs as many feature names");
    }
  }

  /**
   * A model with the parameters of {@code trained}, which is closed: the model keeps an
   * inference-only copy without gradient buffers.
   */
  static TrainedModel of(
      ModelSpec spec,
      int[] inputShape,
      Head head,
      int outputs,
      List<String> labels,
      Standardizer inputScaler,
      Standardizer targetScaler,
      Network trained) {
    double[] parameters = HostArrays.readFlat(trained.parameters());
    DataType type = trained.dataType();
    trained.close();
    return create(
        spec, inputShape, outputs, labels, inputScaler, targetScaler, type, parameters, null);
  }

  /** Builds a model from its parts, as a model file stores them. */
  static TrainedModel create(
      ModelSpec spec,
      int[] inputShape,
      int outputs,
      List<String> labels,
      Standardizer inputScaler,
      Standardizer targetScaler,
      DataType dataType,
      double[] parameters,
      Metrics metrics) {
    Head head = labels == null ? Head.REGRESSION : Head.forClasses(labels.size());
    // Count before building: building allocates as much as the spec asks for.
    long needed = Architectures.parameterCount(spec, inputShape, head, outputs);
    if (needed != parameters.length) {
      throw new IllegalArgumentException(
          "the "
              + spec.family()
              + " spec needs "
              + needed
              + " parameters, got "
              + parameters.length);
    }
    Network network = Architectures.build(spec, inputShape, head, outputs, dataType, false);
    network.setParameters(parameters);
    return new TrainedModel(
        spec,
        inputShape,
        head,
        outputs,
        labels,
        inputScaler,
        targetScaler,
        network,
        metrics,
        new ConcurrentLinkedDeque<>(),
        null,
        null);
  }

  /**
   * This model with {@code value} as its metrics. The new model takes over this one's native
   * memory: use only the returned model afterwards.
   */
  TrainedModel withMetrics(Metrics value) {
    return copy(value, features, preprocessing);
  }

  /**
   * This model with {@code names} as the names of its input values in row-major order (a dataset's
   * feature columns), or null for none. The new model takes over this one's native memory: use only
   * the returned model afterwards.
   */
  public TrainedModel withFeatures(List<String> names) {
    return copy(metrics, names, preprocessing);
  }

  /**
   * This model with {@code p} applied to raw rows before its network (its output names become the
   * feature names), or with none when null. The new model takes over this one's native memory.
   */
  public TrainedModel withPreprocessing(Preprocessor p) {
    return copy(metrics, p == null ? features : p.outputNames(), p);
  }

  /** This model with other metrics, feature names and preprocessing, taking over its memory. */
  private TrainedModel copy(
      Metrics newMetrics, List<String> newFeatures, Preprocessor newPreprocessing) {
    return new TrainedModel(
        spec,
        inputShape,
        head,
        outputs,
        labels,
        inputScaler,
        targetScaler,
        network,
        newMetrics,
        idle,
        newFeatures,
        newPreprocessing);
  }

  /**
   * Predicts {@code rows} examples given row-major in {@code features} (raw values, in the input
   * shape's order).
   *
   * @throws InvalidException when the number of values is wrong or one is not finite, naming the
   *     row
   */
  public Predictions predict(double[] features, int rows) {
    if (rows < 1 || features.length != (long) rows * rowLength) {
      throw InvalidException.listing(
          "instances: expected "
              + rows
              + " rows of "
              + rowLength
              + " values ("
              + Arrays.toString(inputShape)
              + "), got "
              + features.length
              + " values");
    }
    for (int i = 0; i < features.length; i++) {
      if (!Double.isFinite(features[i])) {
        throw InvalidException.listing(
            "instances[" + i / rowLength + "][" + i % rowLength + "] is not a finite number");
      }
    }
    int units = head.units(outputs);
    int width = labels == null ? outputs : labels.size();
    double[] out = new double[rows * width];
    if (heap != null && (long) rows * heap.flopsPerRow() <= HEAP_FLOPS) {
      predictOnHeap(features, rows, units, width, out);
    } else {
      predictNatively(features, rows, units, width, out);
    }
    if (targetScaler != null) {
      targetScaler.invert(out);
    }
    return new Predictions(rows, width, out, labels);
  }

  /**
   * The most rows a {@link #predict} call runs on the heap, without a native call: 0 for models
   * that are not small stacks of dense layers. Such calls take microseconds and need no batching.
   */
  public int heapRows() {
    return heap == null ? 0 : (int) Math.min(Integer.MAX_VALUE, HEAP_FLOPS / heap.flopsPerRow());
  }

  private void predictOnHeap(double[] features, int rows, int units, int width, double[] out) {
    double[] scaled = new double[features.length];
    inputScaler.apply(features, 0, scaled, 0, features.length);
    double[] scores = new double[rows * units];
    heap.forward(scaled, 0, rows, scores);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(head.toOutputs(scores, r * units, units), 0, out, r * width, width);
    }
  }

  private void predictNatively(double[] features, int rows, int units, int width, double[] out) {
    PassCache passes = idle.poll();
    if (passes == null) {
      passes = new PassCache(network, false, null);
    }
    try {
      int chunk = Math.min(rows, MAX_PASS_ROWS);
      double[] scratch = new double[bucket(chunk) * rowLength];
      for (int from = 0; from < rows; from += chunk) {
        int count = Math.min(chunk, rows - from);
        NetworkPass pass = passes.get(bucket(count));
        inputScaler.apply(features, from * rowLength, scratch, 0, count * rowLength);
        HostArrays.writeFlat(pass.input(), scratch, 0, count * rowLength);
        double[] scores;
        try (MemoryWorkspace ws = Workspaces.step()) {
          scores = HostArrays.readRows(pass.forward(), count);
        }
        for (int r = 0; r < count; r++) {
          double[] row = head.toOutputs(scores, r * units, units);
          System.arraycopy(row, 0, out, (from + r) * width, width);
        }
      }
    } finally {
      idle.offer(passes);
    }
  }

  /** Batch size of the pass that serves {@code rows} rows: the next power of two. */
  private static int bucket(int rows) {
    return rows <= 1 ? 1 : Integer.highestOneBit(rows - 1) << 1;
  }

  /** Scores this model on labelled rows: R², RMSE, MAE or the classification metrics. */
  public Metrics evaluate(Examples data) {
    Predictions p = predict(data.features(), data.rows());
    if (labels == null) {
      return Evaluation.regression(data.targets(), p.flat(), outputs);
    }
    int[] actual =
        data.labels().equals(labels) ? data.classes() : Labels.indices(classNames(data), labels);
    return Evaluation.classification(actual, p.flat(), labels);
  }

  private static String[] classNames(Examples data) {
    String[] names = new String[data.rows()];
    for (int r = 0; r < names.length; r++) {
      names[r] = data.labels().get(data.classes()[r]);
    }
    return names;
  }

  public Family family() {
    return spec.family();
  }

  public ModelSpec spec() {
    return spec;
  }

  public Task task() {
    return labels == null ? Task.REGRESSION : Task.CLASSIFICATION;
  }

  public int[] inputShape() {
    return inputShape.clone();
  }

  /** Regression outputs, or the number of classes. */
  public int outputs() {
    return labels == null ? outputs : labels.size();
  }

  /** Class labels in class-index order; null for regression. */
  public List<String> labels() {
    return labels;
  }

  /** Names of the input values in row-major order, or null when the model file has none. */
  public List<String> features() {
    return features;
  }

  /** What is done to a raw table row before the network, or null for none. */
  public Preprocessor preprocessing() {
    return preprocessing;
  }

  public Standardizer inputScaler() {
    return inputScaler;
  }

  /** The scaler of regression targets; null for classification. */
  public Standardizer targetScaler() {
    return targetScaler;
  }

  /** Metrics on the test rows given to the trainer, or null. */
  public Metrics metrics() {
    return metrics;
  }

  /** Numeric type of the parameters: FLOAT, or DOUBLE for exact least squares. */
  public DataType dataType() {
    return network.dataType();
  }

  /** The flat parameter vector, copied. */
  public double[] parameters() {
    return HostArrays.readFlat(network.parameters());
  }

  /** The native parameter vector itself, for {@link ModelCodec}; callers must not change it. */
  INDArray parameterArray() {
    return network.parameters();
  }

  public long parameterCount() {
    return network.parameterCount();
  }

  /** Native bytes held now: parameters and the prediction buffers allocated so far. */
  public long memoryBytes() {
    long bytes = network.parameterCount() * network.dataType().width();
    for (PassCache passes : idle) {
      bytes += passes.bytes();
    }
    return bytes;
  }

  /** Floating-point operations to predict one row (analytic). */
  public long flopsPerPrediction() {
    return network.forwardFlops();
  }

  /** Floating-point operations of one training step per row, forward and backward (analytic). */
  public long flopsPerTrainingRow() {
    return network.trainingFlops();
  }

  @Override
  public void close() {
    PassCache passes;
    while ((passes = idle.poll()) != null) {
      passes.close();
    }
    network.close();
  }
}

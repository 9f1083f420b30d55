package dev.maas.compute.nn;

import dev.maas.compute.RnnSpec;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A recurrent layer over sequences [time, features]: a simple (tanh), LSTM or GRU cell unrolled
 * over the steps, returning either every step's hidden state [time, units] for a layer above or
 * only the last one [units] for the output layer.
 *
 * <p>The parameters are one matrix {@code [features + 1 + units (+ 1), gates * units]}: input
 * weights, a bias row, recurrent weights (and, for the GRU, a second bias row). Each step stacks
 * its input, a one and the previous hidden state into a column block, so a step's whole affine part
 * is a single matrix product, and the weight gradient of a step is a single product too.
 *
 * <p>Passes work on transposed, time-major buffers {@code [time, rows, batch]}: one step's gates
 * are then contiguous row blocks, and ND4J's element-wise kernels run about ten times faster on
 * contiguous blocks than on the strided column blocks a batch-major layout gives. ND4J's own
 * recurrent ops are not used for training: in 1.0.0-M2.1 {@code gru_bp} returns wrong gradients and
 * {@code lstmLayer_bp} (which recomputes the forward pass) costs several times what this layer's
 * whole training step does.
 */
public abstract class Recurrent extends Layer {

  final int steps;
  final int features;
  final int units;
  final boolean lastStepOnly;

  /** Gate blocks of {@code units} columns in the parameter matrix. */
  final int gates;

  /** Ones rows after the recurrent rows (the GRU's second bias). */
  final int extraOnes;

  /** Rows of the stacked step input: features, a one, units, and {@link #extraOnes} more ones. */
  final int rows;

  INDArray params; // [rows, gates * units], c order
  INDArray gradient; // same layout, or null

  Recurrent(long[] inputShape, long units, boolean lastStepOnly, int gates, int extraOnes) {
    if (inputShape.length != 2) {
      throw new IllegalArgumentException("a recurrent layer takes [time, features] examples");
    }
    this.steps = Math.toIntExact(inputShape[0]);
    this.features = Math.toIntExact(inputShape[1]);
    this.units = Math.toIntExact(units);
    this.lastStepOnly = lastStepOnly;
    this.gates = gates;
    this.extraOnes = extraOnes;
    this.rows = features + 1 + this.units + extraOnes;
  }

  /**
   * The layer for {@code cell}.
   *
   * @param inputShape [time, features]
   * @param lastStepOnly whether to return only the last step's hidden state
   */
  public static Recurrent of(
      RnnSpec.Cell cell, long[] inputShape, long units, boolean lastStepOnly) {
    switch (cell) {
      case SIMPLE:
        return new SimpleRnn(inputShape, units, lastStepOnly);
      case LSTM:
        return new Lstm(inputShape, units, lastStepOnly);
      case GRU:
        return new Gru(inputShape, units, lastStepOnly);
      default:
        throw new IllegalArgumentException("unknown cell " + cell);
    }
  }

  /** Element-wise operations per unit and step, for the FLOP estimates. */
  abstract int forwardElementwise();

  abstract int backwardElementwise();

  /**
   * Columns of the matrix product each step runs (the GRU's has one more block than its params).
   */
  int productColumns() {
    return gates * units;
  }

  /** Row index of the first recurrent weight row (and of the previous hidden state in a step). */
  final int recurrentRow() {
    return features + 1;
  }

  @Override
  public long[] inputShape() {
    return new long[] {steps, features};
  }

  @Override
  public long[] outputShape() {
    return lastStepOnly ? new long[] {units} : new long[] {steps, units};
  }

  @Override
  public long parameterCount() {
    return (long) rows * gates * units;
  }

  @Override
  protected void bind(INDArray params, INDArray gradients) {
    long columns = (long) gates * units;
    this.params = params.reshape('c', rows, columns);
    this.gradient = gradients == null ? null : gradients.reshape('c', rows, columns);
  }

  @Override
  protected void initialize(SplittableRandom random) {
    // PyTorch's default for its recurrent layers (the peers'): every weight and bias from
    // U(-1/sqrt(units), 1/sqrt(units)). Measured on the sunspots reference row over 14 seeds: mean
    // RMSE 19.2; Glorot weights with zero biases 19.7; the customary LSTM forget bias of one 22.4,
    // past the row's limit, so it is not used.
    Init.uniform(params, 1 / Math.sqrt(units), random);
  }

  @Override
  public long forwardFlops() {
    return (long) steps * (2L * rows * productColumns() + (long) forwardElementwise() * units);
  }

  @Override
  public long backwardFlops(boolean inputGradient) {
    long weightGradient = 2L * rows * productColumns();
    long stateGradient = 2L * (inputGradient ? rows : units) * productColumns();
    return (long) steps * (weightGradient + stateGradient + (long) backwardElementwise() * units);
  }

  @Override
  protected List<ParamAndGradient> regularized() {
    return List.of(
        new ParamAndGradient(
            rowBlock(params, 0, features),
            gradient == null ? null : rowBlock(gradient, 0, features)),
        new ParamAndGradient(
            rowBlock(params, recurrentRow(), units),
            gradient == null ? null : rowBlock(gradient, recurrentRow(), units)));
  }

  /** Rows {@code [from, from + count)} of a matrix, a contiguous view. */
  static INDArray rowBlock(INDArray matrix, long from, long count) {
    return block(matrix, from, count, 0, matrix.columns());
  }

  /**
   * The view of rows {@code [row, row + rows)} and columns {@code [column, column + columns)} of a
   * c-order matrix, made on the matrix' root buffer. In ND4J 1.0.0-M2.1, {@code get(interval)} on a
   * reshaped view (our parameters are reshaped slices of the network's vector) returns an array
   * without data once the block's offset reaches the view's length, which every block past the
   * first rows of a second layer's parameters does. The view shares the root buffer: never close
   * it.
   */
  static INDArray block(INDArray matrix, long row, long rows, long column, long columns) {
    DataBuffer root =
        matrix.data().originalDataBuffer() != null
            ? matrix.data().originalDataBuffer()
            : matrix.data();
    long[] stride = matrix.stride();
    long offset = matrix.offset() + row * stride[0] + column * stride[1];
    return Nd4j.create(root, new long[] {rows, columns}, stride, offset, 'c');
  }
}

package dev.maas.compute.nn;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The buffers and time loops every recurrent cell shares; a cell adds its gate buffers and the
 * arithmetic of one step forward and backward.
 *
 * <p>All step buffers are time-major and transposed, {@code [time, rows, batch]}, so each step's
 * blocks are contiguous. Step {@code t}'s stacked input holds {@code [x_t; 1; h_(t-1) (; 1)]}; the
 * cell writes {@code h_t} straight into the recurrent rows of step {@code t + 1}, so no step copies
 * its state. A layer's input [batch, time, features] and its sequence output are permuted views,
 * one copy per pass each way.
 */
abstract class RecurrentPass implements Layer.Pass {
  final Recurrent layer;
  final int batch;
  final int steps;
  final int units;
  final int features;
  final DataType type;
  private final List<INDArray> owned = new ArrayList<>();

  private final INDArray[] stepInput; // [rows, batch]: x_t, 1, h_(t-1)
  private final INDArray[] hidden; // hidden[t + 1] = h_t [units, batch]; hidden[0] = zeros
  private final INDArray inputRows; // [time, features, batch] rows of the stacked inputs
  private final INDArray output; // [batch, time, units] or [batch, units] view
  private INDArray lastInput;
  private INDArray lastInputTimeMajor;

  private final INDArray[] hiddenGradient; // [units, batch] per step
  private final INDArray earlierHiddenGradient; // steps before the last, zeroed for last-only
  private final INDArray hiddenGradientAll; // [time, units, batch]
  private final INDArray[] stepGradient; // [rows, batch]: dx_t, (bias), dh_(t-1) from step t
  private final INDArray[] stepRecurrentGradient; // the recurrent rows of stepGradient
  private final INDArray inputGradient; // [batch, time, features] view
  private INDArray lastOutputGradient;
  private INDArray lastOutputGradientTimeMajor;

  private INDArray weights;
  private INDArray recurrentWeights;
  private INDArray weightGradient;
  private INDArray productGradient; // the buffer stepBackward returns, whose products follow
  private Gemm[] firstWeightGradient; // per step: the weight gradient of step t, overwriting
  private Gemm[] addWeightGradient; // per step: the same, accumulating
  private Gemm[] stepGradientProduct; // per step: dx_t, dh_(t-1) from step t
  private Gemm[] recurrentGradientProduct; // per step: dh_(t-1) += Wh' d(product)

  RecurrentPass(Recurrent layer, PassSetup setup) {
    this.layer = layer;
    this.batch = setup.batch();
    this.steps = layer.steps;
    this.units = layer.units;
    this.features = layer.features;
    this.type = setup.dataType();
    int h = layer.recurrentRow();
    INDArray stacked = buffer(steps + 1, layer.rows, batch);
    stacked.get(all(), point(features), all()).assign(1);
    for (int k = 0; k < layer.extraOnes; k++) {
      stacked.get(all(), point(h + units + k), all()).assign(1);
    }
    stepInput = new INDArray[steps];
    hidden = new INDArray[steps + 1];
    for (int t = 0; t <= steps; t++) {
      INDArray step = stacked.get(point(t), all(), all());
      if (t < steps) {
        stepInput[t] = step;
      }
      hidden[t] = step.get(interval(h, h + units), all());
    }
    inputRows = stacked.get(interval(0, steps), interval(0, features), all());
    output =
        layer.lastStepOnly
            ? hidden[steps].transpose()
            : stacked.get(interval(1, steps + 1), interval(h, h + units), all()).permute(2, 0, 1);

    if (setup.training()) {
      hiddenGradientAll = buffer(steps, units, batch);
      hiddenGradient = new INDArray[steps];
      for (int t = 0; t < steps; t++) {
        hiddenGradient[t] = hiddenGradientAll.get(point(t), all(), all());
      }
      earlierHiddenGradient =
          steps > 1 ? hiddenGradientAll.get(interval(0, steps - 1), all(), all()) : null;
      INDArray stackedGradient = buffer(steps, layer.rows, batch);
      stepGradient = new INDArray[steps];
      stepRecurrentGradient = new INDArray[steps];
      for (int t = 0; t < steps; t++) {
        stepGradient[t] = stackedGradient.get(point(t), all(), all());
        stepRecurrentGradient[t] = stepGradient[t].get(interval(h, h + units), all());
      }
      inputGradient = stackedGradient.get(all(), interval(0, features), all()).permute(2, 0, 1);
    } else {
      hiddenGradientAll = null;
      hiddenGradient = null;
      earlierHiddenGradient = null;
      stepGradient = null;
      stepRecurrentGradient = null;
      inputGradient = null;
    }
  }

  /** A new zeroed c-order buffer owned (and closed) by this pass. */
  final INDArray buffer(long... shape) {
    INDArray array = Nd4j.create(type, shape, 'c');
    owned.add(array);
    return array;
  }

  /** Per-step views {@code [rows, batch]} of a time-major buffer {@code [time, rows, batch]}. */
  static INDArray[] perStep(INDArray timeMajor) {
    INDArray[] views = new INDArray[Math.toIntExact(timeMajor.size(0))];
    for (int t = 0; t < views.length; t++) {
      views[t] = timeMajor.get(point(t), all(), all());
    }
    return views;
  }

  /** Rows {@code [from, from + count)} of each step view. */
  static INDArray[] rows(INDArray[] steps, long from, long count) {
    INDArray[] views = new INDArray[steps.length];
    for (int t = 0; t < steps.length; t++) {
      views[t] = Recurrent.rowBlock(steps[t], from, count);
    }
    return views;
  }

  /**
   * Sets the matrix each step's product uses, {@code [rows, columns]} (multiplied transposed), and
   * where backward writes its gradient. Cells call this once from their constructor.
   */
  final void useWeights(INDArray weights, INDArray weightGradient) {
    this.weights = weights;
    this.recurrentWeights = Recurrent.rowBlock(weights, layer.recurrentRow(), units);
    this.weightGradient = weightGradient;
  }

  /**
   * Prepares, per step, {@code weights' stepInput(t)} into {@code outputs[t]}: the product a cell
   * runs first in each step.
   */
  final Gemm[] stepProducts(INDArray weights, INDArray[] outputs) {
    Gemm[] products = new Gemm[steps];
    for (int t = 0; t < steps; t++) {
      products[t] = Gemm.of(weights, stepInput[t], outputs[t], true, false, 1.0, 0.0);
    }
    return products;
  }

  /** The stacked input of step {@code t}, [rows, batch]. */
  final INDArray stepInput(int t) {
    return stepInput[t];
  }

  /** {@code h_t} [units, batch] for {@code t} in [-1, steps); {@code h_(-1)} is zero. */
  final INDArray hidden(int t) {
    return hidden[t + 1];
  }

  /** {@code h_t} [units, batch] for each step {@code t} in [0, steps). */
  final INDArray[] hiddenSteps() {
    INDArray[] views = new INDArray[steps];
    System.arraycopy(hidden, 1, views, 0, steps);
    return views;
  }

  /** The per-step views of the gradient with respect to {@code h_t}, [units, batch] (training). */
  final INDArray[] hiddenGradients() {
    return hiddenGradient.clone();
  }

  /** Runs before the steps of each forward pass. */
  void beforeForward() {}

  /** Runs step {@code t}: reads {@link #stepInput}, writes {@link #hidden}(t). */
  abstract void stepForward(int t);

  /**
   * Runs step {@code t} backward.
   *
   * @param dh the loss' gradient with respect to {@code h_t}, complete
   * @param dhPrevious the gradient with respect to {@code h_(t-1)} to add direct (non-product)
   *     contributions to, or null at the first step
   * @return the gradient with respect to this step's product output [columns, batch]
   */
  abstract INDArray stepBackward(int t, INDArray dh, INDArray dhPrevious);

  /** Runs after the steps of each backward pass. */
  void afterBackward() {}

  @Override
  public final INDArray forward(INDArray input) {
    if (input != lastInput) {
      lastInput = input;
      lastInputTimeMajor = input.permute(1, 2, 0);
    }
    inputRows.assign(lastInputTimeMajor);
    beforeForward();
    for (int t = 0; t < steps; t++) {
      stepForward(t);
    }
    return output;
  }

  @Override
  public final INDArray backward(INDArray outputGradient, boolean wantInputGradient) {
    if (outputGradient != lastOutputGradient) {
      lastOutputGradient = outputGradient;
      lastOutputGradientTimeMajor =
          layer.lastStepOnly ? outputGradient.transpose() : outputGradient.permute(1, 2, 0);
    }
    if (layer.lastStepOnly) {
      // Only the last step feeds the layer above; the others get gradient through time alone.
      hiddenGradient[steps - 1].assign(lastOutputGradientTimeMajor);
      if (earlierHiddenGradient != null) {
        earlierHiddenGradient.assign(0);
      }
    } else {
      hiddenGradientAll.assign(lastOutputGradientTimeMajor);
    }
    for (int t = steps - 1; t >= 0; t--) {
      INDArray previous = t > 0 ? hiddenGradient[t - 1] : null;
      INDArray product = stepBackward(t, hiddenGradient[t], previous);
      if (product != productGradient) {
        prepareBackward(product);
      }
      (t == steps - 1 ? firstWeightGradient : addWeightGradient)[t].run();
      if (wantInputGradient) {
        stepGradientProduct[t].run();
        if (previous != null) {
          Elementwise.add(previous, stepRecurrentGradient[t], previous);
        }
      } else if (previous != null) {
        recurrentGradientProduct[t].run();
      }
    }
    afterBackward();
    return wantInputGradient ? inputGradient : null;
  }

  /** Prepares the backward products for the gradient buffer {@code product} the cell returns. */
  private void prepareBackward(INDArray product) {
    productGradient = product;
    firstWeightGradient = new Gemm[steps];
    addWeightGradient = new Gemm[steps];
    stepGradientProduct = new Gemm[steps];
    recurrentGradientProduct = new Gemm[steps];
    for (int t = 0; t < steps; t++) {
      firstWeightGradient[t] = Gemm.of(stepInput[t], product, weightGradient, false, true, 1, 0);
      addWeightGradient[t] = Gemm.of(stepInput[t], product, weightGradient, false, true, 1, 1);
      stepGradientProduct[t] = Gemm.of(weights, product, stepGradient[t], false, false, 1, 0);
      if (t > 0) {
        recurrentGradientProduct[t] =
            Gemm.of(recurrentWeights, product, hiddenGradient[t - 1], false, false, 1, 1);
      }
    }
  }

  @Override
  public final long bytes() {
    return HostArrays.bytes(owned.toArray(new INDArray[0]));
  }

  @Override
  public final void close() {
    HostArrays.close(owned.toArray(new INDArray[0]));
    owned.clear();
  }
}

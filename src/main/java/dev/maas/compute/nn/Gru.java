package dev.maas.compute.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A gated recurrent unit layer as PyTorch defines it (reset applied after the recurrent product),
 * from a zero state:
 *
 * <pre>
 * r = sigmoid(x_t Wxr + bxr + h Whr + bhr);  z = sigmoid(x_t Wxz + bxz + h Whz + bhz)
 * n = tanh(x_t Wxn + bxn + r * (h Whn + bhn))
 * h_t = (1 - z) * n + z * h_(t-1)
 * </pre>
 *
 * <p>Parameters are {@code [Wx; bx; Wh; bh]}, [features + 1 + units + 1, 3 units], gate columns r,
 * z, n. The candidate needs its input and recurrent parts apart, so each pass expands the
 * parameters into a product matrix with four column blocks r, z, n-recurrent, n-input (zeros where
 * an input does not feed a block): one product per step instead of two, for three copies per pass.
 * ND4J's {@code gru} op computes the same cell without {@code bhn}, but its {@code gru_bp} returns
 * wrong gradients in 1.0.0-M2.1, so this layer does its own arithmetic both ways.
 */
public final class Gru extends Recurrent {

  /**
   * @param inputShape [time, features]
   * @param units hidden state size
   * @param lastStepOnly whether to return only the last step's state [units]
   */
  public Gru(long[] inputShape, long units, boolean lastStepOnly) {
    super(inputShape, units, lastStepOnly, 3, 1);
  }

  @Override
  int productColumns() {
    return 4 * units;
  }

  @Override
  int forwardElementwise() {
    return 9;
  }

  @Override
  int backwardElementwise() {
    return 17;
  }

  @Override
  protected Pass newPass(PassSetup setup) {
    return new GruPass(setup);
  }

  private final class GruPass extends RecurrentPass {
    private final Gemm[] products; // per step: the step's affine product
    // Parameter blocks and the product-matrix blocks they are copied to (and gradients back from).
    private final INDArray product; // [rows, 4 units]: r, z, n-recurrent, n-input
    private final INDArray paramsResetUpdate;
    private final INDArray productResetUpdate;
    private final INDArray paramsInputCandidate;
    private final INDArray productInputCandidate;
    private final INDArray paramsRecurrentCandidate;
    private final INDArray productRecurrentCandidate;
    private final INDArray productGradient;
    private final INDArray[] gradientBlocks; // ResetUpdate, InputCandidate, RecurrentCandidate
    private final INDArray[] productGradientBlocks; // the same blocks of productGradient

    private final INDArray[] gates; // [4 units, batch]: the product's output, r and z activated
    private final INDArray[] resetUpdate; // [2 units, batch], one sigmoid call
    private final INDArray[] reset;
    private final INDArray[] update;
    private final INDArray[] recurrentCandidate; // h Whn + bhn
    private final INDArray[] inputCandidate; // x Wxn + bxn
    private final INDArray[] candidate; // n
    private final INDArray keep; // 1 - z
    private final INDArray scratch;
    private final INDArray gateGradient; // [4 units, batch], blocks as in the product
    private final INDArray dReset;
    private final INDArray dUpdate;
    private final INDArray dRecurrentCandidate;
    private final INDArray dInputCandidate;

    GruPass(PassSetup setup) {
      super(Gru.this, setup);
      int h = recurrentRow();
      long u = units;
      product = buffer(rows, 4 * u);
      paramsResetUpdate = block(params, 0, rows, 0, 2 * u);
      productResetUpdate = block(product, 0, rows, 0, 2 * u);
      paramsInputCandidate = block(params, 0, h, 2 * u, u);
      productInputCandidate = block(product, 0, h, 3 * u, u);
      paramsRecurrentCandidate = block(params, h, rows - h, 2 * u, u);
      productRecurrentCandidate = block(product, h, rows - h, 2 * u, u);

      gates = perStep(buffer(steps, 4 * u, batch));
      resetUpdate = rows(gates, 0, 2 * u);
      reset = rows(gates, 0, u);
      update = rows(gates, u, u);
      recurrentCandidate = rows(gates, 2 * u, u);
      inputCandidate = rows(gates, 3 * u, u);
      candidate = perStep(buffer(steps, u, batch));
      keep = buffer(u, batch);
      scratch = buffer(u, batch);
      if (setup.training()) {
        productGradient = buffer(rows, 4 * u);
        gradientBlocks =
            new INDArray[] {
              block(gradient, 0, rows, 0, 2 * u),
              block(gradient, 0, h, 2 * u, u),
              block(gradient, h, rows - h, 2 * u, u)
            };
        productGradientBlocks =
            new INDArray[] {
              block(productGradient, 0, rows, 0, 2 * u),
              block(productGradient, 0, h, 3 * u, u),
              block(productGradient, h, rows - h, 2 * u, u)
            };
        gateGradient = buffer(4 * u, batch);
        dReset = Recurrent.rowBlock(gateGradient, 0, u);
        dUpdate = Recurrent.rowBlock(gateGradient, u, u);
        dRecurrentCandidate = Recurrent.rowBlock(gateGradient, 2 * u, u);
        dInputCandidate = Recurrent.rowBlock(gateGradient, 3 * u, u);
      } else {
        productGradient = null;
        gradientBlocks = null;
        productGradientBlocks = null;
        gateGradient = null;
        dReset = null;
        dUpdate = null;
        dRecurrentCandidate = null;
        dInputCandidate = null;
      }
      useWeights(product, productGradient);
      products = stepProducts(product, gates);
    }

    @Override
    void beforeForward() {
      productResetUpdate.assign(paramsResetUpdate);
      productInputCandidate.assign(paramsInputCandidate);
      productRecurrentCandidate.assign(paramsRecurrentCandidate);
    }

    @Override
    void stepForward(int t) {
      products[t].run();
      Elementwise.sigmoid(resetUpdate[t], resetUpdate[t]);
      INDArray n = candidate[t];
      Elementwise.mul(reset[t], recurrentCandidate[t], n);
      Elementwise.add(n, inputCandidate[t], n);
      Elementwise.tanh(n, n);
      // h_t = n + z * (h_(t-1) - n)
      INDArray h = hidden(t);
      Elementwise.sub(hidden(t - 1), n, h);
      Elementwise.mul(h, update[t], h);
      Elementwise.add(h, n, h);
    }

    @Override
    INDArray stepBackward(int t, INDArray dh, INDArray dhPrevious) {
      INDArray r = reset[t];
      INDArray z = update[t];
      INDArray n = candidate[t];
      INDArray s = scratch;
      Elementwise.oneMinus(z, keep);
      // candidate pre-activation: dh * (1 - z) * (1 - n^2); it is also the input part's gradient
      Elementwise.mul(n, n, s);
      Elementwise.oneMinus(s, s);
      Elementwise.mul(s, keep, s);
      Elementwise.mul(s, dh, dInputCandidate);
      Elementwise.mul(dInputCandidate, r, dRecurrentCandidate);
      // reset gate: d(candidate pre-activation) * (h Whn + bhn) * r (1 - r)
      Elementwise.timesOneMinus(r, s);
      Elementwise.mul(s, recurrentCandidate[t], s);
      Elementwise.mul(s, dInputCandidate, dReset);
      // update gate: dh * (h_(t-1) - n) * z (1 - z)
      Elementwise.sub(hidden(t - 1), n, s);
      Elementwise.mul(s, keep, s);
      Elementwise.mul(s, z, s);
      Elementwise.mul(s, dh, dUpdate);
      if (dhPrevious != null) {
        Elementwise.mul(dh, z, s);
        Elementwise.add(dhPrevious, s, dhPrevious);
      }
      return gateGradient;
    }

    @Override
    void afterBackward() {
      for (int k = 0; k < gradientBlocks.length; k++) {
        gradientBlocks[k].assign(productGradientBlocks[k]);
      }
    }
  }
}

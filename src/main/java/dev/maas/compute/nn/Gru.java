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
 * wrong gradients in 1.0.0-M2.1, so this layer does its own arithmetic both ways; backward's
 * element-wise part is one host loop per step over bulk copies of the kept blocks, as the LSTM's.
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
    private final INDArray gateGradient; // [4 units, batch], blocks as in the product
    // Backward runs on the host, as the LSTM's: per step the kept gates, n, h_(t-1), dh_t and
    // dh_(t-1) are read in blocks, and the gate gradients and dh_(t-1) written back.
    private final HostBlock[] gateBlocks;
    private final HostBlock[] candidateBlocks;
    private final HostBlock[] previousHiddenBlocks; // h_(t-1) per step
    private final HostBlock[] hiddenGradientBlocks;
    private final HostBlock gateGradientBlock;
    private final double[] hostGates;
    private final double[] hostCandidate;
    private final double[] hostPreviousHidden;
    private final double[] hostHiddenGradient;
    private final double[] hostPreviousGradient;
    private final double[] hostGateGradient;
    private final float[] floats;

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
        INDArray[] hiddenGradients = hiddenGradients();
        gateBlocks = new HostBlock[steps];
        candidateBlocks = new HostBlock[steps];
        previousHiddenBlocks = new HostBlock[steps];
        hiddenGradientBlocks = new HostBlock[steps];
        for (int t = 0; t < steps; t++) {
          gateBlocks[t] = new HostBlock(gates[t]);
          candidateBlocks[t] = new HostBlock(candidate[t]);
          previousHiddenBlocks[t] = new HostBlock(hidden(t - 1));
          hiddenGradientBlocks[t] = new HostBlock(hiddenGradients[t]);
        }
        gateGradientBlock = new HostBlock(gateGradient);
        int n = units * batch;
        hostGates = new double[4 * n];
        hostCandidate = new double[n];
        hostPreviousHidden = new double[n];
        hostHiddenGradient = new double[n];
        hostPreviousGradient = new double[n];
        hostGateGradient = new double[4 * n];
        floats = new float[4 * n];
      } else {
        productGradient = null;
        gradientBlocks = null;
        productGradientBlocks = null;
        gateGradient = null;
        gateBlocks = null;
        candidateBlocks = null;
        previousHiddenBlocks = null;
        hiddenGradientBlocks = null;
        gateGradientBlock = null;
        hostGates = null;
        hostCandidate = null;
        hostPreviousHidden = null;
        hostHiddenGradient = null;
        hostPreviousGradient = null;
        hostGateGradient = null;
        floats = null;
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
      int n = units * batch;
      double[] gate = hostGates;
      double[] cand = hostCandidate;
      double[] previous = hostPreviousHidden;
      double[] dhHost = hostHiddenGradient;
      double[] dhBefore = hostPreviousGradient;
      double[] out = hostGateGradient;
      gateBlocks[t].read(gate, floats);
      candidateBlocks[t].read(cand, floats);
      previousHiddenBlocks[t].read(previous, floats); // h_(-1) is the zero block
      hiddenGradientBlocks[t].read(dhHost, floats);
      boolean carry = dhPrevious != null;
      if (carry) {
        hiddenGradientBlocks[t - 1].read(dhBefore, floats);
      }
      for (int k = 0; k < n; k++) {
        double r = gate[k];
        double z = gate[n + k];
        double recurrent = gate[2 * n + k]; // h Whn + bhn
        double nk = cand[k];
        double dhk = dhHost[k];
        double keep = 1 - z;
        // candidate pre-activation: dh * (1 - z) * (1 - n^2); also the input part's gradient
        double dCandidate = dhk * keep * (1 - nk * nk);
        out[3 * n + k] = dCandidate;
        out[2 * n + k] = dCandidate * r;
        out[k] = dCandidate * recurrent * r * (1 - r); // reset gate
        out[n + k] = dhk * (previous[k] - nk) * keep * z; // update gate
        if (carry) {
          dhBefore[k] += dhk * z;
        }
      }
      gateGradientBlock.write(out, floats);
      if (carry) {
        hiddenGradientBlocks[t - 1].write(dhBefore, floats);
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

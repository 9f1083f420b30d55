package dev.maas.compute.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A long short-term memory layer without peepholes, from a zero state:
 *
 * <pre>
 * [i f g o] = x_t Wx + h_(t-1) Wh + b      (gate order of PyTorch and ND4J's lstmLayer)
 * i, f, o = sigmoid;  g = tanh
 * c_t = f * c_(t-1) + i * g;  h_t = o * tanh(c_t)
 * </pre>
 *
 * <p>A step is one matrix product, three activation calls and five element-wise kernels; backward
 * recomputes nothing (the gates, cell states and their tanh are kept per step) and runs its
 * element-wise arithmetic in one host loop per step over bulk copies of those blocks (in double
 * precision), where ND4J took 19 kernel calls of a few microseconds each. The forget gate's bias is
 * not started at one: on the sunspots reference row that cost 2.7 RMSE on average.
 */
public final class Lstm extends Recurrent {

  /**
   * @param inputShape [time, features]
   * @param units hidden and cell state size
   * @param lastStepOnly whether to return only the last step's hidden state [units]
   */
  public Lstm(long[] inputShape, long units, boolean lastStepOnly) {
    super(inputShape, units, lastStepOnly, 4, 0);
  }

  @Override
  int forwardElementwise() {
    return 10;
  }

  @Override
  int backwardElementwise() {
    return 19;
  }

  @Override
  protected Pass newPass(PassSetup setup) {
    return new LstmPass(setup);
  }

  private final class LstmPass extends RecurrentPass {
    private final Gemm[] products; // per step: the step's affine product
    private final INDArray[] gates; // [4 units, batch]: i, f, g, o after activation
    private final INDArray[] inputForget; // rows of i and f, one sigmoid call
    private final INDArray[] in;
    private final INDArray[] forget;
    private final INDArray[] cell;
    private final INDArray[] out;
    private final INDArray[] state; // state[t + 1] = c_t; state[0] = zeros
    private final INDArray[] stateTanh; // tanh(c_t)
    private final INDArray scratch;
    private final INDArray gateGradient; // [4 units, batch]
    // Backward runs on the host: per step, the kept gates, tanh(c_t), c_(t-1) and dh_t are read
    // in blocks, and the gate gradients written in one.
    private final HostBlock[] gateBlocks;
    private final HostBlock[] stateTanhBlocks;
    private final HostBlock[] stateBlocks; // c_(t-1) per step
    private final HostBlock[] hiddenGradientBlocks;
    private final HostBlock gateGradientBlock;
    private final double[] hostGates;
    private final double[] hostStateTanh;
    private final double[] hostPreviousState;
    private final double[] hostHiddenGradient;
    private final double[] hostGateGradient;
    private final double[] hostStateGradient; // gradient with respect to c_t, carried back
    private final float[] floats;

    LstmPass(PassSetup setup) {
      super(Lstm.this, setup);
      gates = perStep(buffer(steps, 4L * units, batch));
      inputForget = rows(gates, 0, 2L * units);
      in = rows(gates, 0, units);
      forget = rows(gates, units, units);
      cell = rows(gates, 2L * units, units);
      out = rows(gates, 3L * units, units);
      state = perStep(buffer(steps + 1, units, batch));
      stateTanh = perStep(buffer(steps, units, batch));
      scratch = buffer(units, batch);
      if (setup.training()) {
        gateGradient = buffer(4L * units, batch);
        INDArray[] hiddenGradients = hiddenGradients();
        gateBlocks = new HostBlock[steps];
        stateTanhBlocks = new HostBlock[steps];
        stateBlocks = new HostBlock[steps];
        hiddenGradientBlocks = new HostBlock[steps];
        for (int t = 0; t < steps; t++) {
          gateBlocks[t] = new HostBlock(gates[t]);
          stateTanhBlocks[t] = new HostBlock(stateTanh[t]);
          stateBlocks[t] = new HostBlock(state[t]);
          hiddenGradientBlocks[t] = new HostBlock(hiddenGradients[t]);
        }
        gateGradientBlock = new HostBlock(gateGradient);
        int n = units * batch;
        hostGates = new double[4 * n];
        hostStateTanh = new double[n];
        hostPreviousState = new double[n];
        hostHiddenGradient = new double[n];
        hostGateGradient = new double[4 * n];
        hostStateGradient = new double[n];
        floats = new float[4 * n];
      } else {
        gateGradient = null;
        gateBlocks = null;
        stateTanhBlocks = null;
        stateBlocks = null;
        hiddenGradientBlocks = null;
        gateGradientBlock = null;
        hostGates = null;
        hostStateTanh = null;
        hostPreviousState = null;
        hostHiddenGradient = null;
        hostGateGradient = null;
        hostStateGradient = null;
        floats = null;
      }
      useWeights(params, gradient);
      products = stepProducts(params, gates);
    }

    @Override
    void stepForward(int t) {
      products[t].run();
      Elementwise.sigmoid(inputForget[t], inputForget[t]);
      Elementwise.tanh(cell[t], cell[t]);
      Elementwise.sigmoid(out[t], out[t]);
      INDArray c = state[t + 1];
      Elementwise.mul(in[t], cell[t], c);
      if (t > 0) {
        Elementwise.mul(forget[t], state[t], scratch);
        Elementwise.add(c, scratch, c);
      }
      Elementwise.tanh(c, stateTanh[t]);
      Elementwise.mul(out[t], stateTanh[t], hidden(t));
    }

    @Override
    INDArray stepBackward(int t, INDArray dh, INDArray dhPrevious) {
      int n = units * batch;
      double[] gate = hostGates;
      double[] tc = hostStateTanh;
      double[] previous = hostPreviousState;
      double[] dhHost = hostHiddenGradient;
      double[] dc = hostStateGradient;
      double[] out = hostGateGradient;
      gateBlocks[t].read(gate, floats);
      stateTanhBlocks[t].read(tc, floats);
      hiddenGradientBlocks[t].read(dhHost, floats);
      if (t > 0) {
        stateBlocks[t].read(previous, floats); // c_(t-1); c_(-1) is zero
      }
      boolean last = t == steps - 1;
      for (int k = 0; k < n; k++) {
        double i = gate[k];
        double f = gate[n + k];
        double g = gate[2 * n + k];
        double o = gate[3 * n + k];
        double tanhC = tc[k];
        double dhk = dhHost[k];
        // dc_t = (carried from t + 1) + dh * o * (1 - tanh(c_t)^2)
        double dck = (last ? 0 : dc[k]) + dhk * o * (1 - tanhC * tanhC);
        out[k] = dck * g * i * (1 - i); // input gate
        out[n + k] = t > 0 ? dck * previous[k] * f * (1 - f) : 0; // forget gate
        out[2 * n + k] = dck * i * (1 - g * g); // cell candidate
        out[3 * n + k] = dhk * tanhC * o * (1 - o); // output gate
        dc[k] = dck * f;
      }
      gateGradientBlock.write(out, floats);
      return gateGradient;
    }
  }
}

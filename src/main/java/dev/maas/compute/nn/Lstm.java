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
 * recomputes nothing (the gates, cell states and their tanh are kept per step). The forget gate's
 * bias is not started at one: on the sunspots reference row that cost 2.7 RMSE on average.
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
    private final INDArray dIn;
    private final INDArray dForget;
    private final INDArray dCell;
    private final INDArray dOut;
    private final INDArray dState; // gradient with respect to c_t, carried back through time

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
        dIn = Recurrent.rowBlock(gateGradient, 0, units);
        dForget = Recurrent.rowBlock(gateGradient, units, units);
        dCell = Recurrent.rowBlock(gateGradient, 2L * units, units);
        dOut = Recurrent.rowBlock(gateGradient, 3L * units, units);
        dState = buffer(units, batch);
      } else {
        gateGradient = null;
        dIn = null;
        dForget = null;
        dCell = null;
        dOut = null;
        dState = null;
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
      INDArray i = in[t];
      INDArray f = forget[t];
      INDArray g = cell[t];
      INDArray o = out[t];
      INDArray tc = stateTanh[t];
      INDArray s = scratch;
      // dc_t = (carried from t + 1) + dh * o * (1 - tanh(c_t)^2)
      Elementwise.mul(tc, tc, s);
      Elementwise.oneMinus(s, s);
      Elementwise.mul(s, o, s);
      if (t == steps - 1) {
        Elementwise.mul(s, dh, dState);
      } else {
        Elementwise.mul(s, dh, s);
        Elementwise.add(dState, s, dState);
      }
      // output gate: dh * tanh(c_t) * o (1 - o)
      Elementwise.timesOneMinus(o, s);
      Elementwise.mul(s, tc, s);
      Elementwise.mul(s, dh, dOut);
      // input gate: dc * g * i (1 - i)
      Elementwise.timesOneMinus(i, s);
      Elementwise.mul(s, g, s);
      Elementwise.mul(s, dState, dIn);
      // forget gate: dc * c_(t-1) * f (1 - f); c_(-1) is zero
      Elementwise.timesOneMinus(f, s);
      Elementwise.mul(s, state[t], s);
      Elementwise.mul(s, dState, dForget);
      // cell candidate: dc * i * (1 - g^2)
      Elementwise.mul(g, g, s);
      Elementwise.oneMinus(s, s);
      Elementwise.mul(s, i, s);
      Elementwise.mul(s, dState, dCell);
      if (t > 0) {
        Elementwise.mul(dState, f, dState);
      }
      return gateGradient;
    }
  }
}

package dev.maas.compute.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The simple (Elman) recurrent layer, {@code h_t = tanh(x_t Wx + h_(t-1) Wh + b)} from a zero
 * state. ND4J has no op for it; a step is one matrix product written straight into the next step's
 * state rows and one tanh there, and a step backward three element-wise kernels and two products.
 */
public final class SimpleRnn extends Recurrent {

  /**
   * @param inputShape [time, features]
   * @param units hidden state size
   * @param lastStepOnly whether to return only the last step's state [units]
   */
  public SimpleRnn(long[] inputShape, long units, boolean lastStepOnly) {
    super(inputShape, units, lastStepOnly, 1, 0);
  }

  @Override
  int forwardElementwise() {
    return 1;
  }

  @Override
  int backwardElementwise() {
    return 3;
  }

  @Override
  protected Pass newPass(PassSetup setup) {
    return new SimplePass(setup);
  }

  private final class SimplePass extends RecurrentPass {
    private final Gemm[] products; // per step: the step's affine product
    private final INDArray productGradient; // [units, batch]

    SimplePass(PassSetup setup) {
      super(SimpleRnn.this, setup);
      productGradient = setup.training() ? buffer(units, batch) : null;
      useWeights(params, gradient);
      products = stepProducts(params, hiddenSteps());
    }

    @Override
    void stepForward(int t) {
      INDArray h = hidden(t);
      products[t].run();
      Elementwise.tanh(h, h);
    }

    @Override
    INDArray stepBackward(int t, INDArray dh, INDArray dhPrevious) {
      // d(pre-activation) = dh * (1 - h^2)
      INDArray h = hidden(t);
      Elementwise.mul(h, h, productGradient);
      Elementwise.oneMinus(productGradient, productGradient);
      Elementwise.mul(productGradient, dh, productGradient);
      return productGradient;
    }
  }
}

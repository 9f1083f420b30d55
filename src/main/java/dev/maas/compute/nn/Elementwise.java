package dev.maas.compute.nn;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseTransformSameOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.OneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.same.TimesOneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Element-wise arithmetic through ND4J's legacy kernels, writing into a given output.
 *
 * <p>A recurrent layer runs a dozen small element-wise operations per time step. ND4J's public
 * pairwise classes ({@code MulOp}, {@code AddOp}, {@code INDArray.muli}) go through the custom-op
 * path, which costs 5-10 µs per call here; the legacy pairwise kernels they replaced cost about 1
 * µs on the same [64, 32] block. Multiplication has no public legacy class any more, so this class
 * names the kernels by their number in libnd4j's {@code PAIRWISE_TRANSFORM_OPS} table of the ND4J
 * version we ship (1.0.0-M2.1); {@code RnnElementwiseTest} checks each against plain arithmetic, so
 * an upgrade that renumbers them fails a test rather than a model.
 *
 * <p>Operands must have the same shape and data type and should be contiguous: a strided view takes
 * ND4J's generic index path, ten times slower per element.
 */
final class Elementwise {
  private static final int ADD = 0;
  private static final int MULTIPLY = 3;
  private static final int SUBTRACT = 6;

  private Elementwise() {}

  /** {@code z = x * y}. */
  static void mul(INDArray x, INDArray y, INDArray z) {
    Nd4j.getExecutioner().exec(new Pairwise(MULTIPLY, x, y, z));
  }

  /** {@code z = x + y}. */
  static void add(INDArray x, INDArray y, INDArray z) {
    Nd4j.getExecutioner().exec(new Pairwise(ADD, x, y, z));
  }

  /** {@code z = x - y}. */
  static void sub(INDArray x, INDArray y, INDArray z) {
    Nd4j.getExecutioner().exec(new Pairwise(SUBTRACT, x, y, z));
  }

  /** {@code z = 1 - x}. (A scalar op would allocate its scalar on every call: 6-8 µs.) */
  static void oneMinus(INDArray x, INDArray z) {
    Nd4j.getExecutioner().exec(new OneMinus(x, z));
  }

  /** {@code z = x (1 - x)}, the sigmoid's derivative from its output. */
  static void timesOneMinus(INDArray x, INDArray z) {
    Nd4j.getExecutioner().exec(new TimesOneMinus(x, z));
  }

  /** {@code z = sigmoid(x)}. */
  static void sigmoid(INDArray x, INDArray z) {
    Nd4j.getExecutioner().exec(new Sigmoid(x, z));
  }

  /** {@code z = tanh(x)}. */
  static void tanh(INDArray x, INDArray z) {
    Nd4j.getExecutioner().exec(new Tanh(x, z));
  }

  /** A legacy pairwise kernel by number; only for execution, never for SameDiff graphs. */
  private static final class Pairwise extends BaseTransformSameOp {
    private final int number;

    Pairwise(int number, INDArray x, INDArray y, INDArray z) {
      super(x, y, z);
      this.number = number;
    }

    @Override
    public int opNum() {
      return number;
    }

    @Override
    public String opName() {
      return "maas_legacy_pairwise_" + number;
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
      throw new UnsupportedOperationException("execution only");
    }
  }
}

package dev.maas.compute;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The off-heap bytes a training run reports are its own: present, at least its parameters and
 * gradients, and blind to what else the process holds (a job's {@code peakNativeBytes}).
 */
class TrainingNativeBytesTest {

  private static Examples classification(int rows, int features) {
    SplittableRandom random = new SplittableRandom(7);
    double[] x = new double[rows * features];
    int[] classes = new int[rows];
    for (int r = 0; r < rows; r++) {
      double s = 0;
      for (int j = 0; j < features; j++) {
        x[r * features + j] = random.nextGaussian();
        s += x[r * features + j];
      }
      classes[r] = s > 0 ? 1 : 0;
    }
    return Examples.classification(new int[] {features}, x, classes, List.of("a", "b"));
  }

  private static long reported(ModelSpec spec, TrainingParams params, Examples data) {
    long[] peak = {0};
    TrainingListener listener = TrainingListener.of(p -> {}, b -> peak[0] = Math.max(peak[0], b));
    new Trainer().train(spec, params, data, null, listener, Cancellation.NEVER).model().close();
    return peak[0];
  }

  @Test
  void gradientDescentReportsItsOwnBytesOnly() {
    Examples data = classification(500, 20);
    MlpSpec spec = new MlpSpec(List.of(new DenseLayerSpec(64, Activation.RELU, 0)));
    TrainingParams params = TrainingParams.defaults().withEpochs(2).withBatchSize(32);
    long alone = reported(spec, params, data);
    // (20 + 1) * 64 + (64 + 1) * 2 float parameters, and the batch buffers. This small network
    // takes its steps on the heap (FusedDense), so its gradients are not native: as many bytes
    // again would be counted only by ND4J's path (and by a step workspace left on this thread by
    // an earlier run, which made the bound hold in a full test run but not alone).
    long parameters = ((20 + 1) * 64 + (64 + 1) * 2) * 4L;
    assertThat(alone).isGreaterThan(parameters);
    // A 256 MB array elsewhere in the process is not the job's.
    try (INDArray other = Nd4j.create(DataType.FLOAT, 64L << 20)) {
      assertThat(other.length()).isPositive();
      long beside = reported(spec, params, data);
      assertThat(beside).isGreaterThan(parameters).isLessThan(16L << 20);
    }
  }

  @Test
  void exactSolversReportTheirBuffers() {
    Examples data = classification(10_000, 30);
    long newton = reported(new LogisticRegressionSpec(), TrainingParams.defaults(), data);
    // The chunked Hessian products: at least [chunk, features + 1] floats (a binary fit's scaled
    // rows), not [rows, ...] twice.
    assertThat(newton).isGreaterThan(4096L * 31 * 4).isLessThan(4L * 10_000 * 31 * 8);
  }
}

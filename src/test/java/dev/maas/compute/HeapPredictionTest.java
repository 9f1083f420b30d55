package dev.maas.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Small dense models predict on the heap; they must answer as the native pass does. */
class HeapPredictionTest {

  @Test
  void everyActivationOnTheHeapMatchesTheNativePass() {
    for (Activation activation : Activation.values()) {
      assertHeapMatchesNative(
          new MlpSpec(
              List.of(new DenseLayerSpec(16, activation, 0), new DenseLayerSpec(8, activation, 0))),
          TrainingParams.defaults().withEpochs(2),
          1e-5);
    }
  }

  @Test
  void logisticAndLinearRegressionOnTheHeapMatchTheNativePass() {
    assertHeapMatchesNative(new LogisticRegressionSpec(), TrainingParams.defaults(), 1e-5);
    assertHeapMatchesNative(
        new LinearRegressionSpec(LinearRegressionSpec.Solver.LEAST_SQUARES),
        TrainingParams.defaults(),
        1e-9);
  }

  /** Predicts rows in one call too large for the heap and then one by one, on the heap. */
  private static void assertHeapMatchesNative(
      ModelSpec spec, TrainingParams params, double tolerance) {
    int columns = 6;
    Random random = new Random(3);
    int trainRows = 50;
    double[] x = new double[trainRows * columns];
    double[] y = new double[trainRows];
    String[] labels = new String[trainRows];
    for (int i = 0; i < x.length; i++) {
      x[i] = random.nextGaussian() * 5 + 2;
    }
    for (int r = 0; r < trainRows; r++) {
      y[r] = x[r * columns] - 2 * x[r * columns + 1];
      labels[r] = y[r] > 0 ? "up" : y[r] < -5 ? "down" : "flat";
    }
    Examples data =
        spec instanceof LinearRegressionSpec
            ? Examples.regression(new int[] {columns}, x, y, 1)
            : Examples.classification(new int[] {columns}, x, labels);
    try (TrainedModel model = new Trainer().train(spec, params, data).model()) {
      long flopsPerRow = model.flopsPerPrediction();
      int rows = (int) (TrainedModel.HEAP_FLOPS / flopsPerRow) + 2;
      double[] input = new double[rows * columns];
      for (int i = 0; i < input.length; i++) {
        input[i] = random.nextGaussian() * 5 + 2;
      }
      Predictions natively = model.predict(input, rows);
      for (int r = 0; r < rows; r += 7) {
        double[] row = new double[columns];
        System.arraycopy(input, r * columns, row, 0, columns);
        Predictions onHeap = model.predict(row, 1);
        for (int k = 0; k < onHeap.width(); k++) {
          assertThat(onHeap.value(0, k))
              .as("%s row %d output %d", spec, r, k)
              .isCloseTo(natively.value(r, k), within(tolerance));
        }
      }
    }
  }
}

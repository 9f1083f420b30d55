package dev.maas.compute;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The FLOP count from a spec alone is the trained model's own, so forecasts can use it. */
class ArchitecturesFlopsTest {
  private final Trainer trainer = new Trainer();

  private static Examples threeClasses(int[] shape) {
    int size = 1;
    for (int d : shape) {
      size *= d;
    }
    int rows = 30;
    double[] x = new double[rows * size];
    String[] labels = new String[rows];
    for (int i = 0; i < x.length; i++) {
      x[i] = Math.sin(i * 0.37);
    }
    for (int r = 0; r < rows; r++) {
      labels[r] = "c" + (r % 3);
    }
    return Examples.classification(shape, x, labels);
  }

  private void assertSameFlops(ModelSpec spec, int[] shape) {
    TrainingParams params = TrainingParams.defaults().withEpochs(1).withBatchSize(10);
    try (TrainedModel model = trainer.train(spec, params, threeClasses(shape)).model()) {
      long[] flops = Architectures.flopsPerRow(spec, shape, Task.CLASSIFICATION, 3);
      assertThat(flops[0]).isEqualTo(model.flopsPerPrediction()).isPositive();
      assertThat(flops[1]).isEqualTo(model.flopsPerTrainingRow()).isGreaterThan(flops[0]);
    }
  }

  @Test
  void anMlpsCountFromItsSpecIsTheTrainedModels() {
    assertSameFlops(
        new MlpSpec(List.of(new DenseLayerSpec(16, Activation.RELU, 0))), new int[] {4});
  }

  @Test
  void anRnnsCountFromItsSpecIsTheTrainedModels() {
    assertSameFlops(new RnnSpec(RnnSpec.Cell.GRU, 8, 2), new int[] {5, 3});
  }
}

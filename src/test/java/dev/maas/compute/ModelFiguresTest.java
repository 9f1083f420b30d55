package dev.maas.compute;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelFiguresTest {

  @Test
  void anMlpKnowsItsParametersFlopsAndMemory() {
    var wine = ReferenceData.split("wine", true);
    MlpSpec spec = new MlpSpec(List.of(new DenseLayerSpec(64)));
    TrainingParams params = TrainingParams.defaults().withEpochs(1);
    try (TrainedModel model = new Trainer().train(spec, params, wine.train()).model()) {
      // 13 inputs + bias -> 64, 64 + bias -> 3 classes
      long parameters = 14 * 64 + 65 * 3;
      assertThat(model.parameterCount()).isEqualTo(parameters);
      assertThat(model.flopsPerPrediction()).isEqualTo(2 * parameters);
      // backward: weight gradients of both layers and the hidden layer's input gradient
      assertThat(model.flopsPerTrainingRow())
          .isEqualTo(2 * parameters + 2 * parameters + 2 * 64 * 3);
      long before = model.memoryBytes();
      assertThat(before).isEqualTo(parameters * Float.BYTES);
      model.predict(new double[13], 1); // a small call runs on the heap: no native buffers
      assertThat(model.memoryBytes()).isEqualTo(before);
      int rows = model.heapRows() + 1;
      model.predict(new double[13 * rows], rows);
      assertThat(model.memoryBytes()).isGreaterThan(before);
    }
  }

  @Test
  void aCnnCountsItsConvolutionFlopsPerOutputPosition() {
    CnnSpec spec =
        new CnnSpec(
            List.of(
                new CnnSpec.ConvLayerSpec(4, 3, 1, CnnSpec.Padding.SAME, Activation.RELU, null)),
            List.of());
    var data = CodecCases.classification(new int[] {1, 5, 5});
    try (TrainedModel model =
        new Trainer()
            .train(spec, TrainingParams.defaults().withEpochs(1).withBatchSize(8), data.train())
            .model()) {
      int classes = model.outputs();
      long conv = 2L * 3 * 3 * 1 * 4 * 25; // 2 k^2 inC outC per output position
      long dense = 2L * (4 * 25 + 1) * classes;
      assertThat(model.flopsPerPrediction()).isEqualTo(conv + dense);
      assertThat(model.parameterCount()).isEqualTo((9 + 1) * 4 + (100 + 1) * classes);
    }
  }
}

package dev.maas.compute;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void trainsSomething() {
    var wine = ReferenceData.split("wine", true);
    var spec = new MlpSpec(List.of(new DenseLayerSpec(64)));
    var params = TrainingParams.defaults().withEpochs(200).withBatchSize(32);
    long t0 = System.nanoTime();
    var result =
        new Trainer().train(spec, params, wine.train(), wine.test(), p -> {}, Cancellation.NEVER);
    System.out.println(
        "wine mlp " + result.model().metrics() + " " + (System.nanoTime() - t0) / 1e9);
    var iris = ReferenceData.split("iris", true);
    var r2 =
        new Trainer()
            .train(
                new LogisticRegressionSpec(),
                TrainingParams.defaults().withEpochs(300).withOptimizer(Optimizer.adam(0.05)),
                iris.train(),
                iris.test(),
                p -> {},
                Cancellation.NEVER);
    System.out.println("iris " + r2.model().metrics());
    var d = ReferenceData.split("diabetes", false);
    var r3 =
        new Trainer()
            .train(
                new LinearRegressionSpec(null),
                TrainingParams.defaults(),
                d.train(),
                d.test(),
                p -> {},
                Cancellation.NEVER);
    System.out.println("diabetes " + r3.model().metrics());
    assertThat(result.model().metrics()).isNotNull();
  }
}

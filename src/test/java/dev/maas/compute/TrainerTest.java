package dev.maas.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maas.errors.InvalidException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TrainerTest {
  private final ReferenceData.Split iris = ReferenceData.split("iris", true);
  private final Trainer trainer = new Trainer();
  private final MlpSpec mlp = new MlpSpec(List.of(new DenseLayerSpec(16, Activation.TANH, 0.1)));

  private TrainingParams params(int epochs) {
    return TrainingParams.defaults().withEpochs(epochs).withBatchSize(16);
  }

  @Test
  void theSameSeedAndDataTrainABitIdenticalModel() {
    double[] first = parameters(params(5));
    double[] second = parameters(params(5));
    assertThat(second).isEqualTo(first);
    assertThat(parameters(params(5).withSeed(7))).isNotEqualTo(first);
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {"cnn classification", "rnn gru", "rnn lstm", "rnn simple"})
  void everyFamilyTrainsBitIdenticallyFromTheSameSeed(String name) {
    CodecCases.Case c = CodecCases.named(name);
    double[] first;
    try (TrainedModel model = c.train()) {
      first = model.parameters();
    }
    try (TrainedModel model = c.train()) {
      assertThat(model.parameters()).isEqualTo(first);
    }
  }

  private double[] parameters(TrainingParams params) {
    try (TrainedModel model = trainer.train(mlp, params, iris.train()).model()) {
      return model.parameters();
    }
  }

  @Test
  void progressIsReportedOncePerEpochWithBothLosses() {
    List<EpochProgress> seen = new ArrayList<>();
    TrainingParams params = params(4).withValidation(0.2, null);
    TrainingResult result =
        trainer.train(mlp, params, iris.train(), null, seen::add, Cancellation.NEVER);
    result.model().close();
    assertThat(seen).extracting(EpochProgress::epoch).containsExactly(1, 2, 3, 4);
    assertThat(seen).allSatisfy(p -> assertThat(p.validationLoss()).isFinite().isPositive());
    assertThat(seen).allSatisfy(p -> assertThat(p.trainLoss()).isFinite().isPositive());
    assertThat(seen.get(3).elapsed()).isGreaterThanOrEqualTo(seen.get(0).elapsed());
    assertThat(result.learningCurve()).isEqualTo(seen);
    assertThat(seen.get(3).trainLoss()).isLessThan(seen.get(0).trainLoss());
  }

  static java.util.stream.Stream<String> caseNames() {
    return CodecCases.ALL.stream().map(CodecCases.Case::name);
  }

  /**
   * Each epoch's training loss is the mean over its rows of the loss its steps computed from their
   * own forward passes: the batch losses weighted by their rows (the last batch is smaller), on the
   * heap path and on ND4J's, for every family; an exact solver's single point stays a pass over the
   * rows.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("caseNames")
  void theEpochsTrainingLossIsTheMeanOfItsStepsLosses(String name) {
    CodecCases.Case c = CodecCases.named(name);
    ReferenceData.Split split = c.data().get();
    for (boolean heap : new boolean[] {true, false}) {
      List<double[]> steps = new ArrayList<>();
      Trainer observed =
          new Trainer(heap, (epoch, rows, loss) -> steps.add(new double[] {epoch, rows, loss}));
      // Batches of 7 leave a smaller last one for every data set here.
      TrainingParams params = c.params().withBatchSize(7);
      TrainingResult result =
          observed.train(
              c.spec(), params, split.train(), null, TrainingListener.NONE, Cancellation.NEVER);
      result.model().close();
      List<EpochProgress> curve = result.learningCurve();
      if (steps.isEmpty()) {
        assertThat(curve).hasSize(1);
        assertThat(curve.get(0).trainLoss()).isFinite().isPositive();
        continue;
      }
      for (EpochProgress p : curve) {
        double sum = 0;
        double rows = 0;
        java.util.Set<Double> sizes = new java.util.HashSet<>();
        for (double[] s : steps) {
          if (s[0] == p.epoch()) {
            sum += s[2];
            rows += s[1];
            sizes.add(s[1]);
          }
        }
        assertThat(rows).as(name).isEqualTo(split.train().rows());
        assertThat(sizes).as(name).hasSize(split.train().rows() % 7 == 0 ? 1 : 2);
        assertThat(p.trainLoss())
            .as(name + (heap ? " heap" : " nd4j") + " epoch " + p.epoch())
            .isFinite()
            .isCloseTo(sum / rows, org.assertj.core.data.Offset.offset(1e-6));
      }
    }
  }

  @Test
  void cancellationStopsTrainingBeforeTheNextBatch() {
    AtomicInteger asked = new AtomicInteger();
    Cancellation cancelAtFifthBatch = () -> asked.incrementAndGet() >= 5;
    assertThatThrownBy(
            () ->
                trainer.train(
                    mlp,
                    params(100),
                    iris.train(),
                    null,
                    TrainingListener.NONE,
                    cancelAtFifthBatch))
        .isInstanceOf(TrainingCancelledException.class)
        .hasMessageContaining("epoch 1");
    assertThat(asked.get()).isEqualTo(5);
  }

  @Test
  void earlyStoppingEndsTrainingAndRestoresTheBestWeights() {
    // A large learning rate makes validation loss rise again quickly.
    TrainingParams params =
        params(400)
            .withOptimizer(Optimizer.adam(0.05))
            .withValidation(0.25, new EarlyStopping(5, 0.0, true));
    TrainingResult result = trainer.train(mlp, params, iris.train());
    result.model().close();
    assertThat(result.stoppedEarly()).isTrue();
    assertThat(result.learningCurve()).hasSizeLessThan(400);
    assertThat(result.learningCurve().size()).isEqualTo(result.bestEpoch() + 5);
    double best = result.learningCurve().get(result.bestEpoch() - 1).validationLoss();
    assertThat(result.learningCurve())
        .allSatisfy(p -> assertThat(p.validationLoss()).isGreaterThanOrEqualTo(best));
  }

  @ParameterizedTest
  @EnumSource(Optimizer.Type.class)
  void everyOptimizerLowersTheTrainingLoss(Optimizer.Type type) {
    double rate = type == Optimizer.Type.SGD || type == Optimizer.Type.ADAGRAD ? 0.1 : 0.01;
    TrainingParams params = params(10).withOptimizer(Optimizer.of(type, rate));
    TrainingResult result = trainer.train(mlp, params, iris.train());
    result.model().close();
    List<EpochProgress> curve = result.learningCurve();
    assertThat(curve.get(curve.size() - 1).trainLoss()).isLessThan(curve.get(0).trainLoss());
  }

  @Test
  void fullBatchAndStochasticGradientDescentBothLearn() {
    int rows = iris.train().rows();
    for (int batch : new int[] {rows, 1}) {
      TrainingParams params =
          params(batch == 1 ? 3 : 60)
              .withBatchSize(batch)
              .withOptimizer(Optimizer.of(Optimizer.Type.SGD, batch == 1 ? 0.01 : 0.5));
      try (TrainedModel model =
          trainer
              .train(
                  mlp, params, iris.train(), iris.test(), TrainingListener.NONE, Cancellation.NEVER)
              .model()) {
        assertThat(((ClassificationMetrics) model.metrics()).accuracy())
            .as("batch %d", batch)
            .isGreaterThan(0.8);
      }
    }
  }

  @Test
  void l1AndL2PenaltiesShrinkTheWeights() {
    double plain = norm(parameters(params(20)));
    double penalized = norm(parameters(params(20).withRegularization(0.01, 0.1)));
    assertThat(penalized).isLessThan(plain);
  }

  private static double norm(double[] values) {
    double s = 0;
    for (double v : values) {
      s += v * v;
    }
    return Math.sqrt(s);
  }

  @Test
  void stringLabelsAreKeptInTheModelAndPredictedByName() {
    try (TrainedModel model = trainer.train(mlp, params(30), iris.train()).model()) {
      assertThat(model.labels()).containsExactly("setosa", "versicolor", "virginica");
      Predictions p = model.predict(new double[] {5.1, 3.5, 1.4, 0.2}, 1);
      assertThat(p.label(0)).isEqualTo("setosa");
      assertThat(p.values(0)).hasSize(3);
      assertThat(p.values(0)[0] + p.values(0)[1] + p.values(0)[2]).isCloseTo(1.0, within());
    }
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }

  @Test
  void everyProblemOfARequestIsReportedAtOnceNamingItsField() {
    TrainingParams bad = new TrainingParams(0, 10_000, Optimizer.adam(-1), -1, 0, 0.9, null, 1);
    MlpSpec badSpec = new MlpSpec(List.of(new DenseLayerSpec(0, Activation.RELU, 1.5)));
    assertThatThrownBy(() -> trainer.train(badSpec, bad, iris.train()))
        .isInstanceOfSatisfying(
            InvalidException.class,
            e ->
                assertThat(e.problems())
                    .anyMatch(m -> m.startsWith("training.epochs"))
                    .anyMatch(m -> m.startsWith("training.batchSize"))
                    .anyMatch(m -> m.startsWith("training.learningRate"))
                    .anyMatch(m -> m.startsWith("training.l1"))
                    .anyMatch(m -> m.startsWith("training.validationFraction"))
                    .anyMatch(m -> m.startsWith("spec.hiddenLayers[0].units"))
                    .anyMatch(m -> m.startsWith("spec.hiddenLayers[0].dropout")));
  }

  @Test
  void aSpecThatDoesNotFitTheInputShapeIsRejected() {
    CnnSpec cnn =
        new CnnSpec(
            List.of(
                new CnnSpec.ConvLayerSpec(4, 5, 1, CnnSpec.Padding.VALID, Activation.RELU, null)),
            List.of());
    assertThatThrownBy(() -> trainer.train(cnn, params(1), iris.train()))
        .isInstanceOf(InvalidException.class)
        .hasMessageContaining("inputShape must be [channels, height, width]");
    assertThatThrownBy(
            () ->
                trainer.train(
                    new LogisticRegressionSpec(),
                    params(1),
                    ReferenceData.split("diabetes", false).train()))
        .hasMessageContaining("task must be classification");
  }

  @Test
  void predictingBadRowsNamesTheRowAndValue() {
    try (TrainedModel model = trainer.train(mlp, params(1), iris.train()).model()) {
      assertThatThrownBy(() -> model.predict(new double[] {1, 2, 3}, 1))
          .isInstanceOf(InvalidException.class)
          .hasMessageContaining("expected 1 rows of 4 values");
      assertThatThrownBy(() -> model.predict(new double[] {1, 2, 3, 4, 5, Double.NaN, 7, 8}, 2))
          .isInstanceOf(InvalidException.class)
          .hasMessage("instances[1][1] is not a finite number");
      assertThatThrownBy(() -> model.predict(new double[0], 0))
          .isInstanceOf(InvalidException.class);
    }
  }

  @Test
  void predictionsOfMoreRowsThanOnePassTakesAgreeRowByRow() {
    try (TrainedModel model = trainer.train(mlp, params(2), iris.train()).model()) {
      int rows = TrainedModel.MAX_PASS_ROWS + 37;
      double[] features = new double[rows * 4];
      for (int i = 0; i < features.length; i++) {
        features[i] = iris.train().features()[i % iris.train().features().length];
      }
      Predictions all = model.predict(features, rows);
      for (int r : new int[] {0, 1, TrainedModel.MAX_PASS_ROWS, rows - 1}) {
        double[] one = java.util.Arrays.copyOfRange(features, r * 4, r * 4 + 4);
        assertThat(all.values(r))
            .containsExactly(
                model.predict(one, 1).values(0), org.assertj.core.data.Offset.offset(1e-6));
      }
    }
  }

  @Test
  void concurrentPredictionsAgreeWithASequentialOne() throws Exception {
    try (TrainedModel model = trainer.train(mlp, params(10), iris.train()).model()) {
      Examples test = iris.test();
      double[] expected = model.predict(test.features(), test.rows()).flat();
      List<Thread> threads = new ArrayList<>();
      List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      for (int t = 0; t < 8; t++) {
        Thread thread =
            new Thread(
                () -> {
                  for (int i = 0; i < 200; i++) {
                    double[] got = model.predict(test.features(), test.rows()).flat();
                    if (!java.util.Arrays.equals(got, expected)) {
                      failures.add(new AssertionError("different answer"));
                    }
                  }
                });
        threads.add(thread);
        thread.start();
      }
      for (Thread thread : threads) {
        thread.join();
      }
      assertThat(failures).isEmpty();
    }
  }
}

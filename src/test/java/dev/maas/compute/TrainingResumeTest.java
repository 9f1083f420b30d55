package dev.maas.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maas.compute.ReferenceData.Split;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A run resumed from a checkpoint ends with the model of the uninterrupted run, bit for bit: every
 * family's gradient-descent path, every optimizer, with dropout and with early stopping restoring
 * the best weights, resumed after the first epoch, in the middle and before the last. Each
 * checkpoint goes through its file format on the way, as a stored one would.
 */
class TrainingResumeTest {
  private static final Trainer TRAINER = new Trainer();

  /** A family on small data, trained with the given optimizer. */
  record Setup(
      String name, ModelSpec spec, Split data, Function<Optimizer, TrainingParams> params) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final Split REGRESSION = CodecCases.regression(new int[] {3}, 2, true);
  private static final Split CLASSES = CodecCases.classification(new int[] {5});
  private static final Split IMAGES = CodecCases.classification(new int[] {2, 6, 6});
  private static final Split SEQUENCES = CodecCases.classification(new int[] {4, 3});
  private static final Split SERIES = CodecCases.regression(new int[] {5, 2}, 1, true);

  private static TrainingParams small(Optimizer optimizer) {
    // 48 rows in batches of 10: four full batches and a partial one per epoch.
    return TrainingParams.defaults()
        .withEpochs(5)
        .withBatchSize(10)
        .withOptimizer(optimizer)
        .withSeed(1234);
  }

  static List<Setup> families() {
    return List.of(
        new Setup(
            "linear_regression gradient descent",
            new LinearRegressionSpec(LinearRegressionSpec.Solver.GRADIENT_DESCENT),
            REGRESSION,
            o -> small(o).withRegularization(0.01, 0.01)),
        new Setup(
            "logistic_regression gradient descent",
            new LogisticRegressionSpec(LogisticRegressionSpec.Solver.GRADIENT_DESCENT),
            CLASSES,
            TrainingResumeTest::small),
        new Setup(
            "mlp with dropout",
            new MlpSpec(
                List.of(
                    new DenseLayerSpec(8, Activation.RELU, 0.3),
                    new DenseLayerSpec(6, Activation.TANH, 0.2))),
            CLASSES,
            o -> small(o).withValidation(0.2, null)),
        new Setup(
            "cnn",
            new CnnSpec(
                List.of(
                    new CnnSpec.ConvLayerSpec(
                        3,
                        3,
                        1,
                        CnnSpec.Padding.SAME,
                        Activation.RELU,
                        new CnnSpec.PoolSpec(CnnSpec.PoolType.MAX, 2))),
                List.of(new DenseLayerSpec(4, Activation.RELU, 0.25))),
            IMAGES,
            TrainingResumeTest::small),
        new Setup(
            "rnn simple",
            new RnnSpec(RnnSpec.Cell.SIMPLE, 5, 1),
            SEQUENCES,
            TrainingResumeTest::small),
        new Setup(
            "rnn lstm", new RnnSpec(RnnSpec.Cell.LSTM, 5, 2), SEQUENCES, TrainingResumeTest::small),
        new Setup(
            "rnn gru", new RnnSpec(RnnSpec.Cell.GRU, 4, 1), SERIES, TrainingResumeTest::small));
  }

  static Stream<Arguments> everyFamilyAndOptimizer() {
    List<Arguments> out = new ArrayList<>();
    for (Setup setup : families()) {
      for (Optimizer.Type type : Optimizer.Type.values()) {
        double rate = type == Optimizer.Type.SGD || type == Optimizer.Type.ADAGRAD ? 0.05 : 0.01;
        out.add(Arguments.of(setup, Optimizer.of(type, rate)));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("everyFamilyAndOptimizer")
  void aResumedRunEndsWithTheUninterruptedRunsModel(Setup setup, Optimizer optimizer) {
    assertResumesExactly(setup.spec(), setup.params().apply(optimizer), setup.data(), null);
  }

  static Stream<Arguments> earlyStopping() {
    // A large learning rate makes the validation loss rise again soon: training stops early and
    // goes back to its best weights, which a checkpoint in the middle must carry.
    return families().stream()
        .map(
            setup ->
                Arguments.of(
                    setup,
                    setup
                        .params()
                        .apply(Optimizer.adam(0.08))
                        .withEpochs(40)
                        .withValidation(0.25, new EarlyStopping(3, 0, true))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("earlyStopping")
  void earlyStoppingWithRestoredBestWeightsResumesExactly(Setup setup, TrainingParams params) {
    TrainingResult reference = assertResumesExactly(setup.spec(), params, setup.data(), null);
    assertThat(reference.learningCurve().size()).isGreaterThan(2);
    assertThat(reference.stoppedEarly()).isTrue();
  }

  /**
   * Trains without checkpoints, then with a checkpoint at every epoch, then resumed from the first,
   * a middle and the last checkpoint; asserts every run ends with the same model file and curve.
   */
  private static TrainingResult assertResumesExactly(
      ModelSpec spec, TrainingParams params, Split data, Void unused) {
    TrainingResult reference = train(spec, params, data, Checkpointing.NONE);
    byte[] expected = modelBytes(reference);
    List<byte[]> checkpoints = new ArrayList<>();
    TrainingResult checkpointed =
        train(
            spec,
            params,
            data,
            Checkpointing.to(
                c -> checkpoints.add(CheckpointCodec.toBytes(c)), CheckpointPolicy.everyEpoch()));
    assertThat(modelBytes(checkpointed))
        .as("taking checkpoints changes nothing")
        .isEqualTo(expected);
    int epochsRun = reference.learningCurve().size();
    // One at the end of every epoch after which training went on.
    assertThat(checkpoints).hasSize(epochsRun - 1);
    for (int at : new int[] {1, (checkpoints.size() + 1) / 2, checkpoints.size()}) {
      TrainingCheckpoint checkpoint = read(checkpoints.get(at - 1));
      assertThat(checkpoint.epoch()).isEqualTo(at);
      TrainingResult resumed =
          train(spec, params, data, Checkpointing.NONE.resumingFrom(checkpoint));
      assertThat(modelBytes(resumed)).as("resumed after epoch %d", at).isEqualTo(expected);
      assertThat(resumed.bestEpoch()).isEqualTo(reference.bestEpoch());
      assertThat(resumed.stoppedEarly()).isEqualTo(reference.stoppedEarly());
      assertThat(losses(resumed)).isEqualTo(losses(reference));
    }
    return reference;
  }

  private static TrainingCheckpoint read(byte[] bytes) {
    try {
      return CheckpointCodec.read(bytes);
    } catch (CheckpointFormatException e) {
      throw new AssertionError(e);
    }
  }

  private static TrainingResult train(
      ModelSpec spec, TrainingParams params, Split data, Checkpointing checkpointing) {
    return TRAINER.train(
        spec,
        params,
        data.train(),
        data.test(),
        TrainingListener.NONE,
        Cancellation.NEVER,
        checkpointing);
  }

  private static byte[] modelBytes(TrainingResult result) {
    try (TrainedModel model = result.model()) {
      return ModelCodec.toBytes(model);
    }
  }

  private static List<List<Double>> losses(TrainingResult result) {
    return result.learningCurve().stream()
        .map(p -> List.of((double) p.epoch(), p.trainLoss(), p.validationLoss()))
        .toList();
  }

  @Test
  void aCheckpointOfAnotherRunIsRefused() {
    Setup setup = families().get(2);
    TrainingParams params = setup.params().apply(Optimizer.adam(0.01));
    List<TrainingCheckpoint> checkpoints = new ArrayList<>();
    train(
            setup.spec(),
            params,
            setup.data(),
            Checkpointing.to(checkpoints::add, CheckpointPolicy.everyEpoch()))
        .model()
        .close();
    TrainingCheckpoint checkpoint = checkpoints.get(0);
    assertThatThrownBy(
            () ->
                train(
                    setup.spec(),
                    params.withSeed(99),
                    setup.data(),
                    Checkpointing.NONE.resumingFrom(checkpoint)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("training parameters differ");
    assertThatThrownBy(
            () ->
                train(
                    setup.spec(),
                    params,
                    new Split(CLASSES.test(), null),
                    Checkpointing.NONE.resumingFrom(checkpoint)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rows");
    assertThatThrownBy(
            () ->
                train(
                    new MlpSpec(List.of(new DenseLayerSpec(9))),
                    params,
                    setup.data(),
                    Checkpointing.NONE.resumingFrom(checkpoint)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spec differs");
  }

  @Test
  void theListenerHearsTheResumedEpochsAndTheCurveHasThemAll() {
    Setup setup = families().get(2);
    TrainingParams params = setup.params().apply(Optimizer.adam(0.01));
    List<TrainingCheckpoint> checkpoints = new ArrayList<>();
    train(
            setup.spec(),
            params,
            setup.data(),
            Checkpointing.to(checkpoints::add, (p, t) -> p.epoch() == 2))
        .model()
        .close();
    assertThat(checkpoints).singleElement().extracting(TrainingCheckpoint::epoch).isEqualTo(2);
    List<EpochProgress> heard = new ArrayList<>();
    TrainingResult resumed =
        TRAINER.train(
            setup.spec(),
            params,
            setup.data().train(),
            null,
            heard::add,
            Cancellation.NEVER,
            Checkpointing.NONE.resumingFrom(checkpoints.get(0)));
    resumed.model().close();
    assertThat(heard).extracting(EpochProgress::epoch).containsExactly(3, 4, 5);
    assertThat(resumed.learningCurve())
        .extracting(EpochProgress::epoch)
        .containsExactly(1, 2, 3, 4, 5);
    assertThat(resumed.learningCurve().get(2).elapsed())
        .isGreaterThanOrEqualTo(checkpoints.get(0).learningCurve().get(1).elapsed());
  }
}

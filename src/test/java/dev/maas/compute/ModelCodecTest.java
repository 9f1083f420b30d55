package dev.maas.compute;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.compute.CodecCases.Case;
import dev.maas.compute.ModelManifest.TensorEntry;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

class ModelCodecTest {
  private static final Map<Case, TrainedModel> models = new HashMap<>();

  @BeforeAll
  static void train() {
    for (Case c : CodecCases.ALL) {
      models.put(c, c.train());
    }
  }

  @AfterAll
  static void close() {
    models.values().forEach(TrainedModel::close);
  }

  static Stream<Case> cases() {
    return CodecCases.ALL.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aLoadedModelPredictsBitForBitWhatTheSavedOneDid(Case c) throws Exception {
    TrainedModel model = models.get(c);
    Examples rows = c.rows();
    try (TrainedModel loaded = ModelCodec.read(ModelCodec.toBytes(model))) {
      double[] before = model.predict(rows.features(), rows.rows()).flat();
      double[] after = loaded.predict(rows.features(), rows.rows()).flat();
      assertThat(after).isEqualTo(before);
      assertThat(java.util.Arrays.equals(after, before)).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aLoadedModelHasTheSavedOnesMetadataAndParameters(Case c) throws Exception {
    TrainedModel model = models.get(c);
    try (TrainedModel loaded = ModelCodec.read(ModelCodec.toBytes(model))) {
      assertThat(loaded.spec()).isEqualTo(model.spec()).isEqualTo(c.spec());
      assertThat(loaded.family()).isEqualTo(model.family());
      assertThat(loaded.task()).isEqualTo(model.task());
      assertThat(loaded.inputShape()).isEqualTo(model.inputShape());
      assertThat(loaded.outputs()).isEqualTo(model.outputs());
      assertThat(loaded.labels()).isEqualTo(model.labels());
      assertThat(loaded.dataType()).isEqualTo(model.dataType());
      assertThat(loaded.inputScaler()).isEqualTo(model.inputScaler());
      assertThat(loaded.targetScaler()).isEqualTo(model.targetScaler());
      assertThat(loaded.metrics()).isEqualTo(model.metrics());
      assertThat(java.util.Arrays.equals(loaded.parameters(), model.parameters())).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theSameModelAlwaysGivesTheSameBytes(Case c) throws Exception {
    byte[] file = ModelCodec.toBytes(models.get(c));
    assertThat(ModelCodec.toBytes(models.get(c))).isEqualTo(file);
    try (TrainedModel loaded = ModelCodec.read(file)) {
      assertThat(ModelCodec.toBytes(loaded)).isEqualTo(file);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theManifestDescribesTheModelWithoutLoadingIt(Case c) throws Exception {
    TrainedModel model = models.get(c);
    byte[] file = ModelCodec.toBytes(model);
    ModelManifest manifest = ModelCodec.readManifest(file);
    assertThat(manifest).isEqualTo(ModelManifest.of(model, ModelCodec.FORMAT_VERSION, null));
    assertThat(manifest.family()).isEqualTo(c.spec().family());
    assertThat(manifest.parameterCount()).isEqualTo(model.parameterCount());
    assertThat(ModelCodec.readManifest(new ByteArrayInputStream(file))).isEqualTo(manifest);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void parametersAreStoredInTheModelsOwnPrecision(Case c) throws Exception {
    TrainedModel model = models.get(c);
    byte[] file = ModelCodec.toBytes(model);
    TensorEntry parameters = ModelCodec.readManifest(file).tensors().get(0);
    int width = model.dataType() == DataType.DOUBLE ? 8 : 4;
    assertThat(parameters.name()).isEqualTo("parameters");
    assertThat(parameters.dtype()).isEqualTo(model.dataType());
    assertThat(parameters.shape()).containsExactly(model.parameterCount());
    assertThat(parameters.length()).isEqualTo(model.parameterCount() * width);
    assertThat(file.length).isEqualTo(ModelFiles.tensorStart(file) + parameters.length() + 4);
  }

  @Test
  void leastSquaresModelsAreStoredAsFloat64AndTheOthersAsFloat32() {
    assertThat(models.get(CodecCases.named("linear least squares")).dataType())
        .isEqualTo(DataType.DOUBLE);
    assertThat(models.get(CodecCases.named("mlp classification")).dataType())
        .isEqualTo(DataType.FLOAT);
  }

  @Test
  void aStreamThatDeliversAFewBytesAtATimeReadsTheSameModel() throws Exception {
    TrainedModel model = models.get(CodecCases.named("mlp classification"));
    byte[] file = ModelCodec.toBytes(model);
    try (TrainedModel loaded = ModelCodec.read(new Trickle(new ByteArrayInputStream(file)))) {
      assertThat(ModelCodec.toBytes(loaded)).isEqualTo(file);
    }
  }

  @Test
  void theSpecIsStoredInTheApisCanonicalShape() throws Exception {
    byte[] file = ModelCodec.toBytes(models.get(CodecCases.named("mlp classification")));
    var manifest = ModelFiles.split(file).manifestJson();
    assertThat(manifest.get("family").stringValue()).isEqualTo("mlp");
    assertThat(manifest.get("spec").toString())
        .isEqualTo(
            "{\"hiddenLayers\":[{\"units\":8,\"activation\":\"tanh\",\"dropout\":0.0},"
                + "{\"units\":6,\"activation\":\"leaky_relu\",\"dropout\":0.1}]}");
    assertThat(manifest.get("task").stringValue()).isEqualTo("classification");
    assertThat(manifest.get("labels").toString())
        .isEqualTo("[\"setosa\",\"versicolor\",\"virginica\"]");
    assertThat(manifest.get("dataType").stringValue()).isEqualTo("float32");
  }

  @Test
  void awkwardDoublesAndFloatsComeBackBitForBit() throws Exception {
    double[] mean = {0.1, 1.0 / 3, Double.MIN_VALUE, -0.0, 1e300, Math.nextUp(1.0)};
    double[] scale = {Double.MIN_NORMAL, 1e-300, 0.1 + 0.2, Double.MAX_VALUE, 7, Math.PI};
    float[] floats = {Float.MIN_VALUE, -0.0f, Float.MAX_VALUE, 1f / 3, -1e-30f, 0.1f, 3};
    int[] shape = {6};
    // Logistic regression, two classes: 6 weights and a bias.
    double[] parameters = new double[7];
    for (int i = 0; i < 7; i++) {
      parameters[i] = floats[i];
    }
    Metrics metrics =
        new ClassificationMetrics(
            0.1,
            1.0 / 3,
            Double.MIN_VALUE,
            1,
            2.5e-17,
            Double.NaN,
            new int[][] {{3, 0}, {1, 0}},
            List.of("no", "yes"));
    try (TrainedModel model =
        TrainedModel.create(
            new LogisticRegressionSpec(),
            shape,
            2,
            List.of("no", "yes"),
            new Standardizer(shape, mean, scale),
            null,
            DataType.FLOAT,
            parameters,
            metrics)) {
      try (TrainedModel loaded = ModelCodec.read(ModelCodec.toBytes(model))) {
        assertThat(loaded.inputScaler().mean()).isEqualTo(mean);
        assertThat(loaded.inputScaler().scale()).isEqualTo(scale);
        assertThat(Double.doubleToRawLongBits(loaded.inputScaler().mean()[3]))
            .isEqualTo(Double.doubleToRawLongBits(-0.0));
        double[] back = loaded.parameters();
        for (int i = 0; i < 7; i++) {
          assertThat(Float.floatToRawIntBits((float) back[i]))
              .isEqualTo(Float.floatToRawIntBits(floats[i]));
        }
        assertThat(loaded.metrics()).isEqualTo(metrics);
      }
    }
  }

  /** Hands out at most 7 bytes per read, as a slow network stream might. */
  private static final class Trickle extends FilterInputStream {
    Trickle(InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return super.read(b, off, Math.min(len, 7));
    }
  }
}

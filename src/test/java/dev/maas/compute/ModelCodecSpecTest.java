package dev.maas.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maas.compute.CnnSpec.ConvLayerSpec;
import dev.maas.compute.CnnSpec.Padding;
import dev.maas.compute.CnnSpec.PoolSpec;
import dev.maas.compute.CnnSpec.PoolType;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Specs in a manifest: the API's canonical JSON, read back into the family's own record. */
class ModelCodecSpecTest {

  static Stream<Arguments> specs() {
    return Stream.of(
        Arguments.of(new LinearRegressionSpec(null), "{\"solver\":\"least_squares\"}"),
        Arguments.of(
            new LinearRegressionSpec(LinearRegressionSpec.Solver.GRADIENT_DESCENT),
            "{\"solver\":\"gradient_descent\"}"),
        Arguments.of(new LogisticRegressionSpec(), "{\"solver\":\"newton\"}"),
        Arguments.of(
            new MlpSpec(List.of(new DenseLayerSpec(64, Activation.LEAKY_RELU, 0.25))),
            "{\"hiddenLayers\":[{\"units\":64,\"activation\":\"leaky_relu\",\"dropout\":0.25}]}"),
        Arguments.of(
            new CnnSpec(
                List.of(
                    new ConvLayerSpec(
                        16, 3, 1, Padding.SAME, Activation.RELU, new PoolSpec(PoolType.MAX, 2)),
                    new ConvLayerSpec(8, 5, 2, Padding.VALID, Activation.TANH, null)),
                List.of(new DenseLayerSpec(32))),
            "{\"convLayers\":[{\"filters\":16,\"kernel\":3,\"stride\":1,\"padding\":\"same\","
                + "\"activation\":\"relu\",\"pool\":{\"type\":\"max\",\"size\":2,\"stride\":2}},"
                + "{\"filters\":8,\"kernel\":5,\"stride\":2,\"padding\":\"valid\","
                + "\"activation\":\"tanh\"}],"
                + "\"denseLayers\":[{\"units\":32,\"activation\":\"relu\",\"dropout\":0.0}]}"),
        Arguments.of(
            new RnnSpec(RnnSpec.Cell.GRU, 64, 2), "{\"cell\":\"gru\",\"units\":64,\"layers\":2}"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("specs")
  void aSpecIsWrittenInTheApisCanonicalShapeAndReadBackEqual(ModelSpec spec, String json)
      throws Exception {
    assertThat(SpecJson.write(spec).toString()).isEqualTo(json);
    assertThat(SpecJson.read(spec.family(), SpecJson.MAPPER.readTree(json), "spec"))
        .isEqualTo(spec);
  }

  @Test
  void theFamilyAloneChoosesTheRecord() {
    var mlp = SpecJson.MAPPER.readTree("{\"hiddenLayers\":[]}");
    assertThatThrownBy(() -> SpecJson.read(Family.LINEAR_REGRESSION, mlp, "spec"))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageStartingWith(
            "manifest field 'spec.hiddenLayers' is not a valid linear_regression spec");
  }

  @Test
  void enumValuesMustBeTheirWireNames() {
    var upper = SpecJson.MAPPER.readTree("{\"cell\":\"GRU\",\"units\":4,\"layers\":1}");
    var ordinal = SpecJson.MAPPER.readTree("{\"cell\":1,\"units\":4,\"layers\":1}");
    assertThatThrownBy(() -> SpecJson.read(Family.RNN, upper, "spec"))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("spec.cell");
    assertThatThrownBy(() -> SpecJson.read(Family.RNN, ordinal, "spec"))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("spec.cell");
  }

  @Test
  void aNullInAListIsReportedByValidationNamingItsPlace() throws Exception {
    var json = SpecJson.MAPPER.readTree("{\"hiddenLayers\":[null]}");
    ModelSpec spec = SpecJson.read(Family.MLP, json, "spec");
    Problems problems = new Problems();
    spec.validate(Task.REGRESSION, new int[] {3}, problems);
    assertThat(problems.messages()).containsExactly("spec.hiddenLayers[0] must not be null");
  }
}

package dev.maas.compute.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.compute.Architectures;
import dev.maas.compute.RnnSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

class RecurrentGradientTest {
  private static final long[] SEQUENCE = {4, 3}; // four steps of three features

  static Stream<Arguments> cellsAndDepths() {
    List<Arguments> cases = new ArrayList<>();
    for (RnnSpec.Cell cell : RnnSpec.Cell.values()) {
      cases.add(Arguments.of(cell, 1));
      cases.add(Arguments.of(cell, 2));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} x {1}")
  @MethodSource("cellsAndDepths")
  void stackedLayersBackwardMatchesFiniteDifferences(RnnSpec.Cell cell, int depth) {
    List<Layer> layers = new ArrayList<>();
    long[] shape = SEQUENCE;
    for (int i = 1; i <= depth; i++) {
      Layer layer = Recurrent.of(cell, shape, 5, i == depth);
      layers.add(layer);
      shape = layer.outputShape();
    }
    layers.add(new Dense(shape, 2, null, 0));
    try (Network network = new Network(layers, DataType.DOUBLE, true)) {
      var result = GradientCheck.run(network, Head.REGRESSION, 3, 11);
      assertThat(result.worstRelativeError()).as(result.toString()).isLessThan(1e-6);
    }
  }

  @ParameterizedTest
  @EnumSource(RnnSpec.Cell.class)
  void classifierFromArchitecturesMatchesFiniteDifferences(RnnSpec.Cell cell) {
    try (Network network =
        Architectures.build(
            new RnnSpec(cell, 4, 2), new int[] {3, 2}, Head.MULTICLASS, 3, DataType.DOUBLE, true)) {
      var result = GradientCheck.run(network, Head.MULTICLASS, 4, 13);
      assertThat(result.worstRelativeError()).as(result.toString()).isLessThan(1e-6);
    }
  }

  @ParameterizedTest
  @EnumSource(RnnSpec.Cell.class)
  void regressorFromArchitecturesMatchesFiniteDifferences(RnnSpec.Cell cell) {
    try (Network network =
        Architectures.build(
            new RnnSpec(cell, 3, 1), new int[] {5, 1}, Head.REGRESSION, 1, DataType.DOUBLE, true)) {
      var result = GradientCheck.run(network, Head.REGRESSION, 3, 14);
      assertThat(result.worstRelativeError()).as(result.toString()).isLessThan(1e-6);
    }
  }
}

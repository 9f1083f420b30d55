package dev.maas.compute;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every row of the peer table trains to a test quality no worse than scikit-learn's or PyTorch's by
 * more than 1.5 accuracy points, 0.02 of R² or 10% of RMSE. Set {@code -Dmaas.rows=cnn/digits}
 * (comma-separated family/dataset) to run some rows only.
 */
class ReferenceQualityTest {

  static Stream<ReferenceTasks.Row> rows() {
    String only = System.getProperty("maas.rows", "");
    return ReferenceTasks.all().stream()
        .filter(r -> only.isBlank() || only.contains(r.family() + "/" + r.dataset()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void trainsToPeerQuality(ReferenceTasks.Row row) {
    double value = row.run(new Trainer());
    assertThat(row.acceptable(value))
        .as(
            "%s %s %s = %.4f against the peer's %.4f",
            row.family(), row.dataset(), row.metricName(), value, row.peer())
        .isTrue();
  }
}

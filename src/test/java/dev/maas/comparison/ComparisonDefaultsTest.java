package dev.maas.comparison;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.compute.Task;
import dev.maas.training.TrainingJobs;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class ComparisonDefaultsTest {
  private static List<String> families(Task task, int... shape) {
    return Comparisons.defaults(new TrainingJobs.DataShape(task, shape)).stream()
        .map(c -> c.get("family").asString())
        .toList();
  }

  @Test
  void aTableGetsTheLinearModelOfItsTaskAndTwoMlpSizes() {
    assertThat(families(Task.CLASSIFICATION, 4))
        .containsExactly("logistic_regression", "mlp", "mlp");
    assertThat(families(Task.REGRESSION, 10)).containsExactly("linear_regression", "mlp", "mlp");
    List<ObjectNode> c =
        Comparisons.defaults(new TrainingJobs.DataShape(Task.REGRESSION, new int[] {3}));
    assertThat(c.get(1).get("spec").toString()).contains("16");
    assertThat(c.get(2).get("spec").toString()).contains("64").contains("32");
  }

  @Test
  void imagesAlsoGetACnnAndSequencesAnRnn() {
    assertThat(families(Task.CLASSIFICATION, 1, 8, 8)).endsWith("cnn").hasSize(4);
    assertThat(families(Task.REGRESSION, 12, 1)).endsWith("rnn").hasSize(4);
  }
}

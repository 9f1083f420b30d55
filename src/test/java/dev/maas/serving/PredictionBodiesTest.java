package dev.maas.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maas.errors.InvalidException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules both prediction bodies share, read without a server. */
class PredictionBodiesTest {
  private static final InputLayout LAYOUT = new InputLayout(new int[] {2}, List.of("a", "b"));

  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static InferRequest infer(String text) {
    return InferRequest.read(json(text), LAYOUT, 10);
  }

  private static final String TENSOR =
      "{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 2]}";

  @Test
  void aWellFormedInferRequestIsRead() {
    InferRequest request = infer("{\"id\": \"r1\", \"inputs\": [" + TENSOR + "]}");
    assertThat(request.id()).isEqualTo("r1");
    assertThat(request.rows().rows()).isEqualTo(1);
  }

  @Test
  void aFieldGivenTwiceIsRefusedByBothBodies() {
    assertThatThrownBy(() -> infer("{\"inputs\": [" + TENSOR + "], \"inputs\": [" + TENSOR + "]}"))
        .isInstanceOf(InvalidException.class)
        .hasMessage("'inputs' is given twice");
    assertThatThrownBy(
            () ->
                infer(
                    "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\":"
                        + " \"FP32\", \"data\": [1, 2], \"data\": [3, 4]}]}"))
        .isInstanceOf(InvalidException.class)
        .hasMessage("inputs[0].data is given twice");
    assertThatThrownBy(() -> infer("{\"id\": \"a\", \"id\": \"b\", \"inputs\": [" + TENSOR + "]}"))
        .isInstanceOf(InvalidException.class)
        .hasMessage("'id' is given twice");
    assertThatThrownBy(
            () ->
                new InstancesReader(LAYOUT, 10)
                    .read(json("{\"instances\": [[1, 2]], \"instances\": [[3, 4]]}")))
        .isInstanceOf(InvalidException.class)
        .hasMessage("'instances' is given twice");
  }

  @Test
  void anInferRequestMustNameTheModelsInput() {
    assertThatThrownBy(() -> infer("{\"inputs\": [" + TENSOR.replace("input", "x") + "]}"))
        .isInstanceOf(InvalidException.class)
        .hasMessage("inputs[0].name is 'x'; the model's one input is 'input'");
  }
}

package dev.maas.compute;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/**
 * A recurrent network over sequences [time, features]: one or more stacked recurrent layers, then
 * an output layer on the last step's hidden state.
 *
 * @param cell simple (tanh), lstm or gru
 * @param units hidden size of each layer
 * @param layers number of stacked layers (default 1)
 */
public record RnnSpec(Cell cell, int units, int layers) implements ModelSpec {

  /** The recurrent cell. */
  public enum Cell {
    SIMPLE,
    LSTM,
    GRU;

    @JsonValue
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public RnnSpec {
    if (cell == null) {
      cell = Cell.LSTM;
    }
    if (layers == 0) {
      layers = 1;
    }
  }

  @Override
  public Family family() {
    return Family.RNN;
  }

  @Override
  public void validate(Task task, int[] inputShape, Problems problems) {
    problems.require(
        inputShape != null && inputShape.length == 2 && SpecRules.positive(inputShape),
        "inputShape",
        "must be [time, features] for rnn, was " + Arrays.toString(inputShape));
    problems.require(
        units >= 1 && units <= 4096, "spec.units", "must be between 1 and 4096, was " + units);
    problems.require(
        layers >= 1 && layers <= 16, "spec.layers", "must be between 1 and 16, was " + layers);
  }
}

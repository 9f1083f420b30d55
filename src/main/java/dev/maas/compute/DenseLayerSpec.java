package dev.maas.compute;

/**
 * A fully connected hidden layer.
 *
 * @param units number of outputs
 * @param activation activation of the outputs (default relu)
 * @param dropout probability of zeroing an output while training, in [0, 1) (default 0)
 */
public record DenseLayerSpec(int units, Activation activation, double dropout) {

  public DenseLayerSpec {
    if (activation == null) {
      activation = Activation.RELU;
    }
  }

  /** A layer with relu and no dropout. */
  public DenseLayerSpec(int units) {
    this(units, Activation.RELU, 0);
  }

  void validate(String field, Problems problems) {
    problems.require(
        units >= 1 && units <= SpecRules.MAX_UNITS,
        field + ".units",
        "must be between 1 and " + SpecRules.MAX_UNITS + ", was " + units);
    problems.require(
        dropout >= 0 && dropout < 1, field + ".dropout", "must be in [0, 1), was " + dropout);
  }
}

package dev.maas.compute;

import java.util.List;

/** A multilayer perceptron: hidden dense layers, then an output layer for the task. */
public record MlpSpec(List<DenseLayerSpec> hiddenLayers) implements ModelSpec {

  public MlpSpec {
    hiddenLayers = SpecRules.copy(hiddenLayers);
  }

  @Override
  public Family family() {
    return Family.MLP;
  }

  @Override
  public void validate(Task task, int[] inputShape, Problems problems) {
    SpecRules.requireVector(inputShape, problems);
    problems.require(
        hiddenLayers.size() <= SpecRules.MAX_LAYERS,
        "spec.hiddenLayers",
        "may have at most " + SpecRules.MAX_LAYERS + " layers, has " + hiddenLayers.size());
    for (int i = 0; i < hiddenLayers.size(); i++) {
      DenseLayerSpec layer = hiddenLayers.get(i);
      if (layer == null) {
        problems.add("spec.hiddenLayers[" + i + "]", "must not be null");
      } else {
        layer.validate("spec.hiddenLayers[" + i + "]", problems);
      }
    }
  }
}

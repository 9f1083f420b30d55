package dev.maas.training;

import dev.maas.compute.Activation;
import dev.maas.compute.CnnSpec;
import dev.maas.compute.DenseLayerSpec;
import dev.maas.compute.EarlyStopping;
import dev.maas.compute.Family;
import dev.maas.compute.LinearRegressionSpec;
import dev.maas.compute.LogisticRegressionSpec;
import dev.maas.compute.MlpSpec;
import dev.maas.compute.ModelSpec;
import dev.maas.compute.Optimizer;
import dev.maas.compute.Problems;
import dev.maas.compute.RnnSpec;
import dev.maas.compute.TrainingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Reads a request's {@code spec} and {@code training} objects leniently: absent fields take the
 * documented defaults; every wrong field is a problem.
 */
final class SpecReader {
  private SpecReader() {}

  /** The spec of {@code family}, or null when it has problems. */
  static ModelSpec spec(Family family, JsonNode node, Problems problems) {
    int before = problems.messages().size();
    ModelSpec spec =
        switch (family) {
          case LINEAR_REGRESSION -> {
            Fields f = new Fields(node, "spec.", problems, Set.of("solver"));
            yield new LinearRegressionSpec(
                f.choice(
                    "solver",
                    LinearRegressionSpec.Solver.values(),
                    LinearRegressionSpec.Solver::wireName,
                    LinearRegressionSpec.Solver.LEAST_SQUARES));
          }
          case LOGISTIC_REGRESSION -> {
            Fields f = new Fields(node, "spec.", problems, Set.of("solver"));
            yield new LogisticRegressionSpec(
                f.choice(
                    "solver",
                    LogisticRegressionSpec.Solver.values(),
                    LogisticRegressionSpec.Solver::wireName,
                    LogisticRegressionSpec.Solver.NEWTON));
          }
          case MLP -> {
            Fields f = new Fields(node, "spec.", problems, Set.of("hiddenLayers"));
            List<DenseLayerSpec> hidden = dense(f, "hiddenLayers", problems);
            yield new MlpSpec(hidden == null ? List.of(new DenseLayerSpec(64)) : hidden);
          }
          case CNN -> {
            Fields f = new Fields(node, "spec.", problems, Set.of("convLayers", "denseLayers"));
            List<CnnSpec.ConvLayerSpec> conv = conv(f, problems);
            List<DenseLayerSpec> dense = dense(f, "denseLayers", problems);
            yield new CnnSpec(
                conv == null
                    ? List.of(
                        new CnnSpec.ConvLayerSpec(
                            16,
                            3,
                            1,
                            CnnSpec.Padding.SAME,
                            Activation.RELU,
                            new CnnSpec.PoolSpec(CnnSpec.PoolType.MAX, 2)))
                    : conv,
                dense == null ? List.of(new DenseLayerSpec(64)) : dense);
          }
          case RNN -> {
            Fields f = new Fields(node, "spec.", problems, Set.of("cell", "units", "layers"));
            yield new RnnSpec(
                f.choice("cell", RnnSpec.Cell.values(), RnnSpec.Cell::wireName, RnnSpec.Cell.LSTM),
                f.integer("units", 64),
                f.integer("layers", 1));
          }
        };
    return problems.messages().size() > before ? null : spec;
  }

  private static List<DenseLayerSpec> dense(Fields f, String name, Problems problems) {
    List<JsonNode> items = f.array(name);
    if (items == null) {
      return null;
    }
    List<DenseLayerSpec> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Fields layer =
          new Fields(
              items.get(i),
              f.field(name) + "[" + i + "].",
              problems,
              Set.of("units", "activation", "dropout"));
      if (!layer.has("units")) {
        problems.add(f.field(name) + "[" + i + "].units", "is required");
      }
      out.add(
          new DenseLayerSpec(
              layer.integer("units", 1),
              layer.choice(
                  "activation", Activation.values(), Activation::wireName, Activation.RELU),
              layer.number("dropout", 0)));
    }
    return out;
  }

  private static List<CnnSpec.ConvLayerSpec> conv(Fields f, Problems problems) {
    List<JsonNode> items = f.array("convLayers");
    if (items == null) {
      return null;
    }
    List<CnnSpec.ConvLayerSpec> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String at = f.field("convLayers") + "[" + i + "].";
      Fields layer =
          new Fields(
              items.get(i),
              at,
              problems,
              Set.of("filters", "kernel", "stride", "padding", "activation", "pool"));
      CnnSpec.PoolSpec pool = null;
      if (layer.has("pool")) {
        Fields p =
            new Fields(layer.get("pool"), at + "pool.", problems, Set.of("type", "size", "stride"));
        int size = p.integer("size", 2);
        pool =
            new CnnSpec.PoolSpec(
                p.choice(
                    "type",
                    CnnSpec.PoolType.values(),
                    CnnSpec.PoolType::wireName,
                    CnnSpec.PoolType.MAX),
                size,
                p.integer("stride", size));
      }
      out.add(
          new CnnSpec.ConvLayerSpec(
              layer.integer("filters", 16),
              layer.integer("kernel", 3),
              layer.integer("stride", 1),
              layer.choice(
                  "padding",
                  CnnSpec.Padding.values(),
                  CnnSpec.Padding::wireName,
                  CnnSpec.Padding.SAME),
              layer.choice(
                  "activation", Activation.values(), Activation::wireName, Activation.RELU),
              pool));
    }
    return out;
  }

  static final Set<String> TRAINING_FIELDS =
      Set.of(
          "epochs",
          "batchSize",
          "optimizer",
          "learningRate",
          "momentum",
          "beta1",
          "beta2",
          "epsilon",
          "l1",
          "l2",
          "validationFraction",
          "earlyStopping",
          "seed");

  /**
   * The training parameters; {@code batchSize} defaults to 32 or the training rows if fewer.
   *
   * @param trainingRows rows left for training after the test split
   */
  static TrainingParams params(JsonNode node, int trainingRows, Problems problems) {
    Fields f = new Fields(node, "training.", problems, TRAINING_FIELDS);
    Optimizer optimizer =
        new Optimizer(
            f.choice(
                "optimizer",
                Optimizer.Type.values(),
                Optimizer.Type::wireName,
                Optimizer.Type.ADAM),
            f.number("learningRate", 1e-3),
            f.number("momentum", 0),
            f.number("beta1", 0),
            f.number("beta2", 0),
            f.number("epsilon", 0));
    double validationFraction = f.number("validationFraction", 0);
    EarlyStopping stopping = null;
    if (f.has("earlyStopping")) {
      Fields e =
          new Fields(
              f.get("earlyStopping"),
              "training.earlyStopping.",
              problems,
              Set.of("patience", "minDelta", "restoreBestWeights"));
      stopping =
          new EarlyStopping(
              e.integer("patience", 10),
              e.number("minDelta", 0),
              e.bool("restoreBestWeights", false));
    }
    int held =
        validationFraction > 0
            ? Math.max(1, (int) Math.round(trainingRows * validationFraction))
            : 0;
    int defaultBatch = Math.max(1, Math.min(32, trainingRows - held));
    return new TrainingParams(
        f.integer("epochs", 100),
        f.integer("batchSize", defaultBatch),
        optimizer,
        f.number("l1", 0),
        f.number("l2", 0),
        validationFraction,
        stopping,
        f.longInteger("seed", TrainingParams.DEFAULT_SEED));
  }
}

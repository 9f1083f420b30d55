package dev.maas.training;

import dev.maas.compute.Family;
import dev.maas.compute.ModelSpec;
import dev.maas.compute.Preprocessor;
import dev.maas.compute.Preprocessor.Impute;
import dev.maas.compute.Problems;
import dev.maas.compute.Task;
import dev.maas.compute.TrainingParams;
import dev.maas.dataset.Dataset;
import dev.maas.dataset.Datasets;
import dev.maas.errors.InvalidException;
import dev.maas.registry.Names;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Turns a {@code POST /api/v1/training-jobs} body into a {@link TrainingPlan}, checking the whole
 * request against the datasets first and listing every problem in one {@link
 * dev.maas.compute.InvalidException}.
 */
final class RequestParser {
  static final Set<String> FIELDS =
      Set.of(
          "model",
          "family",
          "spec",
          "training",
          "dataset",
          "testDataset",
          "testFraction",
          "target",
          "features",
          "inputShape",
          "task",
          "alias",
          "preprocessing");
  static final Set<String> PREPROCESSING = Set.of("impute", "minCount", "maxLevels", "columns");
  static final Set<String> COLUMN =
      Set.of("drop", "kind", "impute", "value", "minCount", "maxLevels");

  private final Datasets datasets;

  /** */
  RequestParser(Datasets datasets) {
    this.datasets = datasets;
  }

  TrainingPlan parse(JsonNode body) {
    Problems problems = new Problems();
    if (body == null || !body.isObject()) {
      problems.add("body", "must be a JSON object");
      problems.throwIfAny();
    }
    Fields f = new Fields(body, "", problems, FIELDS);

    String model = f.text("model", null);
    if (model == null) {
      problems.add("model", "is required");
    } else {
      check(() -> Names.model(model), "model", problems);
    }
    String alias = f.text("alias", null);
    if (alias != null) {
      check(() -> Names.alias(alias), "alias", problems);
    }
    Family family = null;
    String familyName = f.text("family", null);
    if (familyName == null) {
      problems.add("family", "is required, one of " + Arrays.toString(Family.values()));
    } else {
      family =
          Arrays.stream(Family.values())
              .filter(x -> x.wireName().equals(familyName))
              .findFirst()
              .orElse(null);
      if (family == null) {
        problems.add(
            "family",
            "must be one of " + Arrays.toString(Family.values()) + ", was '" + familyName + "'");
      }
    }

    Dataset dataset = dataset(f, "dataset", true, problems);
    Dataset testDataset = dataset(f, "testDataset", false, problems);
    double testFraction = f.number("testFraction", testDataset == null ? 0.2 : 0);
    if (testDataset != null && f.has("testFraction")) {
      problems.add("testFraction", "must not be given with testDataset");
    }
    if (!(testFraction >= 0 && testFraction < 1)) {
      problems.add("testFraction", "must be in [0, 1), was " + testFraction);
      testFraction = 0.2;
    }

    String target = f.text("target", null);
    if (target == null) {
      problems.add("target", "is required");
    }
    List<String> features = f.strings("features");
    Task task = f.choice("task", Task.values(), Task::wireName, null);
    if (dataset != null && target != null) {
      Dataset.Column t = dataset.column(target);
      if (t == null) {
        problems.add("target", "'" + target + "' is not a column of dataset " + dataset.id());
      } else {
        if (task == null) {
          task = t.type() == Dataset.ColumnType.STRING ? Task.CLASSIFICATION : Task.REGRESSION;
        } else if (task == Task.REGRESSION && t.type() == Dataset.ColumnType.STRING) {
          problems.add(
              "target", "'" + target + "' holds strings, so the task must be classification");
        }
      }
      if (features == null) {
        features = new ArrayList<>();
        for (Dataset.Column c : dataset.columns()) {
          if (!c.name().equals(target)) {
            features.add(c.name());
          }
        }
      }
      boolean vector = family != null && family != Family.CNN && family != Family.RNN;
      checkColumns(dataset, "dataset", features, target, vector, problems);
      if (testDataset != null) {
        checkColumns(testDataset, "testDataset", features, target, vector, problems);
      }
    }
    if (features != null) {
      problems.require(!features.isEmpty(), "features", "must name at least one column");
      Set<String> distinct = new LinkedHashSet<>(features);
      problems.require(distinct.size() == features.size(), "features", "must not repeat a column");
      problems.require(
          target == null || !distinct.contains(target),
          "features",
          "must not hold the target '" + target + "'");
    }

    int[] inputShape = f.integers("inputShape");
    if (features != null && !features.isEmpty()) {
      if (inputShape == null) {
        if (family == Family.CNN || family == Family.RNN) {
          problems.add("inputShape", "is required for " + family + " (e.g. [1, 8, 8] or [8, 8])");
        }
        inputShape = new int[] {features.size()};
      } else {
        long product = 1;
        for (int d : inputShape) {
          product *= d;
        }
        problems.require(
            product == features.size(),
            "inputShape",
            Arrays.toString(inputShape)
                + " holds "
                + product
                + " values per row, but there are "
                + features.size()
                + " features");
      }
    }

    int rows = dataset == null ? 0 : (int) Math.min(dataset.rows(), Integer.MAX_VALUE);
    int trainingRows = rows - (testDataset == null ? TrainingPlan.testRows(rows, testFraction) : 0);
    if (dataset != null) {
      problems.require(
          trainingRows >= 2,
          "dataset",
          "leaves " + trainingRows + " training rows after the test split; at least 2 are needed");
    }
    TrainingParams params = SpecReader.params(f.get("training"), trainingRows, problems);
    if (dataset != null) {
      params.validate(trainingRows, problems);
    } else {
      params.validate(Integer.MAX_VALUE, problems);
    }
    ModelSpec spec = null;
    if (family != null) {
      spec = SpecReader.spec(family, f.get("spec"), problems);
      if (spec != null && task != null && inputShape != null) {
        spec.validate(task, inputShape, problems);
      }
    }
    Preprocessor.Options preprocessing = null;
    if (family == Family.CNN || family == Family.RNN) {
      problems.require(
          !f.has("preprocessing"),
          "preprocessing",
          "is for the families of a feature vector (linear_regression, logistic_regression, mlp),"
              + " not "
              + family);
    } else {
      preprocessing = preprocessing(f.get("preprocessing"), dataset, features, problems);
    }
    problems.throwIfAny();
    return new TrainingPlan(
        model,
        spec,
        params,
        dataset.id(),
        testDataset == null ? null : testDataset.id(),
        target,
        List.copyOf(features),
        inputShape,
        task,
        testFraction,
        alias,
        preprocessing);
  }

  /**
   * The {@code preprocessing} object: default strategies and per-column overrides, each checked
   * against the feature columns.
   */
  private static Preprocessor.Options preprocessing(
      JsonNode node, Dataset dataset, List<String> features, Problems problems) {
    Fields f = new Fields(node, "preprocessing", problems, PREPROCESSING);
    Preprocessor.Options defaults = Preprocessor.Options.DEFAULT;
    Impute impute = impute(f, "preprocessing.impute", defaults.impute(), problems);
    int minCount = positive(f, "minCount", defaults.minCount(), "preprocessing", problems);
    int maxLevels = positive(f, "maxLevels", defaults.maxLevels(), "preprocessing", problems);
    Map<String, Preprocessor.ColumnOptions> columns = new LinkedHashMap<>();
    JsonNode given = f.get("columns");
    if (given != null && !given.isNull()) {
      if (!given.isObject()) {
        problems.add("preprocessing.columns", "must be an object of column name to settings");
      } else {
        for (Map.Entry<String, JsonNode> e : given.properties()) {
          String name = e.getKey();
          String path = "preprocessing.columns." + name;
          if (features != null && !features.contains(name)) {
            problems.add(path, "'" + name + "' is not one of the feature columns");
            continue;
          }
          Fields c = new Fields(e.getValue(), path, problems, COLUMN);
          boolean drop = c.bool("drop", false);
          String kind = c.text("kind", null);
          Dataset.Column column = dataset == null ? null : dataset.column(name);
          boolean text = column != null && column.type() == Dataset.ColumnType.STRING;
          if (kind != null && !kind.equals("number") && !kind.equals("category")) {
            problems.add(path + ".kind", "must be number or category, was '" + kind + "'");
          } else if ("number".equals(kind) && text) {
            problems.add(path + ".kind", "'" + name + "' holds text, so it cannot be a number");
          }
          boolean categorical = "category".equals(kind) || (kind == null && text);
          Impute columnImpute = impute(c, path + ".impute", null, problems);
          Double value = c.has("value") ? c.number("value", 0) : null;
          if (value != null && !Double.isFinite(value)) {
            problems.add(path + ".value", "must be a finite number");
          }
          if (columnImpute == Impute.CONSTANT && value == null) {
            problems.add(path + ".value", "is required with impute constant");
          }
          if (categorical && (columnImpute != null || value != null)) {
            problems.add(path + ".impute", "is for number columns; '" + name + "' is categorical");
          }
          Integer columnMin = c.has("minCount") ? positive(c, "minCount", 1, path, problems) : null;
          Integer columnMax =
              c.has("maxLevels") ? positive(c, "maxLevels", 1, path, problems) : null;
          if (!categorical && (columnMin != null || columnMax != null)) {
            problems.add(path, "minCount and maxLevels are for categorical columns");
          }
          columns.put(
              name,
              new Preprocessor.ColumnOptions(
                  drop, categorical && !text, columnImpute, value, columnMin, columnMax));
        }
      }
    }
    if (impute == Impute.CONSTANT) {
      problems.add(
          "preprocessing.impute", "constant needs a value per column (preprocessing.columns)");
    }
    return new Preprocessor.Options(impute, minCount, maxLevels, columns);
  }

  private static Impute impute(Fields f, String path, Impute fallback, Problems problems) {
    String name = f.text("impute", null);
    if (name == null) {
      return fallback;
    }
    Impute impute = Impute.of(name);
    if (impute == null) {
      problems.add(path, "must be median, mean or constant, was '" + name + "'");
      return fallback;
    }
    return impute;
  }

  private static int positive(Fields f, String name, int fallback, String path, Problems problems) {
    int value = f.integer(name, fallback);
    if (value < 1) {
      problems.add(path + "." + name, "must be at least 1, was " + value);
      return fallback;
    }
    return value;
  }

  private Dataset dataset(Fields f, String field, boolean required, Problems problems) {
    String id = f.text(field, null);
    if (id == null) {
      if (required) {
        problems.add(field, "is required (a dataset id)");
      }
      return null;
    }
    Optional<Dataset> dataset = datasets.find(id);
    if (dataset.isEmpty()) {
      problems.add(field, "'" + id + "' is not a dataset");
    }
    return dataset.orElse(null);
  }

  private static void checkColumns(
      Dataset dataset,
      String field,
      List<String> features,
      String target,
      boolean textAllowed,
      Problems problems) {
    if (dataset.column(target) == null && field.equals("testDataset")) {
      problems.add(field, "has no target column '" + target + "'");
    }
    for (String name : features) {
      Dataset.Column c = dataset.column(name);
      if (c == null) {
        problems.add(
            field.equals("dataset") ? "features" : field,
            "'" + name + "' is not a column of dataset " + dataset.id());
      } else if (c.type() != Dataset.ColumnType.NUMBER && !textAllowed) {
        problems.add(
            field.equals("dataset") ? "features" : field,
            "'"
                + name
                + "' of dataset "
                + dataset.id()
                + " holds strings, not numbers (cnn and rnn take numbers only; text columns are"
                + " categorical features of linear_regression, logistic_regression and mlp)");
      }
    }
  }

  private static void check(Runnable rule, String field, Problems problems) {
    try {
      rule.run();
    } catch (InvalidException e) {
      problems.add(field, e.getMessage());
    }
  }
}

package dev.maas.training;

import dev.maas.compute.Family;
import dev.maas.compute.ModelSpec;
import dev.maas.compute.Problems;
import dev.maas.compute.Task;
import dev.maas.compute.TrainingParams;
import dev.maas.dataset.Dataset;
import dev.maas.dataset.Datasets;
import dev.maas.errors.InvalidException;
import dev.maas.registry.Names;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
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
          "alias");

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
      checkColumns(dataset, "dataset", features, target, problems);
      if (testDataset != null) {
        checkColumns(testDataset, "testDataset", features, target, problems);
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
        alias);
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
      Dataset dataset, String field, List<String> features, String target, Problems problems) {
    if (dataset.column(target) == null && field.equals("testDataset")) {
      problems.add(field, "has no target column '" + target + "'");
    }
    for (String name : features) {
      Dataset.Column c = dataset.column(name);
      if (c == null) {
        problems.add(
            field.equals("dataset") ? "features" : field,
            "'" + name + "' is not a column of dataset " + dataset.id());
      } else if (c.type() != Dataset.ColumnType.NUMBER) {
        problems.add(
            field.equals("dataset") ? "features" : field,
            "'" + name + "' of dataset " + dataset.id() + " holds strings, not numbers");
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

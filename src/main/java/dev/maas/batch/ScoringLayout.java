package dev.maas.batch;

import dev.maas.compute.Predictions;
import dev.maas.compute.Preprocessor;
import dev.maas.compute.TrainedModel;
import dev.maas.dataset.Dataset;
import dev.maas.dataset.Dataset.Column;
import dev.maas.dataset.Dataset.ColumnType;
import dev.maas.dataset.TableData;
import java.util.ArrayList;
import java.util.List;

/**
 * How a model reads a dataset and what a job writes: which input columns the model takes (the raw
 * columns of its preprocessing, else its feature names, else {@code x0..} as NPY uploads name
 * them), how a chunk of rows becomes the model's input, and the prediction columns of the result.
 */
final class ScoringLayout {
  private final TrainedModel model;
  private final Preprocessor preprocessing;
  private final List<String> inputs;
  private final PredictionOutput output;

  ScoringLayout(TrainedModel model, PredictionOutput output) {
    this.model = model;
    this.output = output;
    this.preprocessing = model.preprocessing();
    List<String> names = new ArrayList<>();
    if (preprocessing != null) {
      for (Preprocessor.Step step : preprocessing.steps()) {
        if (!(step instanceof Preprocessor.Dropped)) {
          names.add(step.column());
        }
      }
    } else if (model.features() != null) {
      names.addAll(model.features());
    } else {
      int length = 1;
      for (int d : model.inputShape()) {
        length *= d;
      }
      for (int i = 0; i < length; i++) {
        names.add("x" + i);
      }
    }
    this.inputs = List.copyOf(names);
  }

  /**
   * What keeps {@code dataset} from being scored by this model, one problem each: columns it lacks
   * (named together), text where the model takes numbers, gaps where the model has no preprocessing
   * to fill them.
   */
  List<String> problems(Dataset dataset) {
    List<String> problems = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String name : inputs) {
      Column c = dataset.column(name);
      if (c == null) {
        missing.add(name);
        continue;
      }
      boolean numeric = preprocessing == null || numericStep(name);
      if (numeric && c.type() == ColumnType.STRING) {
        problems.add("dataset: column '" + name + "' holds text where the model takes numbers");
      } else if (preprocessing == null && c.summary() != null && c.summary().missing() > 0) {
        problems.add(
            "dataset: column '"
                + name
                + "' has "
                + c.summary().missing()
                + " missing values and the model has no preprocessing to fill them");
      }
    }
    if (!missing.isEmpty()) {
      problems.add(
          0,
          "dataset: "
              + dataset.id()
              + " lacks the column"
              + (missing.size() == 1 ? " " : "s ")
              + String.join(", ", missing.stream().map(n -> "'" + n + "'").toList())
              + " that the model takes");
    }
    return problems;
  }

  private boolean numericStep(String name) {
    return preprocessing.steps().stream()
        .anyMatch(s -> s instanceof Preprocessor.Numeric n && n.column().equals(name));
  }

  /** A chunk's rows as the model's input, row-major: through the preprocessing when it has one. */
  double[] input(TableData chunk) {
    if (preprocessing == null) {
      return chunk.features(inputs);
    }
    List<Object> values = new ArrayList<>();
    for (Preprocessor.Step step : preprocessing.steps()) {
      if (step instanceof Preprocessor.Dropped) {
        values.add(null);
      } else if (chunk.isNumber(step.column())) {
        values.add(chunk.column(step.column()));
      } else {
        values.add(chunk.stringColumn(step.column()));
      }
    }
    return preprocessing.transformColumns(values, chunk.rows());
  }

  private boolean classifier() {
    return model.labels() != null;
  }

  /** The values a chunk file keeps per row: the class index and the probabilities, or values. */
  int width() {
    return classifier() ? 1 + model.labels().size() : model.outputs();
  }

  /** A chunk's predictions as the values a chunk file keeps, {@link #width()} per row. */
  double[] values(Predictions p) {
    int width = width();
    double[] out = new double[p.rows() * width];
    for (int r = 0; r < p.rows(); r++) {
      int o = r * width;
      if (classifier()) {
        out[o++] = p.classIndex(r);
      }
      for (int k = 0; k < p.width(); k++) {
        out[o + k] = p.value(r, k);
      }
    }
    return out;
  }

  /** The prediction columns of the result, in order. */
  List<Column> columns() {
    List<Column> out = new ArrayList<>();
    if (classifier()) {
      if (output.labels()) {
        out.add(new Column("label", ColumnType.STRING));
      }
      if (output.probabilities()) {
        for (String label : model.labels()) {
          out.add(new Column("probability_" + label, ColumnType.NUMBER));
        }
      }
    } else if (model.outputs() == 1) {
      out.add(new Column("value", ColumnType.NUMBER));
    } else {
      for (int i = 0; i < model.outputs(); i++) {
        out.add(new Column("value_" + i, ColumnType.NUMBER));
      }
    }
    return out;
  }

  /** Writes row {@code r} of a chunk's values into the result's prediction columns. */
  void write(double[] values, int r, int firstColumn, dev.maas.dataset.Datasets.TableSink sink)
      throws java.io.IOException {
    int width = width();
    int o = r * width;
    int c = firstColumn;
    if (classifier()) {
      if (output.labels()) {
        sink.string(c++, model.labels().get((int) values[o]));
      }
      if (output.probabilities()) {
        for (int k = 1; k < width; k++) {
          sink.number(c++, values[o + k]);
        }
      }
    } else {
      for (int k = 0; k < width; k++) {
        sink.number(c++, values[o + k]);
      }
    }
  }
}

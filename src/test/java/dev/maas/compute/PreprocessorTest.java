package dev.maas.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maas.compute.Preprocessor.Categorical;
import dev.maas.compute.Preprocessor.ColumnOptions;
import dev.maas.compute.Preprocessor.Dropped;
import dev.maas.compute.Preprocessor.Impute;
import dev.maas.compute.Preprocessor.Numeric;
import dev.maas.compute.Preprocessor.Options;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PreprocessorTest {
  private static final double NA = Double.NaN;

  private static Preprocessor fit(Options options, String[] names, Object... columns) {
    return Preprocessor.fit(List.of(names), List.of(columns), options);
  }

  private static double[] transform(Preprocessor p, Object... raw) {
    double[] out = new double[p.width()];
    p.transform(raw, out, 0);
    return out;
  }

  @Test
  void missingNumbersTakeTheMedianOfTheTrainingRowsAndAnIndicatorSaysWhichWereMissing() {
    Preprocessor p =
        fit(Options.DEFAULT, new String[] {"x"}, (Object) new double[] {1, NA, 3, 10, NA});
    assertThat(p.steps()).containsExactly(new Numeric("x", Impute.MEDIAN, 3, true));
    assertThat(p.outputNames()).containsExactly("x", "x=(missing)");
    assertThat(transform(p, 7.5)).containsExactly(7.5, 0);
    assertThat(transform(p, (Object) null)).containsExactly(3, 1);
    assertThat(transform(p, Double.NaN)).containsExactly(3, 1);
  }

  @Test
  void withoutGapsInTrainingThereIsNoIndicatorButAMissingValueStillPredicts() {
    Preprocessor p = fit(Options.DEFAULT, new String[] {"x"}, (Object) new double[] {1, 2, 3, 4});
    assertThat(p.steps()).containsExactly(new Numeric("x", Impute.MEDIAN, 2.5, false));
    assertThat(p.identityForCompleteRows()).isTrue();
    assertThat(transform(p, (Object) null)).containsExactly(2.5);
  }

  @Test
  void meanAndConstantImputationOnRequest() {
    Options options =
        new Options(
            Impute.MEAN,
            5,
            50,
            Map.of("b", new ColumnOptions(false, false, Impute.CONSTANT, -1.0, null, null)));
    Preprocessor p =
        fit(
            options,
            new String[] {"a", "b"},
            new double[] {1, NA, 2, 6},
            new double[] {NA, 5, 6, 7});
    assertThat(p.steps())
        .containsExactly(
            new Numeric("a", Impute.MEAN, 3, true), new Numeric("b", Impute.CONSTANT, -1, true));
    assertThatThrownBy(
            () ->
                fit(
                    new Options(Impute.CONSTANT, 5, 50, Map.of()),
                    new String[] {"a"},
                    (Object) new double[] {1, NA}))
        .hasMessageContaining("'a': impute constant needs a value");
  }

  @Test
  void categoriesAreOneHotMostFrequentFirstWithRareLevelsInOtherAndMissingAsItsOwnLevel() {
    String[] island = new String[20];
    for (int i = 0; i < 20; i++) {
      island[i] = i < 9 ? "Biscoe" : i < 16 ? "Dream" : i < 18 ? "Torgersen" : null;
    }
    island[17] = "Elsewhere"; // Torgersen 1, Elsewhere 1: both rarer than 5
    Preprocessor p = fit(Options.DEFAULT, new String[] {"island"}, (Object) island);
    assertThat(p.steps())
        .containsExactly(new Categorical("island", List.of("Biscoe", "Dream"), true, true));
    assertThat(p.outputNames())
        .containsExactly("island=Biscoe", "island=Dream", "island=(other)", "island=(missing)");
    assertThat(transform(p, "Dream")).containsExactly(0, 1, 0, 0);
    assertThat(transform(p, "Torgersen")).containsExactly(0, 0, 1, 0);
    assertThat(transform(p, "never seen")).as("unseen goes to other").containsExactly(0, 0, 1, 0);
    assertThat(transform(p, (Object) null)).containsExactly(0, 0, 0, 1);
  }

  @Test
  void withoutOtherOrMissingLevelsAnUnseenOrMissingValueHasNoOne() {
    String[] sex = {"m", "f", "m", "f", "m", "f", "m", "f", "m", "f"};
    Preprocessor p = fit(Options.DEFAULT, new String[] {"sex"}, (Object) sex);
    assertThat(p.outputNames()).containsExactly("sex=f", "sex=m");
    assertThat(transform(p, "x")).containsExactly(0, 0);
    assertThat(transform(p, (Object) null)).containsExactly(0, 0);
  }

  @Test
  void aHighCardinalityColumnKeepsItsMostFrequentLevels() {
    List<String> zip = new ArrayList<>();
    for (int level = 0; level < 100; level++) {
      for (int k = 0; k < 5 + level % 7; k++) {
        zip.add("z" + level);
      }
    }
    Options three =
        new Options(
            Impute.MEDIAN,
            5,
            50,
            Map.of("zip", new ColumnOptions(false, false, null, null, null, 3)));
    Preprocessor p = fit(three, new String[] {"zip"}, (Object) zip.toArray(String[]::new));
    Categorical c = (Categorical) p.steps().get(0);
    assertThat(c.levels()).containsExactly("z13", "z20", "z27"); // 11 rows each, the first by name
    assertThat(c.other()).isTrue();
    assertThat(p.width()).isEqualTo(4);
  }

  @Test
  void aNumberColumnCanBeTreatedAsCategoriesAndMatchesNumbersAtPrediction() {
    String[] text = {"1", "2", "1", "2", "1", "2", "1", "2", "1", "2"};
    Preprocessor p = fit(Options.DEFAULT, new String[] {"grade"}, (Object) text);
    assertThat(transform(p, 2.0)).containsExactly(0, 1);
    assertThat(transform(p, "1")).containsExactly(1, 0);
  }

  @Test
  void columnsThatCarryNothingAreDroppedWithTheReasonAndTheirInputIgnored() {
    Preprocessor p =
        fit(
            new Options(
                Impute.MEDIAN,
                5,
                50,
                Map.of("id", new ColumnOptions(true, false, null, null, null, null))),
            new String[] {"empty", "constant", "one", "id", "x"},
            new double[] {NA, NA, NA},
            new double[] {4, 4, 4},
            new String[] {"a", "a", "a"},
            new double[] {1, 2, 3},
            new double[] {1, 2, 3});
    assertThat(p.steps().subList(0, 4))
        .containsExactly(
            new Dropped("empty", "no value in the training rows"),
            new Dropped("constant", "one value only in the training rows"),
            new Dropped("one", "one value only in the training rows"),
            new Dropped("id", "dropped by the request"));
    assertThat(p.outputNames()).containsExactly("x");
    assertThat(transform(p, "anything", 9.0, null, 1.0, 5.0)).containsExactly(5);
    assertThatThrownBy(
            () -> fit(Options.DEFAULT, new String[] {"empty"}, (Object) new double[] {NA, NA}))
        .hasMessageContaining("no input column is left")
        .hasMessageContaining("empty: no value in the training rows");
  }

  @Test
  void aRowWithEveryValueMissingIsImputedEntirely() {
    Preprocessor p =
        fit(
            new Options(Impute.MEDIAN, 1, 50, Map.of()),
            new String[] {"x", "c"},
            new double[] {1, 2, NA},
            new String[] {"a", "b", null});
    assertThat(transform(p, null, null)).containsExactly(1.5, 1, 0, 0, 1);
  }

  @Test
  void textForANumberColumnIsRefusedNamingTheColumn() {
    Preprocessor p =
        fit(Options.DEFAULT, new String[] {"a", "b"}, new double[] {1, 2}, new double[] {3, 4});
    assertThatThrownBy(() -> transform(p, 1.0, "three"))
        .isInstanceOf(Preprocessor.ValueException.class)
        .hasMessage("column 'b' takes a number, not the text 'three'")
        .satisfies(e -> assertThat(((Preprocessor.ValueException) e).column()).isEqualTo(1));
  }

  @Test
  void aModelFileKeepsItsPreprocessingAndPredictsTheSameFromRawRows() throws Exception {
    String[] color = new String[60];
    double[] size = new double[60];
    String[] label = new String[60];
    for (int i = 0; i < 60; i++) {
      color[i] = i % 7 == 0 ? null : i % 3 == 0 ? "red" : i % 3 == 1 ? "green" : "blue";
      size[i] = i % 5 == 0 ? NA : i % 10;
      label[i] = "red".equals(color[i]) || size[i] > 6 ? "yes" : "no";
    }
    Preprocessor p =
        fit(Options.DEFAULT, new String[] {"color", "size"}, (Object) color, (Object) size);
    double[] x = p.transformColumns(List.of(color, size), 60);
    Examples data = Examples.classification(new int[] {p.width()}, x, label);
    try (TrainedModel trained =
            new Trainer()
                .train(
                    new LogisticRegressionSpec(LogisticRegressionSpec.Solver.NEWTON),
                    TrainingParams.defaults(),
                    data)
                .model()
                .withPreprocessing(p);
        TrainedModel read = ModelCodec.read(ModelCodec.toBytes(trained))) {
      assertThat(read.preprocessing().steps()).isEqualTo(p.steps());
      assertThat(read.features()).isEqualTo(p.outputNames());
      assertThat(ModelCodec.readManifest(ModelCodec.toBytes(trained)).preprocessing().steps())
          .isEqualTo(p.steps());
      double[] row = transform(read.preprocessing(), "purple", null);
      assertThat(read.predict(row, 1).values(0)).isEqualTo(trained.predict(row, 1).values(0));
      assertThat(ModelCodec.toBytes(read)).isEqualTo(ModelCodec.toBytes(trained));
    }
  }
}

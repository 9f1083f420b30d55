package dev.maas.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maas.dataset.Dataset.Column;
import dev.maas.dataset.Dataset.NumberSummary;
import dev.maas.dataset.Dataset.TextSummary;
import dev.maas.dataset.Dataset.ValueCount;
import dev.maas.errors.InvalidException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Missing values in uploads: how they are read, typed, stored, summarized and read back. */
class DatasetMissingValuesTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  @TempDir Path root;
  private FileDatasetStore store;
  private Datasets datasets;

  @BeforeEach
  void store() {
    store = new FileDatasetStore(root, Clock.systemUTC());
    datasets = new Datasets(store, id -> false, DataSize.ofMegabytes(1), 10_000, 100);
  }

  private Dataset csv(String text) throws IOException {
    return csv(text, null, null);
  }

  private Dataset csv(String text, String types, String na) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return datasets.uploadTable(
        "t", Datasets.Format.CSV, new ByteArrayInputStream(bytes), bytes.length, null, types, na);
  }

  private Dataset json(String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return datasets.uploadTable(
        "j", Datasets.Format.JSON, new ByteArrayInputStream(bytes), bytes.length, null);
  }

  private Dataset resource(String name) throws IOException {
    byte[] bytes = Files.readAllBytes(Path.of("src/test/resources/datasets", name));
    return datasets.uploadTable(
        name, Datasets.Format.CSV, new ByteArrayInputStream(bytes), bytes.length, null);
  }

  private static List<String> types(Dataset d) {
    return d.columns().stream().map(c -> c.type().name().toLowerCase()).toList();
  }

  @Test
  void eachDefaultTokenAnyCaseQuotedOrNotAndAnEmptyCellIsMissing() throws Exception {
    Dataset d =
        csv(
            "a,b\n"
                + "1,x\n"
                + "NA,y\n"
                + "n/a,\"NA\"\n"
                + "\"nan\",NULL\n"
                + ",null\n"
                + "N/A,\"\"\n"
                + "Null,Nan\n"
                + "5,n/A\n");
    assertThat(types(d)).containsExactly("number", "string");
    TableData data = datasets.read(d.id());
    assertThat(data.column("a"))
        .containsExactly(
            1.0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 5.0);
    assertThat(data.stringColumn("a"))
        .containsExactly("1", null, null, null, null, null, null, "5");
    assertThat(data.stringColumn("b"))
        .containsExactly("x", "y", null, null, null, null, null, null);
    assertThat(data.missing("a")).isEqualTo(6);
    assertThat(data.missing("b")).isEqualTo(6);
    assertThat(d.columns().get(0).summary()).isEqualTo(new NumberSummary(6, 1.0, 5.0, 3.0));
    assertThat(d.columns().get(1).summary())
        .isEqualTo(new TextSummary(6, 2, List.of(new ValueCount("x", 1), new ValueCount("y", 1))));
  }

  @Test
  void theNaParameterReplacesTheTokensAndAnEmptyCellStaysMissing() throws Exception {
    Dataset d = csv("a,b,c\n1,NA,x\n-999,?,MISSING\n3,,y\n", null, "-999, ?,missing");
    assertThat(types(d)).containsExactly("number", "string", "string");
    TableData data = datasets.read(d.id());
    assertThat(data.column("a")).containsExactly(1.0, Double.NaN, 3.0);
    assertThat(data.stringColumn("b")).containsExactly("NA", null, null);
    assertThat(data.stringColumn("c")).containsExactly("x", null, "y");

    Dataset onlyEmpty = csv("a,b\nNA,1\n2,\n", null, "");
    assertThat(types(onlyEmpty)).containsExactly("string", "number");
    TableData only = datasets.read(onlyEmpty.id());
    assertThat(only.stringColumn("a")).containsExactly("NA", "2");
    assertThat(only.column("b")).containsExactly(1.0, Double.NaN);
  }

  @Test
  void aColumnWhoseFirstValueIsMissingTakesItsTypeFromTheOtherRows() throws Exception {
    Dataset d = csv("a,b,c\n,NA,\n2,y,\"\"\n3.5,z,\n");
    assertThat(types(d)).containsExactly("number", "string", "number");
    TableData data = datasets.read(d.id());
    assertThat(data.column("a")).containsExactly(Double.NaN, 2.0, 3.5);
    assertThat(data.stringColumn("b")).containsExactly(null, "y", "z");
  }

  @Test
  void anAllMissingColumnIsANumberColumnWithoutMinMaxOrMean() throws Exception {
    Dataset d = csv("a,b\nNA,1\n,2\n");
    assertThat(types(d)).containsExactly("number", "number");
    assertThat(d.columns().get(0).summary()).isEqualTo(new NumberSummary(2, null, null, null));
    assertThat(JSON.writeValueAsString(d.columns().get(0)))
        .isEqualTo(
            "{\"name\":\"a\",\"type\":\"number\",\"summary\":"
                + "{\"missing\":2,\"min\":null,\"max\":null,\"mean\":null}}");
    assertThat(datasets.read(d.id()).column("a")).containsExactly(Double.NaN, Double.NaN);
  }

  @Test
  void declaredTypesStillRefuseTextAndKeepGaps() throws Exception {
    assertThatThrownBy(() -> csv("a,b\n1,2\nNA,3\nx,4\n", "a:number", null))
        .isInstanceOf(InvalidException.class)
        .hasMessageContaining("line 4 column 'a': 'x' is not a finite number");
    Dataset d = csv("a,b\n1,2\nNA,3\n", "a:string,b:number", null);
    assertThat(types(d)).containsExactly("string", "number");
    assertThat(datasets.read(d.id()).stringColumn("a")).containsExactly("1", null);
    assertThatThrownBy(
            () ->
                json(
                    "{\"columns\": [{\"name\": \"a\", \"type\": \"number\"}],"
                        + " \"rows\": [[null], [\"two\"]]}"))
        .isInstanceOf(InvalidException.class)
        .hasMessageContaining("row 1 column 'a': 'two' is not a finite number");
  }

  @Test
  void jsonNullIsMissingInRowsAndRecords() throws Exception {
    Dataset rows = json("{\"columns\": [\"a\", \"b\"], \"rows\": [[null, \"x\"], [2, null]]}");
    assertThat(types(rows)).containsExactly("number", "string");
    TableData data = datasets.read(rows.id());
    assertThat(data.column("a")).containsExactly(Double.NaN, 2.0);
    assertThat(data.stringColumn("b")).containsExactly("x", null);

    Dataset records = json("[{\"a\": null, \"b\": \"x\"}, {\"b\": null, \"a\": 1.5}]");
    assertThat(types(records)).containsExactly("number", "string");
    TableData r = datasets.read(records.id());
    assertThat(r.column("a")).containsExactly(Double.NaN, 1.5);
    assertThat(r.stringColumn("b")).containsExactly("x", null);
  }

  @Test
  void summaryFiguresOfASmallTable() throws Exception {
    Dataset d = csv("x,s\n1.5,b\n2.5,a\nNA,b\n-4,c\n3.5,a\n0.5,d\n4,e\n8,f\n,NA\n");
    assertThat(d.columns().get(0).summary()).isEqualTo(new NumberSummary(2, -4.0, 8.0, 16.0 / 7));
    // b and a twice (b first), then the first three of the four seen once
    assertThat(d.columns().get(1).summary())
        .isEqualTo(
            new TextSummary(
                1,
                6,
                List.of(
                    new ValueCount("b", 2),
                    new ValueCount("a", 2),
                    new ValueCount("c", 1),
                    new ValueCount("d", 1),
                    new ValueCount("e", 1))));
    assertThat(JSON.writeValueAsString(d.columns().get(1)))
        .isEqualTo(
            "{\"name\":\"s\",\"type\":\"string\",\"summary\":{\"missing\":1,\"distinct\":6,"
                + "\"top\":[{\"value\":\"b\",\"count\":2},{\"value\":\"a\",\"count\":2},"
                + "{\"value\":\"c\",\"count\":1},{\"value\":\"d\",\"count\":1},"
                + "{\"value\":\"e\",\"count\":1}]}}");
  }

  @Test
  void featuresRefuseAColumnWithGapsButTakeTheOthers() throws Exception {
    Dataset d = csv("a,b\n1,2\nNA,3\n");
    TableData data = datasets.read(d.id());
    assertThat(data.features(List.of("b"))).containsExactly(2.0, 3.0);
    assertThatThrownBy(() -> data.features(List.of("b", "a")))
        .isInstanceOf(InvalidException.class)
        .hasMessageContaining("column 'a'")
        .hasMessageContaining("1 missing value");
    assertThat(data.isNumber("a")).isTrue();
  }

  @Test
  void summariesSurviveARestartAndMetadataWithoutThemStillLoads() throws Exception {
    Dataset d = csv("a,b\n1,x\nNA,y\n");
    Dataset again = new FileDatasetStore(root, Clock.systemUTC()).find(d.id()).orElseThrow();
    assertThat(again).isEqualTo(d);
    assertThat(again.columns().get(1).summary()).isInstanceOf(TextSummary.class);

    Path metadata =
        root.resolve("datasets").resolve(d.id()).resolve(FileDatasetStore.METADATA_FILE);
    ObjectNode old = (ObjectNode) JSON.readTree(Files.readAllBytes(metadata));
    old.withArray("columns").forEach(c -> ((ObjectNode) c).remove("summary"));
    Files.write(metadata, JSON.writeValueAsBytes(old));
    FileDatasetStore reopened = new FileDatasetStore(root, Clock.systemUTC());
    Dataset plain = reopened.find(d.id()).orElseThrow();
    assertThat(plain.columns())
        .containsExactly(
            new Column("a", Dataset.ColumnType.NUMBER), new Column("b", Dataset.ColumnType.STRING));
    assertThat(reopened.read(d.id()).stringColumn("b")).containsExactly("x", "y");
  }

  @Test
  void aSliceReadsOnlyTheRowsAsked() throws Exception {
    Dataset d = csv("a,b\n1,x\nNA,y\n3,\n4,x\n");
    TableData slice = store.readRows(d.id(), 1, 2);
    assertThat(slice.offset()).isEqualTo(1);
    assertThat(slice.rows()).isEqualTo(2);
    assertThat(slice.column("a")).containsExactly(Double.NaN, 3.0);
    assertThat(slice.stringColumn("b")).containsExactly("y", null);
    assertThat(store.readRows(d.id(), 3, 50).stringColumn("b")).containsExactly("x");
    assertThat(store.readRows(d.id(), 9, 50).rows()).isZero();
  }

  @Test
  void npyStillRefusesNaN() {
    byte[] features = Npy.float64(new double[] {1, Double.NaN}, 2, 1);
    assertThatThrownBy(
            () ->
                datasets.uploadNpy(
                    "n",
                    new Datasets.Part(
                        "features", features.length, () -> new ByteArrayInputStream(features)),
                    null,
                    "x0"))
        .isInstanceOf(InvalidException.class)
        .hasMessageContaining("not a finite number");
  }

  @Test
  void penguinsKeepsItsNumberColumnsAndCountsItsGaps() throws Exception {
    Dataset d = resource("penguins.csv");
    assertThat(d.rows()).isEqualTo(344);
    assertThat(types(d))
        .containsExactly(
            "string", "string", "number", "number", "number", "number", "string", "number");
    assertThat(d.column("bill_length_mm").summary())
        .isEqualTo(new NumberSummary(2, 32.1, 59.6, 43.921929824561424));
    assertThat(d.column("flipper_length_mm").summary())
        .isEqualTo(new NumberSummary(2, 172.0, 231.0, 200.91520467836258));
    assertThat(d.column("sex").summary())
        .isEqualTo(
            new TextSummary(
                11, 2, List.of(new ValueCount("male", 168), new ValueCount("female", 165))));
    assertThat(d.column("year").summary().missing()).isZero();
    TableData data = datasets.read(d.id());
    assertThat(data.missing("body_mass_g")).isEqualTo(2);
    assertThat(data.stringColumn("sex")[3]).isNull();
  }

  @Test
  void attritionHasFifteenTextColumnsAndNoGaps() throws Exception {
    Dataset d = resource("attrition.csv");
    assertThat(d.rows()).isEqualTo(1470);
    assertThat(d.columns()).hasSize(31);
    assertThat(d.columns().stream().filter(c -> c.type() == Dataset.ColumnType.STRING)).hasSize(15);
    assertThat(d.columns().stream().mapToLong(c -> c.summary().missing()).sum()).isZero();
    assertThat(d.column("Attrition").summary())
        .isEqualTo(
            new TextSummary(0, 2, List.of(new ValueCount("No", 1233), new ValueCount("Yes", 237))));
    assertThat(d.column("JobRole").summary())
        .isEqualTo(
            new TextSummary(
                0,
                9,
                List.of(
                    new ValueCount("Sales_Executive", 326),
                    new ValueCount("Research_Scientist", 292),
                    new ValueCount("Laboratory_Technician", 259),
                    new ValueCount("Manufacturing_Director", 145),
                    new ValueCount("Healthcare_Representative", 131))));
    assertThat(d.column("MonthlyIncome").summary())
        .isEqualTo(new NumberSummary(0, 1009.0, 19999.0, 6502.931292517007));
  }
}

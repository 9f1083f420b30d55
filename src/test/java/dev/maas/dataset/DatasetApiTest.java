package dev.maas.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class DatasetApiTest {
  private static final Path STORAGE =
      Path.of("target", "test-data", "dataset-api-" + UUID.randomUUID());
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int MAX_UPLOAD = 1024 * 1024;
  private static final int MAX_ROWS = 5000;
  private static final int MAX_COLUMNS = 100;

  @LocalServerPort int port;
  @Autowired Datasets datasets;

  private final HttpClient http = HttpClient.newHttpClient();

  @DynamicPropertySource
  static void storage(DynamicPropertyRegistry properties) {
    properties.add("maas.storage.path", STORAGE::toString);
    properties.add("maas.datasets.max-upload-size", () -> MAX_UPLOAD + "B");
    properties.add("maas.datasets.max-rows", () -> MAX_ROWS);
    properties.add("maas.datasets.max-columns", () -> MAX_COLUMNS);
  }

  // ---- CSV --------------------------------------------------------------------------------------

  @Test
  void irisUploadsWithFourNumberColumnsAndAStringTarget() throws Exception {
    HttpResponse<String> r = post("/api/v1/datasets?name=iris", "text/csv", resource("iris.csv"));

    assertThat(r.statusCode()).isEqualTo(201);
    JsonNode d = json(r);
    String id = d.get("id").asString();
    assertThat(id).matches("ds-[0-9a-f]{32}");
    assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/datasets/" + id);
    assertThat(d.get("name").asString()).isEqualTo("iris");
    assertThat(d.get("rows").asLong()).isEqualTo(150);
    assertThat(d.get("sha256").asString()).matches("[0-9a-f]{64}");
    assertThat(d.get("sizeBytes").asLong()).isPositive();
    assertThat(d.get("shape").toString()).isEqualTo("[150,5]");
    assertThat(d.get("createdAt").asString()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(d.get("columns").findValuesAsString("name"))
        .containsExactly("sepal_length", "sepal_width", "petal_length", "petal_width", "species");
    assertThat(d.get("columns").findValuesAsString("type"))
        .containsExactly("number", "number", "number", "number", "string");
    assertThat(d.get("columns").get(0).get("summary").toString())
        .isEqualTo("{\"missing\":0,\"min\":4.3,\"max\":7.9,\"mean\":5.843333333333335}");
    assertThat(d.get("columns").get(4).get("summary").toString())
        .isEqualTo(
            "{\"missing\":0,\"distinct\":3,\"top\":[{\"value\":\"setosa\",\"count\":50},"
                + "{\"value\":\"versicolor\",\"count\":50},"
                + "{\"value\":\"virginica\",\"count\":50}]}");
    assertThat(json(get("/api/v1/datasets/" + id))).isEqualTo(d);

    TableData data = datasets.read(id);
    assertThat(data.column("sepal_length")[0]).isEqualTo(5.1);
    assertThat(data.stringColumn("species")[0]).isEqualTo("setosa");
    assertThat(data.stringColumn("species")[149]).isEqualTo("virginica");
    assertThat(data.features(List.of("sepal_length", "petal_width"))).startsWith(5.1, 0.2, 4.9);
  }

  @Test
  void theSameBytesGiveTheSameFingerprintAndOtherBytesAnother() throws Exception {
    byte[] digits = resource("digits.csv");
    JsonNode a = json(post("/api/v1/datasets?name=digits", "text/csv", digits));
    JsonNode b = json(post("/api/v1/datasets?name=digits-again", "text/csv", digits));
    JsonNode iris = json(post("/api/v1/datasets?name=iris2", "text/csv", resource("iris.csv")));

    assertThat(a.get("rows").asLong()).isEqualTo(1797);
    assertThat(a.get("columns").size()).isEqualTo(65);
    assertThat(a.get("columns").get(64).get("name").asString()).isEqualTo("digit");
    assertThat(a.get("columns").findValuesAsString("type")).containsOnly("number");
    assertThat(a.get("id")).isNotEqualTo(b.get("id"));
    assertThat(a.get("sha256")).isEqualTo(b.get("sha256"));
    assertThat(a.get("sha256")).isNotEqualTo(iris.get("sha256"));
    assertThat(datasets.read(a.get("id").asString()).column("p3")[0]).isEqualTo(13.0);
  }

  @Test
  void quotedFieldsHoldCommasQuotesAndLineBreaks() throws Exception {
    String csv = "\uFEFFa,b\r\n1,\"x, \"\"quoted\"\"\"\r\n2,\"two\nlines\"\r\n\r\n";
    JsonNode d = json(post("/api/v1/datasets?name=q", "text/csv", csv.getBytes()));
    assertThat(d.get("rows").asLong()).isEqualTo(2);
    TableData data = datasets.read(d.get("id").asString());
    assertThat(data.stringColumn("b")).containsExactly("x, \"quoted\"", "two\nlines");
    assertThat(data.column("a")).containsExactly(1.0, 2.0);
  }

  @Test
  void aColumnIsANumberWhenAllItsValuesAreUnlessTypesSaysOtherwise() throws Exception {
    // NaN is a missing value, 0x10 is text, 1e2 a number and x text in a later row
    String csv = "a,b,c,d,e\n1,NaN,1,0x10,1\n2,3,4,5,1e2\n3,4,5,6,x\n";
    JsonNode d = json(post("/api/v1/datasets?name=nan", "text/csv", csv.getBytes()));
    assertThat(d.get("columns").findValuesAsString("type"))
        .containsExactly("number", "number", "number", "string", "string");
    JsonNode typed =
        json(post("/api/v1/datasets?name=typed&types=c:string", "text/csv", csv.getBytes()));
    assertThat(typed.get("columns").findValuesAsString("type"))
        .containsExactly("number", "number", "string", "string", "string");
    assertProblem(
        post("/api/v1/datasets?name=e&types=c:date", "text/csv", csv.getBytes()),
        400,
        "must be column:number or column:string");
    assertProblem(
        post("/api/v1/datasets?name=e&types=zz:string", "text/csv", csv.getBytes()),
        400,
        "no column 'zz'");
  }

  @Test
  void textInADeclaredNumberColumnIsA400NamingTheLineAndColumnAndAnEmptyCellIsMissing()
      throws Exception {
    assertProblem(
        post("/api/v1/datasets?name=e&types=b:number", "text/csv", "a,b\n1,2\n3,oops\n".getBytes()),
        400,
        "line 3 column 'b': 'oops' is not a finite number");
    JsonNode inferred =
        json(post("/api/v1/datasets?name=t", "text/csv", "a,b\n1,2\n3,oops\n".getBytes()));
    assertThat(inferred.get("columns").findValuesAsString("type"))
        .containsExactly("number", "string");
    JsonNode gap = json(post("/api/v1/datasets?name=g", "text/csv", "a,b\n1,2\n3,\n".getBytes()));
    assertThat(gap.get("columns").findValuesAsString("type")).containsExactly("number", "number");
    assertThat(datasets.read(gap.get("id").asString()).column("b"))
        .containsExactly(2.0, Double.NaN);
  }

  @Test
  void csvMistakesAre400sThatNameTheLine() throws Exception {
    assertProblem(post("/api/v1/datasets?name=e", "text/csv", new byte[0]), 400, "empty");
    assertProblem(post("/api/v1/datasets?name=e", "text/csv", "a,b\n".getBytes()), 400, "no rows");
    assertProblem(
        post("/api/v1/datasets?name=e", "text/csv", "a,b\n1,2\n3\n".getBytes()),
        400,
        "line 3 has 1 fields where the header has 2");
    assertProblem(
        post("/api/v1/datasets?name=e", "text/csv", "a,b\n1,2\n\"3,4\n".getBytes()),
        400,
        "line 3: a quoted field is never closed");
    assertProblem(
        post("/api/v1/datasets?name=e", "text/csv", "a,a\n1,2\n".getBytes()), 400, "twice");
    assertProblem(
        post("/api/v1/datasets?name=e&target=nope", "text/csv", "a,b\n1,2\n".getBytes()),
        400,
        "target column 'nope'");
    assertProblem(post("/api/v1/datasets", "text/csv", "a\n1\n".getBytes()), 400, "name");
    assertThat(datasets.list().stream().map(Dataset::name)).doesNotContain("e");
  }

  // ---- JSON -------------------------------------------------------------------------------------

  @Test
  void jsonColumnsAndRowsUploadWithDeclaredAndInferredTypes() throws Exception {
    String body =
        "{\"columns\": [\"x\", {\"name\": \"y\", \"type\": \"string\"}, \"label\"],"
            + " \"rows\": [[1.5, 2, \"cat\"], [2.5, 3, \"dog\"]]}";
    JsonNode d = json(post("/api/v1/datasets?name=j", "application/json", body.getBytes()));
    assertThat(d.get("rows").asLong()).isEqualTo(2);
    assertThat(d.get("columns").findValuesAsString("type"))
        .containsExactly("number", "string", "string");
    TableData data = datasets.read(d.get("id").asString());
    assertThat(data.column("x")).containsExactly(1.5, 2.5);
    assertThat(data.stringColumn("y")).containsExactly("2", "3");
  }

  @Test
  void aJsonListOfRecordsUploadsInTheFirstRecordsColumnOrder() throws Exception {
    String body = "[{\"b\": 1, \"a\": \"x\"}, {\"a\": \"y\", \"b\": 2e0}]";
    JsonNode d = json(post("/api/v1/datasets?name=r", "application/json", body.getBytes()));
    assertThat(d.get("columns").findValuesAsString("name")).containsExactly("b", "a");
    assertThat(d.get("columns").findValuesAsString("type")).containsExactly("number", "string");
    TableData data = datasets.read(d.get("id").asString());
    assertThat(data.column("b")).containsExactly(1.0, 2.0);
    assertThat(data.stringColumn("a")).containsExactly("x", "y");
  }

  @Test
  void jsonMistakesAre400sThatNameTheRowAndColumn() throws Exception {
    String path = "/api/v1/datasets?name=bad";
    assertProblem(
        post(path, "application/json", "{\"columns\": [\"a\", \"b\"], \"rows\": [[1, 2], [3]]}"),
        400,
        "row 1 has 1 values where there are 2 columns");
    assertProblem(
        post(path, "application/json", "{\"columns\": [\"a\"], \"rows\": [[1], [{\"n\": 1}]]}"),
        400,
        "row 1 column 'a' holds a nested object");
    assertProblem(
        post(
            path,
            "application/json",
            "{\"columns\": [{\"name\": \"a\", \"type\": \"number\"}], \"rows\": [[1], [\"two\"]]}"),
        400,
        "row 1 column 'a': 'two' is not a finite number");
    assertProblem(
        post(path, "application/json", "[{\"a\": 1, \"b\": 2}, {\"a\": 3}]"),
        400,
        "row 1 has no column 'b'");
    assertProblem(post(path, "application/json", "[{\"a\": 1}, "), 400, "not valid JSON");
    assertProblem(post(path, "application/json", "[]"), 400, "empty");
    assertProblem(post(path, "application/json", "{\"rows\": [[1]]}"), 400, "\"columns\"");
  }

  // ---- NPY --------------------------------------------------------------------------------------

  @Test
  void npyFeaturesOfAnyRankUploadWithTheirLabels() throws Exception {
    double[] features = new double[3 * 2 * 2];
    for (int i = 0; i < features.length; i++) {
      features[i] = i * 0.5;
    }
    HttpResponse<String> r =
        multipart(
            "/api/v1/datasets?name=images",
            List.of(
                new Part("features", Npy.float64(features, 3, 2, 2)),
                new Part("labels", Npy.int32(new int[] {0, 1, 1}, 3))));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode d = json(r);
    assertThat(d.get("rows").asLong()).isEqualTo(3);
    assertThat(d.get("shape").toString()).isEqualTo("[3,2,2]");
    assertThat(d.get("columns").findValuesAsString("name"))
        .containsExactly("x0", "x1", "x2", "x3", "label");
    TableData data = datasets.read(d.get("id").asString());
    assertThat(data.features(List.of("x0", "x1", "x2", "x3"))).containsExactly(features);
    assertThat(data.column("label")).containsExactly(0.0, 1.0, 1.0);
  }

  @Test
  void npyMistakesAre400s() throws Exception {
    String path = "/api/v1/datasets?name=npy";
    byte[] features = Npy.float64(new double[] {1, 2, 3, 4}, 2, 2);
    assertProblem(multipart(path, List.of(new Part("features", features))), 400, "'labels' part");
    assertProblem(
        multipart(
            path,
            List.of(
                new Part("features", features), new Part("labels", Npy.int32(new int[] {1}, 1)))),
        400,
        "labels.npy has shape [1]");
    assertProblem(
        multipart(
            path,
            List.of(
                new Part("features", "not numpy".getBytes()),
                new Part("labels", Npy.int32(new int[] {1, 2}, 2)))),
        400,
        "not a .npy file");
    byte[] truncated = java.util.Arrays.copyOf(features, features.length - 8);
    assertProblem(
        multipart(
            path,
            List.of(
                new Part("features", truncated),
                new Part("labels", Npy.int32(new int[] {1, 2}, 2)))),
        400,
        "ends after 3 of its 4 values");
    HttpResponse<String> byTarget =
        multipart(path + "&target=x1", List.of(new Part("features", features)));
    assertThat(byTarget.statusCode()).as(byTarget.body()).isEqualTo(201);
  }

  // ---- limits -----------------------------------------------------------------------------------

  @Test
  void anUploadOverTheSizeLimitIs413AndTooManyRowsOrColumnsAre400() throws Exception {
    byte[] big = new byte[MAX_UPLOAD + 1];
    java.util.Arrays.fill(big, (byte) '1');
    assertProblem(post("/api/v1/datasets?name=big", "text/csv", big), 413, "over the limit");

    HttpResponse<String> chunked =
        http.send(
            request("/api/v1/datasets?name=big")
                .header("Content-Type", "text/csv")
                .POST(BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big)))
                .build(),
            BodyHandlers.ofString());
    assertProblem(chunked, 413, "over the limit");
    assertProblem(
        multipart(
            "/api/v1/datasets?name=big",
            List.of(new Part("features", big), new Part("labels", Npy.int32(new int[] {1}, 1)))),
        413,
        "the features part is " + big.length + " bytes");

    StringBuilder rows = new StringBuilder("a\n");
    for (int i = 0; i <= MAX_ROWS; i++) {
      rows.append(i).append('\n');
    }
    assertProblem(
        post("/api/v1/datasets?name=long", "text/csv", rows.toString().getBytes()),
        400,
        "limit of " + MAX_ROWS + " rows");

    StringBuilder wide = new StringBuilder();
    for (int c = 0; c <= MAX_COLUMNS; c++) {
      wide.append(c == 0 ? "" : ",").append("c").append(c);
    }
    wide.append('\n');
    assertProblem(
        post("/api/v1/datasets?name=wide", "text/csv", wide.toString().getBytes()),
        400,
        "limit of " + MAX_COLUMNS);
  }

  // ---- missing values, summaries, rows ----------------------------------------------------------

  @Test
  void jsonNullIsAMissingValue() throws Exception {
    JsonNode d =
        json(post("/api/v1/datasets?name=jn", "application/json", "[{\"a\": 1}, {\"a\": null}]"));
    assertThat(d.get("columns").get(0).get("type").asString()).isEqualTo("number");
    assertThat(d.get("columns").get(0).get("summary").toString())
        .isEqualTo("{\"missing\":1,\"min\":1.0,\"max\":1.0,\"mean\":1.0}");
    assertThat(datasets.read(d.get("id").asString()).column("a")).containsExactly(1.0, Double.NaN);
  }

  @Test
  void penguinsUploadsWithItsGapsAndASummaryPerColumn() throws Exception {
    HttpResponse<String> r =
        post("/api/v1/datasets?name=penguins", "text/csv", resource("penguins.csv"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode d = json(r);
    assertThat(d.get("rows").asLong()).isEqualTo(344);
    assertThat(d.get("columns").findValuesAsString("type"))
        .containsExactly(
            "string", "string", "number", "number", "number", "number", "string", "number");
    JsonNode columns = d.get("columns");
    assertThat(columns.get(2).get("name").asString()).isEqualTo("bill_length_mm");
    JsonNode bill = columns.get(2).get("summary");
    assertThat(bill.get("missing").asLong()).isEqualTo(2);
    assertThat(bill.get("min").asDouble()).isEqualTo(32.1);
    assertThat(bill.get("max").asDouble()).isEqualTo(59.6);
    assertThat(bill.get("mean").asDouble()).isEqualTo(43.921929824561424);
    for (int c = 3; c <= 5; c++) {
      assertThat(columns.get(c).get("summary").get("missing").asLong()).isEqualTo(2);
    }
    assertThat(columns.get(6).get("summary").toString())
        .isEqualTo(
            "{\"missing\":11,\"distinct\":2,\"top\":[{\"value\":\"male\",\"count\":168},"
                + "{\"value\":\"female\",\"count\":165}]}");
    assertThat(columns.get(0).get("summary").toString())
        .isEqualTo(
            "{\"missing\":0,\"distinct\":3,\"top\":[{\"value\":\"Adelie\",\"count\":152},"
                + "{\"value\":\"Gentoo\",\"count\":124},"
                + "{\"value\":\"Chinstrap\",\"count\":68}]}");
    assertThat(json(get("/api/v1/datasets/" + d.get("id").asString()))).isEqualTo(d);

    JsonNode rows =
        json(get("/api/v1/datasets/" + d.get("id").asString() + "/rows?offset=2&limit=2"));
    assertThat(rows.get("rows").toString())
        .isEqualTo(
            "[[\"Adelie\",\"Torgersen\",40.3,18.0,195.0,3250.0,\"female\",2007.0],"
                + "[\"Adelie\",\"Torgersen\",null,null,null,null,null,2007.0]]");
  }

  @Test
  void rowsPreviewPagesWithNullsForMissingValues() throws Exception {
    String csv = "a,b,c\n1.5,x,\n2,NA,y\n3,z,w\n";
    String id = json(post("/api/v1/datasets?name=rows", "text/csv", csv)).get("id").asString();

    HttpResponse<String> first = get("/api/v1/datasets/" + id + "/rows?offset=0&limit=2");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(first.body())
        .isEqualTo(
            "{\"columns\":[\"a\",\"b\",\"c\"],\"rows\":[[1.5,\"x\",null],[2.0,null,\"y\"]],"
                + "\"offset\":0,\"limit\":2,\"total\":3}");
    JsonNode rest = json(get("/api/v1/datasets/" + id + "/rows?offset=2&limit=2"));
    assertThat(rest.get("rows").toString()).isEqualTo("[[3.0,\"z\",\"w\"]]");
    JsonNode all = json(get("/api/v1/datasets/" + id + "/rows"));
    assertThat(all.get("rows").size()).isEqualTo(3);
    assertThat(all.get("limit").asInt()).isEqualTo(50);
    JsonNode past = json(get("/api/v1/datasets/" + id + "/rows?offset=10"));
    assertThat(past.get("rows").size()).isZero();
    assertThat(past.get("total").asLong()).isEqualTo(3);

    assertProblem(get("/api/v1/datasets/" + id + "/rows?limit=0"), 400, "'limit'");
    assertProblem(get("/api/v1/datasets/" + id + "/rows?limit=1001"), 400, "'limit'");
    assertProblem(get("/api/v1/datasets/" + id + "/rows?offset=-1"), 400, "'offset'");
    assertProblem(get("/api/v1/datasets/" + id + "/rows?limit=abc"), 400, null);
    assertProblem(get("/api/v1/datasets/ds-nope/rows"), 404, "ds-nope");
  }

  // ---- list, get, delete ------------------------------------------------------------------------

  @Test
  void listingPagesAndDeletingRemoves() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(
          json(post("/api/v1/datasets?name=l" + i, "text/csv", "a\n1\n".getBytes()))
              .get("id")
              .asString());
    }
    JsonNode page = json(get("/api/v1/datasets?offset=0&limit=2"));
    assertThat(page.get("datasets").size()).isEqualTo(2);
    assertThat(page.get("total").asInt()).isGreaterThanOrEqualTo(3);
    assertThat(page.get("limit").asInt()).isEqualTo(2);
    assertProblem(get("/api/v1/datasets?limit=0"), 400, "'limit'");

    assertThat(delete("/api/v1/datasets/" + ids.get(0)).statusCode()).isEqualTo(204);
    assertProblem(get("/api/v1/datasets/" + ids.get(0)), 404, ids.get(0));
    assertProblem(delete("/api/v1/datasets/" + ids.get(0)), 404, ids.get(0));
    assertThat(Files.exists(STORAGE.resolve("datasets").resolve(ids.get(0)))).isFalse();
    assertThat(Files.exists(STORAGE.resolve("datasets").resolve(ids.get(1)))).isTrue();
  }

  // ---- download ---------------------------------------------------------------------------------

  @Test
  void aTableWithGapsAndTextDownloadsAsCsvThatUploadsToTheSameData() throws Exception {
    String csv =
        "id,name,score,note\n"
            + "1,\"Smith, J.\",0.1,plain\n"
            + "2,,1e-5,\"say \"\"hi\"\"\"\n"
            + "3,Ann,NA,\"two\nlines\"\n"
            + "-4,Bo,123456789.125,\n"
            + "5.5,Zoë,-0.0,1.0E20\n";
    JsonNode first = json(post("/api/v1/datasets?name=gaps", "text/csv", csv));
    String id = first.get("id").asString();

    HttpResponse<String> r = get("/api/v1/datasets/" + id + "/data");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/csv;charset=UTF-8");
    assertThat(r.body())
        .isEqualTo(
            "id,name,score,note\r\n"
                + "1,\"Smith, J.\",0.1,plain\r\n"
                + "2,,1.0E-5,\"say \"\"hi\"\"\"\r\n"
                + "3,Ann,,\"two\nlines\"\r\n"
                + "-4,Bo,1.23456789125E8,\r\n"
                + "5.5,Zoë,-0.0,1.0E20\r\n");

    JsonNode again = json(post("/api/v1/datasets?name=gaps-again", "text/csv", r.body()));
    assertThat(again.get("sha256")).isEqualTo(first.get("sha256"));
    assertThat(again.get("columns")).isEqualTo(first.get("columns"));
  }

  @Test
  void penguinsAndDigitsRoundTripToTheSameSha256() throws Exception {
    for (String file : List.of("penguins.csv", "digits.csv", "iris.csv")) {
      JsonNode first = json(post("/api/v1/datasets?name=" + file, "text/csv", resource(file)));
      HttpResponse<String> r =
          http.send(
              request("/api/v1/datasets/" + first.get("id").asString() + "/data")
                  .header("Accept", "text/csv")
                  .GET()
                  .build(),
              BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode again = json(post("/api/v1/datasets?name=again", "text/csv", r.body()));
      assertThat(again.get("sha256")).as(file).isEqualTo(first.get("sha256"));
      assertThat(again.get("rows")).isEqualTo(first.get("rows"));
    }
  }

  @Test
  void jsonLinesHaveOneObjectPerRowWithNullForAMissingValue() throws Exception {
    String csv = "a,b\n1,x\n,\"q\"\"\\\"\n2.5,\n";
    String id = json(post("/api/v1/datasets?name=nd", "text/csv", csv)).get("id").asString();
    HttpResponse<String> r =
        http.send(
            request("/api/v1/datasets/" + id + "/data")
                .header("Accept", "text/csv;q=0.5, application/x-ndjson")
                .GET()
                .build(),
            BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValue("application/x-ndjson;charset=UTF-8");
    assertThat(r.body())
        .isEqualTo(
            "{\"a\":1,\"b\":\"x\"}\n{\"a\":null,\"b\":\"q\\\"\\\\\"}\n{\"a\":2.5,\"b\":null}\n");
    for (String line : r.body().split("\n")) {
      assertThat(JSON.readTree(line).isObject()).isTrue();
    }
  }

  @Test
  void aDownloadIsStreamedInSlicesAndRefusesUnknownDatasetsAndFormats() throws Exception {
    StringBuilder csv = new StringBuilder("x,y\n");
    int rows = 3000;
    for (int i = 0; i < rows; i++) {
      csv.append(i).append(',').append(i % 7 == 0 ? "" : "v" + (i % 100)).append('\n');
    }
    String id =
        json(post("/api/v1/datasets?name=long", "text/csv", csv.toString())).get("id").asString();
    String body = get("/api/v1/datasets/" + id + "/data").body();
    ByteArrayOutputStream sliced = new ByteArrayOutputStream();
    new DatasetExport(datasets).write(datasets.get(id), DatasetExport.Format.CSV, sliced, 7);
    assertThat(sliced.toString(StandardCharsets.UTF_8)).isEqualTo(body);
    String[] lines = body.split("\r\n");
    assertThat(lines).hasSize(rows + 1);
    assertThat(lines[rows]).isEqualTo((rows - 1) + ",v" + ((rows - 1) % 100));
    assertThat(lines[8]).isEqualTo("7,");

    assertProblem(get("/api/v1/datasets/ds-missing/data"), 404, "ds-missing");
    HttpResponse<String> xml =
        http.send(
            request("/api/v1/datasets/" + id + "/data")
                .header("Accept", "application/xml")
                .GET()
                .build(),
            BodyHandlers.ofString());
    assertThat(xml.statusCode()).as(xml.body()).isEqualTo(406);
  }

  // ---- helpers ----------------------------------------------------------------------------------

  record Part(String name, byte[] bytes) {}

  private static byte[] resource(String name) throws Exception {
    return Files.readAllBytes(Path.of("src/test/resources/datasets", name));
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(request(path).GET().build(), BodyHandlers.ofString());
  }

  private HttpResponse<String> delete(String path) throws Exception {
    return http.send(request(path).DELETE().build(), BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String type, String body) throws Exception {
    return post(path, type, body.getBytes(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> post(String path, String type, byte[] body) throws Exception {
    return http.send(
        request(path).header("Content-Type", type).POST(BodyPublishers.ofByteArray(body)).build(),
        BodyHandlers.ofString());
  }

  private HttpResponse<String> multipart(String path, List<Part> parts) throws Exception {
    String boundary = "b" + UUID.randomUUID();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Part p : parts) {
      out.writeBytes(
          ("--"
                  + boundary
                  + "\r\nContent-Disposition: form-data; name=\""
                  + p.name()
                  + "\"; filename=\""
                  + p.name()
                  + ".npy\"\r\n"
                  + "Content-Type: application/octet-stream\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(p.bytes());
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return post(path, "multipart/form-data; boundary=" + boundary, out.toByteArray());
  }

  private static JsonNode json(HttpResponse<String> r) {
    return JSON.readTree(r.body());
  }

  private static void assertProblem(HttpResponse<String> r, int status, String detail) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    if (detail != null) {
      assertThat(json(r).get("detail").asString()).contains(detail);
    }
  }
}

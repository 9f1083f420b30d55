package dev.maas.serving;

import static dev.maas.serving.ServingClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.maas.FullServerTest;
import dev.maas.compute.Predictions;
import dev.maas.serving.ServingFixtures.Fixture;
import dev.maas.training.JobsClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PredictionApiTest extends FullServerTest {
  private static final double TOLERANCE = 1e-5;

  @Autowired MeterRegistry meters;

  private ServingClient client;
  private final Map<String, Fixture> models = new HashMap<>();

  @BeforeAll
  void importAModelOfEveryFamily() throws Exception {
    client = new ServingClient(port);
    for (Fixture f : ServingFixtures.everyFamily()) {
      models.put(f.family(), f);
      client.importVersion(name(f), f.file());
    }
  }

  private static String name(Fixture f) {
    return "serve-" + f.family().replace('_', '-');
  }

  // ---- both protocols, every family ------------------------------------------------------------

  @Test
  void everyFamilyAnswersTheNativeProtocolAsTheModelItselfDoes() throws Exception {
    for (Fixture f : models.values()) {
      HttpResponse<String> r =
          client.post(
              "/api/v1/models/" + name(f) + "/predict", "{\"instances\": " + rows(f.rows()) + "}");

      assertThat(r.statusCode()).as(f.family() + ": " + r.body()).isEqualTo(200);
      JsonNode body = json(r);
      assertThat(body.get("model").asString()).isEqualTo(name(f));
      assertThat(body.get("version").asInt()).isEqualTo(1);
      Predictions expected = f.model().predict(flat(f.rows()), f.rows().length);
      JsonNode predictions = body.get("predictions");
      assertThat(predictions.size()).isEqualTo(f.rows().length);
      for (int r0 = 0; r0 < f.rows().length; r0++) {
        JsonNode row = predictions.get(r0);
        if (expected.isClassification()) {
          assertThat(row.get("label").asString()).isEqualTo(expected.label(r0));
          for (int k = 0; k < expected.width(); k++) {
            assertThat(row.get("probabilities").get(expected.labels().get(k)).asDouble())
                .isCloseTo(expected.value(r0, k), within(TOLERANCE));
          }
        } else if (expected.width() == 1) {
          assertThat(row.get("value").asDouble()).isCloseTo(expected.value(r0, 0), within(1e-9));
        } else {
          for (int k = 0; k < expected.width(); k++) {
            assertThat(row.get("values").get(k).asDouble())
                .isCloseTo(expected.value(r0, k), within(TOLERANCE));
          }
        }
      }
    }
  }

  @Test
  void everyFamilyAnswersTheOpenInferenceProtocolAsTheModelItselfDoes() throws Exception {
    for (Fixture f : models.values()) {
      int n = f.rows().length;
      String shape =
          "["
              + n
              + ","
              + Arrays.stream(f.shape())
                  .mapToObj(Integer::toString)
                  .collect(Collectors.joining(","))
              + "]";
      HttpResponse<String> r =
          client.post(
              "/v2/models/" + name(f) + "/infer",
              "{\"id\": \"req-1\", \"inputs\": [{\"name\": \"input\", \"shape\": "
                  + shape
                  + ", \"datatype\": \"FP64\", \"data\": "
                  + rows(f.rows())
                  + "}]}");

      assertThat(r.statusCode()).as(f.family() + ": " + r.body()).isEqualTo(200);
      JsonNode body = json(r);
      assertThat(body.get("model_name").asString()).isEqualTo(name(f));
      assertThat(body.get("model_version").asString()).isEqualTo("1");
      assertThat(body.get("id").asString()).isEqualTo("req-1");
      Predictions expected = f.model().predict(flat(f.rows()), n);
      Map<String, JsonNode> outputs = new HashMap<>();
      body.get("outputs").forEach(o -> outputs.put(o.get("name").asString(), o));
      JsonNode values = outputs.get(expected.isClassification() ? "probabilities" : "output");
      assertThat(values.get("shape").get(0).asInt()).isEqualTo(n);
      assertThat(values.get("shape").get(1).asInt()).isEqualTo(expected.width());
      for (int i = 0; i < n * expected.width(); i++) {
        assertThat(values.get("data").get(i).asDouble())
            .isCloseTo(expected.value(i / expected.width(), i % expected.width()), within(1e-4));
      }
      if (expected.isClassification()) {
        JsonNode labels = outputs.get("label");
        assertThat(labels.get("datatype").asString()).isEqualTo("BYTES");
        for (int r0 = 0; r0 < n; r0++) {
          assertThat(labels.get("data").get(r0).asString()).isEqualTo(expected.label(r0));
        }
      }
    }
  }

  @Test
  void modelMetadataListsOneInputAndItsOutputsWithMinusOneForTheBatch() throws Exception {
    JsonNode cnn = json(client.get("/v2/models/serve-cnn"));
    assertThat(cnn.get("name").asString()).isEqualTo("serve-cnn");
    assertThat(cnn.get("versions").get(0).asString()).isEqualTo("1");
    assertThat(cnn.get("inputs").get(0).get("name").asString()).isEqualTo("input");
    assertThat(cnn.get("inputs").get(0).get("datatype").asString()).isEqualTo("FP32");
    assertThat(cnn.get("inputs").get(0).get("shape").toString()).isEqualTo("[-1,1,4,4]");
    assertThat(cnn.get("outputs").get(0).get("name").asString()).isEqualTo("label");
    assertThat(cnn.get("outputs").get(1).get("shape").toString()).isEqualTo("[-1,3]");
    assertThat(cnn.get("parameters").get("labels").size()).isEqualTo(3);

    JsonNode linear = json(client.get("/v2/models/serve-linear-regression/versions/1"));
    assertThat(linear.get("inputs").get(0).get("datatype").asString()).isEqualTo("FP64");
    assertThat(linear.get("outputs").get(0).get("shape").toString()).isEqualTo("[-1,1]");
  }

  @Test
  void serverHealthAndMetadataAnswerAsTheProtocolSays() throws Exception {
    assertThat(json(client.get("/v2/health/live")).get("live").asBoolean()).isTrue();
    assertThat(json(client.get("/v2/health/ready")).get("ready").asBoolean()).isTrue();
    JsonNode server = json(client.get("/v2"));
    assertThat(server.get("name").asString()).isEqualTo("maas");
    assertThat(server.get("extensions").isArray()).isTrue();
    HttpResponse<String> ready = client.get("/v2/models/serve-mlp/versions/1/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(json(ready).get("ready").asBoolean()).isTrue();
  }

  // ---- instance forms --------------------------------------------------------------------------

  @Test
  void namedInstancesInAnyOrderAnswerAsArraysInColumnOrder() throws Exception {
    Fixture mlp = models.get("mlp");
    double[] row = mlp.rows()[0];
    String named =
        IntStream.range(0, row.length)
            .map(i -> row.length - 1 - i)
            .mapToObj(i -> "\"f" + i + "\": " + row[i])
            .collect(Collectors.joining(", ", "{", "}"));

    JsonNode byName =
        json(client.post("/api/v1/models/serve-mlp/predict", "{\"instances\": [" + named + "]}"));
    JsonNode byPosition =
        json(
            client.post(
                "/api/v1/models/serve-mlp/predict",
                "{\"instances\": [" + Arrays.toString(row) + "]}"));

    assertThat(byName.get("predictions")).isEqualTo(byPosition.get("predictions"));
  }

  @Test
  void aModelTrainedByAJobKnowsItsFeatureNames() throws Exception {
    JobsClient jobs = new JobsClient("http://localhost:" + port);
    StringBuilder csv = new StringBuilder("width,height,kind\n");
    for (int i = 0; i < 40; i++) {
      csv.append(i % 7).append(',').append(i % 2 == 0 ? 10 + i : -i).append(',');
      csv.append(i % 2 == 0 ? "tall" : "flat").append('\n');
    }
    String dataset = jobs.uploadCsv("shapes", csv.toString());
    HttpResponse<String> submitted =
        jobs.submit(
            "{\"model\": \"by-name\", \"family\": \"logistic_regression\", \"dataset\": \""
                + dataset
                + "\", \"target\": \"kind\"}",
            null);
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
    jobs.awaitState(JobsClient.json(submitted).get("id").asString(), "succeeded");

    HttpResponse<String> r =
        client.post(
            "/api/v1/models/by-name/predict",
            "{\"instances\": [{\"height\": 30, \"width\": 2}, {\"height\": -9, \"width\": 2}]}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).get("predictions").get(0).get("label").asString()).isEqualTo("tall");
    assertThat(json(r).get("predictions").get(1).get("label").asString()).isEqualTo("flat");
    assertThat(json(client.get("/v2/models/by-name")).get("parameters").get("features").toString())
        .isEqualTo("[\"width\",\"height\"]");
  }

  @Test
  void anImageMayBeSentNestedInItsShapeOrFlat() throws Exception {
    double[] image = models.get("cnn").rows()[1];
    StringBuilder nested = new StringBuilder("[[");
    for (int y = 0; y < 4; y++) {
      nested.append(y == 0 ? "[" : ",[");
      for (int x = 0; x < 4; x++) {
        nested.append(x == 0 ? "" : ",").append(image[y * 4 + x]);
      }
      nested.append(']');
    }
    nested.append("]]");

    JsonNode a =
        json(client.post("/api/v1/models/serve-cnn/predict", "{\"instances\": [" + nested + "]}"));
    JsonNode b =
        json(
            client.post(
                "/api/v1/models/serve-cnn/predict",
                "{\"instances\": [" + Arrays.toString(image) + "]}"));

    assertThat(a.get("predictions")).isEqualTo(b.get("predictions"));
  }

  @Test
  void integerTensorsOfTheOpenInferenceProtocolAreAccepted() throws Exception {
    HttpResponse<String> r =
        client.post(
            "/v2/models/serve-mlp/infer",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 5], \"datatype\": \"INT64\","
                + " \"data\": [[1, 2, 3, 4, 5]]}], \"outputs\": [{\"name\": \"label\"}]}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).get("outputs").size()).isEqualTo(1);
    assertThat(json(r).get("outputs").get(0).get("name").asString()).isEqualTo("label");
  }

  // ---- merged native calls ---------------------------------------------------------------------

  @Test
  void concurrentRequestsForANativeModelAreMergedIntoFewerNativeCalls() throws Exception {
    Fixture cnn = models.get("cnn");
    assertThat(cnn.model().heapRows()).isZero();
    String body = "{\"instances\": [" + Arrays.toString(cnn.rows()[0]) + "]}";
    int threads = 16;
    int each = 25;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<Integer>> failures = new ArrayList<>();
    double before = count("maas.predictions", "serve-cnn");
    long callsBefore = batchCount("serve-cnn");
    for (int t = 0; t < threads; t++) {
      failures.add(
          pool.submit(
              () -> {
                int failed = 0;
                for (int i = 0; i < each; i++) {
                  if (client.post("/api/v1/models/serve-cnn/predict", body).statusCode() != 200) {
                    failed++;
                  }
                }
                return failed;
              }));
    }
    int failed = 0;
    for (Future<Integer> f : failures) {
      failed += f.get();
    }
    pool.shutdown();

    double requests = count("maas.predictions", "serve-cnn") - before;
    long nativeCalls = batchCount("serve-cnn") - callsBefore;
    assertThat(failed).isZero();
    assertThat(requests).isEqualTo(threads * each);
    assertThat(nativeCalls).as("native calls for %s requests", requests).isLessThan(threads * each);
  }

  private double count(String meter, String model) {
    return meters.find(meter).tag("model", model).counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  private long batchCount(String model) {
    return meters.find("maas.prediction.batch.size").tag("model", model).summaries().stream()
        .mapToLong(s -> s.count())
        .sum();
  }

  // ---- which version answers -------------------------------------------------------------------

  @Test
  void theProductionAliasAnswersByDefaultElseTheLatestAndVersionOrAliasChoose() throws Exception {
    Fixture linear = models.get("linear_regression");
    String name = "serve-choose";
    client.importVersion(name, linear.file());
    client.importVersion(name, linear.file());
    String body = "{\"instances\": [" + Arrays.toString(linear.rows()[0]) + "]}";

    assertThat(version(client.post("/api/v1/models/" + name + "/predict", body))).isEqualTo(2);
    client.setAlias(name, "production", 1);
    assertThat(version(client.post("/api/v1/models/" + name + "/predict", body))).isEqualTo(1);
    assertThat(version(client.post("/api/v1/models/" + name + "/predict?version=2", body)))
        .isEqualTo(2);
    client.setAlias(name, "staging", 2);
    assertThat(version(client.post("/api/v1/models/" + name + "/predict?alias=staging", body)))
        .isEqualTo(2);
    assertThat(json(client.get("/v2/models/" + name)).get("parameters").get("version").asInt())
        .isEqualTo(1);
  }

  private static int version(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r).get("version").asInt();
  }

  // ---- errors ----------------------------------------------------------------------------------

  @Test
  void badInstancesAreClientErrorsThatNameTheInstanceAndTheValue() throws Exception {
    String path = "/api/v1/models/serve-mlp/predict";
    assertProblem(
        client.post(path, "{\"instances\": [[1,2,3,4,5], [1,2,3,4]]}"),
        400,
        "instances[1] has 4 values; the model takes 5");
    assertProblem(
        client.post(path, "{\"instances\": [[1,2,\"x\",4,5]]}"),
        400,
        "instances[0][2] must be a number, was a string");
    assertProblem(client.post(path, "{\"instances\": [[1,2,1e999,4,5]]}"), 400, "not a finite");
    assertProblem(client.post(path, "{\"instances\": [[1,2,NaN,4,5]]}"), 400, "not valid JSON");
    assertProblem(client.post(path, "{\"instances\": []}"), 400, "'instances' is empty");
    assertProblem(client.post(path, "{}"), 400, "'instances' is missing");
    assertProblem(client.post(path, "{\"rows\": []}"), 400, "unknown field 'rows'");
    assertProblem(
        client.post(path, "{\"instances\": [{\"f0\": 1, \"g\": 2}]}"),
        400,
        "instances[0] has an unknown feature 'g'");
    assertProblem(
        client.post(path, "{\"instances\": [{\"f0\": 1}]}"),
        400,
        "instances[0] is missing feature 'f1'");
    String many =
        IntStream.range(0, MAX_INSTANCES + 1)
            .mapToObj(i -> "[1,2,3,4,5]")
            .collect(Collectors.joining(","));
    assertProblem(client.post(path, "{\"instances\": [" + many + "]}"), 400, "more than 50");
    assertProblem(client.post(path, ""), 400, "is missing");
  }

  @Test
  void unknownModelsVersionsAndAliasesAre404AndAskingForBothIs400() throws Exception {
    String body = "{\"instances\": [[1,2,3,4,5]]}";
    assertProblem(client.post("/api/v1/models/nobody/predict", body), 404, "nobody");
    assertProblem(client.post("/api/v1/models/serve-mlp/predict?version=9", body), 404, "9");
    assertProblem(
        client.post("/api/v1/models/serve-mlp/predict?alias=nowhere", body), 404, "nowhere");
    assertProblem(
        client.post("/api/v1/models/serve-mlp/predict?alias=a&version=1", body), 400, "not both");
  }

  @Test
  void openInferenceProtocolErrorsAreAnErrorField() throws Exception {
    assertError(client.get("/v2/models/nobody"), 404, "nobody");
    assertError(client.get("/v2/models/serve-mlp/versions/x"), 400, "whole number");
    assertError(client.get("/v2/models/serve-mlp/versions/7/ready"), 404, "7");
    String infer = "/v2/models/serve-mlp/infer";
    assertError(
        client.post(
            infer,
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 4], \"datatype\": \"FP32\","
                + " \"data\": [1, 2, 3, 4]}]}"),
        400,
        "does not match the model's input [-1, 5]");
    assertError(
        client.post(
            infer,
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [2, 5], \"datatype\": \"FP32\","
                + " \"data\": [1, 2, 3, 4, 5]}]}"),
        400,
        "needs 10");
    assertError(
        client.post(
            infer,
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 5], \"datatype\": \"INT32\","
                + " \"data\": [1, 2.5, 3, 4, 5]}]}"),
        400,
        "data[1] is 2.5, not an integer");
    assertError(
        client.post(
            infer,
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 5], \"datatype\": \"BYTES\","
                + " \"data\": [1, 2, 3, 4, 5]}]}"),
        400,
        "BYTES");
    assertError(
        client.post(
            infer,
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 5], \"datatype\": \"FP32\","
                + " \"data\": [1, 2, 3, 4, 5]}], \"outputs\": [{\"name\": \"logits\"}]}"),
        400,
        "no output 'logits'");
    assertError(client.post(infer, "{\"inputs\": ["), 400, "not valid JSON");
    assertError(client.post("/v2/models/nobody/infer", "{\"inputs\": []}"), 404, "nobody");
  }

  private static void assertProblem(HttpResponse<String> r, int status, String detail) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(json(r).get("detail").asString()).contains(detail);
  }

  private static void assertError(HttpResponse<String> r, int status, String error) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    assertThat(json(r).get("error").asString()).contains(error);
    assertThat(json(r).has("detail")).isFalse();
  }

  // ---- helpers ---------------------------------------------------------------------------------

  static String rows(double[][] rows) {
    return Arrays.stream(rows).map(Arrays::toString).collect(Collectors.joining(",", "[", "]"));
  }

  static double[] flat(double[][] rows) {
    return Arrays.stream(rows).flatMapToDouble(Arrays::stream).toArray();
  }
}

package dev.maas.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.compute.ModelCodec;
import dev.maas.compute.ModelProvenance;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Training jobs through HTTP, with one worker and room for one waiting job, so that a second long
 * job fills the queue.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainingJobApiTest {
  private static final Path STORAGE =
      Path.of("target", "test-data", "training-api-" + UUID.randomUUID());

  @LocalServerPort int port;

  private final HttpClient http = HttpClient.newHttpClient();
  private JobsClient api;
  private String iris;
  private String diabetes;
  private String digits;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry properties) {
    properties.add("maas.storage.path", STORAGE::toString);
    properties.add("maas.training.workers", () -> 1);
    properties.add("maas.training.queue-capacity", () -> 1);
  }

  @BeforeAll
  void uploadDatasets() throws Exception {
    api = new JobsClient("http://localhost:" + port);
    iris = upload("iris", Files.readString(resource("iris.csv")));
    diabetes = upload("diabetes", Files.readString(resource("diabetes.csv")));
    List<String> lines = Files.readAllLines(resource("digits.csv"));
    digits = upload("digits", String.join("\n", lines.subList(0, 401)) + "\n");
  }

  @Test
  void eachFamilyTrainsAndItsVersionIsInTheRegistryWithMetrics() throws Exception {
    JsonNode linear =
        train(
            "{\"model\": \"diabetes-linear\", \"family\": \"linear_regression\", \"dataset\": \""
                + diabetes
                + "\", \"target\": \"progression\"}");
    assertThat(linear.get("metrics").get("r2").asDouble()).isGreaterThan(0.3);

    JsonNode logistic =
        train(
            "{\"model\": \"iris-logistic\", \"family\": \"logistic_regression\", \"spec\": {},"
                + " \"dataset\": \""
                + iris
                + "\", \"target\": \"species\"}");
    assertThat(logistic.get("metrics").get("accuracy").asDouble()).isGreaterThan(0.85);

    JsonNode mlp =
        train(
            "{\"model\": \"iris-mlp\", \"family\": \"mlp\", \"dataset\": \""
                + iris
                + "\", \"target\": \"species\", \"alias\": \"staging\","
                + " \"spec\": {\"hiddenLayers\": [{\"units\": 16}]},"
                + " \"training\": {\"epochs\": 60, \"batchSize\": 16, \"learningRate\": 0.02,"
                + " \"validationFraction\": 0.1, \"seed\": 7}}");
    assertThat(mlp.get("metrics").get("accuracy").asDouble()).isGreaterThan(0.8);
    assertThat(mlp.get("learningCurve").size()).isEqualTo(60);
    assertThat(mlp.get("learningCurve").get(0).get("validationLoss").isNumber()).isTrue();
    assertThat(mlp.get("progress").toString())
        .isEqualTo("{\"epoch\":60,\"epochs\":60,\"etaSeconds\":0.0}");
    assertThat(mlp.get("usage").get("wallSeconds").asDouble()).isPositive();
    assertThat(mlp.get("usage").get("cpuSeconds").asDouble()).isPositive();
    JsonNode model = json(get("/api/v1/models/iris-mlp"));
    assertThat(model.toString()).contains("\"staging\":1");

    String images =
        "\"dataset\": \""
            + digits
            + "\", \"target\": \"digit\", \"task\": \"classification\", \"testFraction\": 0.25";
    JsonNode cnn =
        train(
            "{\"model\": \"digits-cnn\", \"family\": \"cnn\", "
                + images
                + ", \"inputShape\": [1, 8, 8], \"spec\": {\"convLayers\": [{\"filters\": 8,"
                + " \"kernel\": 3, \"pool\": {\"type\": \"max\", \"size\": 2}}],"
                + " \"denseLayers\": [{\"units\": 32}]},"
                + " \"training\": {\"epochs\": 8, \"learningRate\": 0.01}}");
    assertThat(cnn.get("metrics").get("accuracy").asDouble()).isGreaterThan(0.6);

    JsonNode rnn =
        train(
            "{\"model\": \"digits-rnn\", \"family\": \"rnn\", "
                + images
                + ", \"inputShape\": [8, 8], \"spec\": {\"cell\": \"gru\", \"units\": 24},"
                + " \"training\": {\"epochs\": 8, \"learningRate\": 0.01}}");
    assertThat(rnn.get("metrics").get("accuracy").asDouble()).isGreaterThan(0.3);

    JsonNode version = json(get("/api/v1/models/digits-cnn/versions/1"));
    assertThat(version.get("family").asString()).isEqualTo("cnn");
    assertThat(version.get("metrics").get("accuracy").asDouble())
        .isEqualTo(cnn.get("metrics").get("accuracy").asDouble());
    assertThat(version.get("lineage").get("datasetId").asString()).isEqualTo(digits);
    assertThat(version.get("lineage").get("datasetSha256").asString()).matches("[0-9a-f]{64}");
    assertThat(version.get("lineage").get("split").asString()).isEqualTo("testFraction=0.25");
    assertThat(version.get("lineage").get("trainingJobId").asString())
        .isEqualTo(cnn.get("id").asString());
    assertThat(version.get("training").get("epochs").asInt()).isEqualTo(8);
    assertThat(version.get("learningCurve").size()).isEqualTo(8);

    // The model file carries the same lineage, so an exported copy keeps it.
    byte[] artifact =
        http.send(
                HttpRequest.newBuilder(uri("/api/v1/models/digits-cnn/versions/1/artifact"))
                    .build(),
                BodyHandlers.ofByteArray())
            .body();
    ModelProvenance recorded = ModelCodec.readManifest(artifact).provenance();
    assertThat(recorded.trainingJob()).isEqualTo(cnn.get("id").asString());
    assertThat(recorded.datasetId()).isEqualTo(digits);
    assertThat(recorded.datasetSha256())
        .isEqualTo(version.get("lineage").get("datasetSha256").asString());
    assertThat(recorded.split()).isEqualTo("testFraction=0.25");
    assertThat(recorded.seed()).isEqualTo(version.get("lineage").get("seed").asLong());
    assertThat(recorded.training().get("epochs").asInt()).isEqualTo(8);
    assertThat(recorded.software()).containsKeys("maas", "nd4j", "jvm", "os", "arch");

    JsonNode page = json(get("/api/v1/training-jobs?state=succeeded&model=digits-rnn"));
    assertThat(page.get("total").asInt()).isEqualTo(1);
    assertThat(page.get("jobs").get(0).get("id")).isEqualTo(rnn.get("id"));

    HttpResponse<String> events =
        http.send(
            HttpRequest.newBuilder(
                    uri("/api/v1/training-jobs/" + rnn.get("id").asString() + "/events"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            BodyHandlers.ofString());
    assertThat(events.statusCode()).isEqualTo(200);
    assertThat(events.body()).contains("event:job").contains("\"state\":\"succeeded\"");
  }

  @Test
  void anInvalidRequestListsEveryProblemInOne400() throws Exception {
    HttpResponse<String> r =
        post(
            "{\"model\": \"Bad Name\", \"family\": \"cnn\", \"dataset\": \""
                + iris
                + "\", \"target\": \"species\", \"features\": [\"sepal_length\", \"nope\"],"
                + " \"inputShape\": [1, 3, 3], \"bogus\": 1,"
                + " \"training\": {\"epochs\": 0, \"learningRate\": -1, \"batchSize\": 1000,"
                + " \"optimizer\": \"adamw\"}}",
            null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    List<String> problems = json(r).get("problems").valueStream().map(JsonNode::asString).toList();
    assertThat(String.join("\n", problems))
        .contains("model name 'Bad Name'")
        .contains("bogus is not a known field")
        .contains("features 'nope' is not a column")
        .contains("inputShape [1, 3, 3] holds 9 values per row, but there are 2 features")
        .contains("training.epochs must be between 1 and 100000")
        .contains("training.learningRate must be greater than 0")
        .contains("training.batchSize must not exceed the 120 training rows")
        .contains("training.optimizer must be one of");

    HttpResponse<String> unknown =
        post("{\"model\": \"m\", \"family\": \"forest\", \"dataset\": \"ds-none\"}", null);
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body())
        .contains("family must be one of")
        .contains("dataset 'ds-none' is not a dataset")
        .contains("target is required");

    HttpResponse<String> mixed =
        post(
            "{\"model\": \"m\", \"family\": \"rnn\", \"dataset\": \""
                + iris
                + "\", \"testDataset\": \""
                + iris
                + "\", \"testFraction\": 0.3, \"target\": \"species\", \"task\": \"regression\","
                + " \"spec\": {\"cell\": \"transformer\", \"units\": 0}}",
            null);
    assertThat(mixed.statusCode()).isEqualTo(400);
    assertThat(mixed.body())
        .contains("testFraction must not be given with testDataset")
        .contains("'species' holds strings, so the task must be classification")
        .contains("inputShape is required for rnn")
        .contains("spec.cell must be one of [simple, lstm, gru]");
  }

  @Test
  void aFullQueueIs429AndCancelStopsQueuedAndRunningJobs() throws Exception {
    String slow =
        "{\"model\": \"iris-slow\", \"family\": \"mlp\", \"dataset\": \""
            + iris
            + "\", \"target\": \"species\", \"training\": {\"epochs\": 100000, \"batchSize\": 1}}";
    JsonNode running = json(post(slow, null));
    String runningId = running.get("id").asString();
    awaitState(runningId, "running");
    HttpResponse<String> second = post(slow, "retry-me");
    assertThat(second.statusCode()).isEqualTo(202);
    JsonNode queued = json(second);
    assertThat(queued.get("state").asString()).isEqualTo("queued");
    assertThat(json(post(slow, "retry-me")).get("id")).isEqualTo(queued.get("id"));

    HttpResponse<String> full = post(slow, null);
    assertThat(full.statusCode()).isEqualTo(429);
    assertThat(full.headers().firstValue("Retry-After")).isPresent();

    HttpResponse<String> delete =
        http.send(
            HttpRequest.newBuilder(uri("/api/v1/datasets/" + iris)).DELETE().build(),
            BodyHandlers.ofString());
    assertThat(delete.statusCode()).isEqualTo(409);

    JsonNode cancelledQueued =
        json(post("/api/v1/training-jobs/" + queued.get("id").asString() + "/cancel", "", null));
    assertThat(cancelledQueued.get("state").asString()).isEqualTo("cancelled");
    post("/api/v1/training-jobs/" + runningId + "/cancel", "", null);
    JsonNode stopped = awaitState(runningId, "cancelled");
    assertThat(stopped.get("modelVersion").isNull()).isTrue();
    assertThat(get("/api/v1/models/iris-slow").statusCode()).isEqualTo(404);
    assertThat(get("/api/v1/training-jobs/job-none").statusCode()).isEqualTo(404);
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /**
   * The peer table's rows through HTTP: the shared split rule (row i is test data when i % 5 == 4)
   * as two uploaded datasets, the reference architectures and training settings, and the test
   * quality of the compute engine issue's bounds (ReferenceTasks' margins against the peer).
   */
  @Test
  void referenceConfigurationsTrainedThroughHttpReachThePeerQuality() throws Exception {
    String[] diabetesSplit = uploadSplit("diabetes");
    String[] irisSplit = uploadSplit("iris");
    String[] wineSplit = uploadSplit("wine");
    String[] digitsSplit = uploadSplit("digits");
    String adam = "\"optimizer\": \"adam\", \"batchSize\": 32, \"learningRate\": 0.001";
    assertReference(
        "linear",
        "diabetes",
        "r2",
        reference(
            "ref-linear",
            "linear_regression",
            diabetesSplit,
            "progression",
            "\"spec\": {\"solver\": \"least_squares\"}"));
    assertReference(
        "logistic",
        "iris",
        "accuracy",
        reference("ref-logistic", "logistic_regression", irisSplit, "species", "\"spec\": {}"));
    assertReference(
        "mlp",
        "wine",
        "accuracy",
        reference(
            "ref-mlp",
            "mlp",
            wineSplit,
            "cultivar",
            "\"task\": \"classification\", \"spec\": {\"hiddenLayers\": [{\"units\": 64}]},"
                + " \"training\": {\"epochs\": 200, "
                + adam
                + "}"));
    assertReference(
        "cnn",
        "digits",
        "accuracy",
        reference(
            "ref-cnn",
            "cnn",
            digitsSplit,
            "digit",
            "\"task\": \"classification\", \"inputShape\": [1, 8, 8], \"spec\": {\"convLayers\": ["
                + "{\"filters\": 16, \"kernel\": 3, \"pool\": {\"type\": \"max\", \"size\": 2}},"
                + "{\"filters\": 32, \"kernel\": 3, \"pool\": {\"type\": \"max\", \"size\": 2}}],"
                + " \"denseLayers\": []}, \"training\": {\"epochs\": 30, "
                + adam
                + "}"));
    assertReference(
        "rnn-lstm",
        "digits-rows",
        "accuracy",
        reference(
            "ref-lstm",
            "rnn",
            digitsSplit,
            "digit",
            "\"task\": \"classification\", \"inputShape\": [8, 8],"
                + " \"spec\": {\"cell\": \"lstm\", \"units\": 64, \"layers\": 1},"
                + " \"training\": {\"epochs\": 30, "
                + adam
                + "}"));
  }

  @Test
  void aSmallDatasetCanBeSentInlineAndIsStoredAsADataset() throws Exception {
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      rows.append(i == 0 ? "" : ",")
          .append("[")
          .append(i)
          .append(", ")
          .append(2 * i + 1)
          .append("]");
    }
    JsonNode job =
        train(
            "{\"model\": \"inline-linear\", \"family\": \"linear_regression\","
                + " \"target\": \"y\", \"dataset\": {\"columns\": [\"x\", \"y\"], \"rows\": ["
                + rows
                + "]}}");
    assertThat(job.get("metrics").get("r2").asDouble()).isGreaterThan(0.999999);
    String datasetId =
        json(get("/api/v1/models/inline-linear/versions/1"))
            .get("lineage")
            .get("datasetId")
            .asString();
    JsonNode dataset = json(get("/api/v1/datasets/" + datasetId));
    assertThat(dataset.get("rows").asInt()).isEqualTo(40);

    int before = json(get("/api/v1/datasets?limit=1000")).get("total").asInt();
    HttpResponse<String> refused =
        post(
            "{\"model\": \"inline-bad\", \"family\": \"linear_regression\", \"target\": \"nope\","
                + " \"dataset\": {\"columns\": [\"x\", \"y\"], \"rows\": [[1, 2], [2, 3]]}}",
            null);
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(json(get("/api/v1/datasets?limit=1000")).get("total").asInt())
        .as("a refused request leaves no inline dataset behind")
        .isEqualTo(before);
  }

  /** Uploads a shared CSV as its training rows and its test rows by the split rule. */
  private String[] uploadSplit(String name) throws Exception {
    List<String> lines = Files.readAllLines(resource(name + ".csv"));
    StringBuilder train = new StringBuilder(lines.get(0)).append('\n');
    StringBuilder test = new StringBuilder(lines.get(0)).append('\n');
    for (int i = 1; i < lines.size(); i++) {
      ((i - 1) % 5 == 4 ? test : train).append(lines.get(i)).append('\n');
    }
    return new String[] {
      upload(name + "-train", train.toString()), upload(name + "-test", test.toString())
    };
  }

  private JsonNode reference(
      String model, String family, String[] split, String target, String rest) throws Exception {
    return train(
        "{\"model\": \""
            + model
            + "\", \"family\": \""
            + family
            + "\", \"dataset\": \""
            + split[0]
            + "\", \"testDataset\": \""
            + split[1]
            + "\", \"target\": \""
            + target
            + "\", "
            + rest
            + "}");
  }

  private void assertReference(String family, String dataset, String metric, JsonNode job)
      throws Exception {
    var row =
        dev.maas.compute.ReferenceTasks.all().stream()
            .filter(r -> r.family().equals(family) && r.dataset().equals(dataset))
            .findFirst()
            .orElseThrow();
    double value = job.get("metrics").get(metric).asDouble();
    assertThat(row.acceptable(value))
        .as("%s %s %s = %.4f through HTTP, peer %.4f", family, dataset, metric, value, row.peer())
        .isTrue();
    String model = job.get("modelVersion").get("name").asString();
    JsonNode version = json(get("/api/v1/models/" + model + "/versions/1"));
    assertThat(version.get("metrics").get(metric).asDouble()).isEqualTo(value);
  }

  private JsonNode train(String request) throws Exception {
    HttpResponse<String> r = post(request, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode job = json(r);
    String id = job.get("id").asString();
    assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/training-jobs/" + id);
    JsonNode done = awaitState(id, "succeeded");
    assertThat(done.get("modelVersion").get("version").asInt()).isEqualTo(1);
    assertThat(done.get("error").isNull()).isTrue();
    return done;
  }

  private JsonNode awaitState(String id, String state) throws Exception {
    return api.awaitState(id, state);
  }

  private String upload(String name, String csv) throws Exception {
    return api.uploadCsv(name, csv);
  }

  private HttpResponse<String> post(String body, String idempotencyKey) throws Exception {
    return post("/api/v1/training-jobs", body, idempotencyKey);
  }

  private HttpResponse<String> post(String path, String body, String idempotencyKey)
      throws Exception {
    return api.post(path, "application/json", body, idempotencyKey);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return api.get(path);
  }

  private URI uri(String path) {
    return api.uri(path);
  }

  private static JsonNode json(HttpResponse<String> r) {
    return JobsClient.json(r);
  }

  private static Path resource(String name) {
    return JobsClient.dataset(name);
  }
}

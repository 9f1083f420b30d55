package dev.maas.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.dataset.Npy;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The flows that exercise openapi.yaml against the running server, one {@link ContractCase} per
 * area. Each case makes its own data (names are unique to it), so a case can be added, moved or run
 * alone. When you add an operation to openapi.yaml, add its success and error responses here:
 * {@link OpenApiContractTest} fails while a documented operation has no successful exchange.
 */
final class ContractCases {
  private ContractCases() {}

  static List<ContractCase> all() {
    return List.of(
        new ContractCase(
            "datasets: CSV, JSON and NPY uploads, list, get, delete", ContractCases::datasets),
        new ContractCase("datasets: invalid uploads are problems", ContractCases::datasetProblems),
        new ContractCase(
            "training: submit, idempotency, poll, list, events, cancel", ContractCases::training),
        new ContractCase(
            "training: invalid requests are problems", ContractCases::trainingProblems),
        new ContractCase(
            "prediction jobs: submit, idempotency, poll, list, events, cancel, problems",
            ContractCases::predictionJobs),
        new ContractCase("registry: models, versions, artifact, import", ContractCases::registry),
        new ContractCase("registry: aliases and deletes", ContractCases::aliasesAndDeletes),
        new ContractCase(
            "registry: invalid requests are problems", ContractCases::registryProblems),
        new ContractCase(
            "predictions: native predict and the Open Inference Protocol",
            ContractCases::predictions),
        new ContractCase(
            "predictions: invalid requests are problems or v2 errors",
            ContractCases::predictionProblems),
        new ContractCase("capacity: report, replicas and forecast", ContractCases::capacity),
        new ContractCase("comparisons: start, poll, cancel, problems", ContractCases::comparisons));
  }

  // ---- comparisons ---------------------------------------------------------------------------

  static void comparisons(ContractClient api) throws Exception {
    String dataset = uploadLine(api, "contract-compared");
    ContractClient.Exchange started =
        api.postJson(
                "/api/v1/comparisons",
                "{\"dataset\": \""
                    + dataset
                    + "\", \"target\": \"y\", \"testFraction\": 0.25,"
                    + " \"model\": \"contract-cmp\", \"candidates\": [{\"family\":"
                    + " \"linear_regression\"}, {\"family\": \"cnn\"}, {\"family\": \"mlp\"}],"
                    + " \"budget\": {\"maxJobs\": 2}}")
            .expect(202);
    String id = started.json().get("id").asString();
    assertThat(started.header("Location")).hasValue("/api/v1/comparisons/" + id);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode c;
    do {
      Thread.sleep(50);
      c = api.get("/api/v1/comparisons/" + id).expect(200).json();
      assertThat(System.nanoTime()).as("comparison %s still running", id).isLessThan(deadline);
    } while (c.get("state").asString().equals("running"));
    assertThat(c.get("candidates").get(0).get("state").asString()).isEqualTo("succeeded");
    assertThat(c.get("candidates").get(1).get("state").asString()).isEqualTo("failed");
    assertThat(c.get("recommendation").get("index").asInt()).isZero();
    api.post("/api/v1/comparisons/" + id + "/cancel", null, (byte[]) null).expect(200);
    JsonNode listed = api.get("/api/v1/comparisons?limit=5").expect(200).json();
    assertThat(listed.get("comparisons").get(0).get("id").asString()).isEqualTo(id);
    api.sendInvalid("GET", "/api/v1/comparisons?limit=0", null, null).problem(400);
    api.get("/api/v1/comparisons/cmp-missing").problem(404);
    api.post("/api/v1/comparisons/cmp-missing/cancel", null, (byte[]) null).problem(404);
    api.sendInvalid(
            "POST",
            "/api/v1/comparisons",
            "application/json",
            "{\"dataset\": \"" + dataset + "\", \"target\": \"y\", \"budget\": {\"maxJobs\": 0}}")
        .problem(400);
    api.postJson(
            "/api/v1/comparisons", "{\"dataset\": \"" + dataset + "\", \"target\": \"nothing\"}")
        .problem(400);
  }

  // ---- datasets ------------------------------------------------------------------------------

  static void datasets(ContractClient api) {
    JsonNode csv =
        api.post("/api/v1/datasets?name=contract-csv", "text/csv", lineCsv(12)).expect(201).json();
    String id = csv.get("id").asString();
    assertThat(csv.get("rows").asInt()).isEqualTo(12);

    api.postJson(
            "/api/v1/datasets?name=contract-json",
            "{\"columns\": [\"x\", {\"name\": \"label\", \"type\": \"string\"}],"
                + " \"rows\": [[1.5, \"a\"], [2.5, \"b\"]]}")
        .expect(201);
    api.postJson(
            "/api/v1/datasets?name=contract-records",
            "[{\"x\": 1, \"y\": 2}, {\"x\": 3, \"y\": 4}]")
        .expect(201);
    api.post(
            "/api/v1/datasets?name=contract-npy",
            "multipart/form-data; boundary=" + BOUNDARY,
            multipart(
                Map.of(
                    "features", Npy.float64(new double[] {1, 2, 3, 4, 5, 6}, 3, 2),
                    "labels", Npy.int32(new int[] {0, 1, 0}, 3))))
        .expect(201);

    JsonNode page = api.get("/api/v1/datasets?offset=1&limit=2").expect(200).json();
    assertThat(page.get("datasets").size()).isEqualTo(2);
    assertThat(api.get("/api/v1/datasets/" + id).expect(200).json().get("name").asString())
        .isEqualTo("contract-csv");
    JsonNode preview =
        api.get("/api/v1/datasets/" + id + "/rows?offset=1&limit=3").expect(200).json();
    assertThat(preview.get("rows").size()).isEqualTo(3);
    String csvRows = api.get("/api/v1/datasets/" + id + "/data").expect(200).text();
    assertThat(csvRows.split("\r\n")).hasSize(13);
    String lines =
        api.get("/api/v1/datasets/" + id + "/data", Map.of("Accept", "application/x-ndjson"))
            .expect(200)
            .text();
    assertThat(lines.split("\n")).hasSize(12);
    api.sendInvalid(
            "GET",
            "/api/v1/datasets/" + id + "/data",
            null,
            null,
            Map.of("Accept", "application/xml"))
        .problem(406);
    api.get("/api/v1/datasets/ds-missing/data").problem(404);
    api.postJson(
            "/api/v1/datasets?name=contract-gaps",
            "{\"columns\": [\"x\", \"label\"], \"rows\": [[null, \"a\"], [2.5, null]]}")
        .expect(201);
    api.post("/api/v1/datasets?name=contract-na&na=-999", "text/csv", "x,y\n-999,1\n2,\n")
        .expect(201);
    api.delete("/api/v1/datasets/" + id).expect(204);
    api.get("/api/v1/datasets/" + id).problem(404);
    api.delete("/api/v1/datasets/" + id).problem(404);
  }

  static void datasetProblems(ContractClient api) {
    api.post("/api/v1/datasets?name=contract-bad&types=x:number", "text/csv", "x,y\nabc,1\n")
        .problem(400);
    api.sendInvalid("POST", "/api/v1/datasets", "text/csv", "x,y\n1,2\n").problem(400);
    api.sendInvalid("POST", "/api/v1/datasets?name=contract-xml", "application/xml", "<x/>")
        .problem(415);
    api.sendInvalid("GET", "/api/v1/datasets?limit=0", null, null).problem(400);
    api.sendInvalid("GET", "/api/v1/datasets/ds-missing/rows?limit=0", null, null).problem(400);
    api.get("/api/v1/datasets/ds-missing/rows").problem(404);
  }

  // ---- training ------------------------------------------------------------------------------

  static void training(ContractClient api) throws Exception {
    String dataset = uploadLine(api, "contract-training");
    String request = linearJob("contract-trained", dataset, "staging");
    ContractClient.Exchange submitted =
        api.post(
                "/api/v1/training-jobs",
                "application/json",
                request,
                Map.of("Idempotency-Key", "contract-1"))
            .expect(202);
    String id = submitted.json().get("id").asString();
    assertThat(submitted.header("Location")).hasValue("/api/v1/training-jobs/" + id);
    JsonNode again =
        api.post(
                "/api/v1/training-jobs",
                "application/json",
                request,
                Map.of("Idempotency-Key", "contract-1"))
            .json();
    assertThat(again.get("id").asString()).isEqualTo(id);

    JsonNode done = awaitFinished(api, id);
    assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("succeeded");
    assertThat(done.get("modelVersion").get("version").asInt()).isEqualTo(1);

    JsonNode logistic =
        api.postJson(
                "/api/v1/training-jobs",
                "{\"model\": \"contract-logistic\", \"family\": \"logistic_regression\","
                    + " \"target\": \"label\", \"testFraction\": 0.25,"
                    + " \"training\": {\"epochs\": 5, \"seed\": 7},"
                    + " \"dataset\": "
                    + inlineClasses(16)
                    + "}")
            .expect(202)
            .json();
    assertThat(awaitFinished(api, logistic.get("id").asString()).get("state").asString())
        .isEqualTo("succeeded");

    JsonNode list =
        api.get("/api/v1/training-jobs?state=succeeded&model=contract-trained&limit=10")
            .expect(200)
            .json();
    assertThat(list.get("total").asInt()).isEqualTo(1);
    String events = api.get("/api/v1/training-jobs/" + id + "/events").expect(200).text();
    assertThat(events).contains("event:job").contains("succeeded");
    JsonNode cancelled =
        api.post("/api/v1/training-jobs/" + id + "/cancel", null, (byte[]) null).expect(200).json();
    assertThat(cancelled.get("state").asString()).isEqualTo("succeeded");
  }

  static void trainingProblems(ContractClient api) {
    JsonNode unknownDataset =
        api.postJson("/api/v1/training-jobs", linearJob("contract-nothing", "ds-missing", null))
            .problem(400);
    assertThat(unknownDataset.get("problems").toString()).contains("ds-missing");
    api.sendInvalid(
            "POST",
            "/api/v1/training-jobs",
            "application/json",
            "{\"model\": \"contract-bad\", \"family\": \"forest\", \"dataset\": \"ds-x\","
                + " \"target\": \"y\", \"colour\": \"blue\"}")
        .problem(400);
    api.sendInvalid("GET", "/api/v1/training-jobs?state=sleeping", null, null).problem(400);
    api.get("/api/v1/training-jobs/job-missing").problem(404);
    api.post("/api/v1/training-jobs/job-missing/cancel", null, (byte[]) null).problem(404);
    api.get("/api/v1/training-jobs/job-missing/events").problem(404);
  }

  // ---- registry ------------------------------------------------------------------------------

  static void registry(ContractClient api) throws Exception {
    String name = "contract-registry";
    trainedModel(api, name);

    api.get("/api/v1/models?prefix=contract-reg&limit=5").expect(200);
    api.patchJson(
            "/api/v1/models/" + name,
            "{\"description\": \"a line\", \"tags\": {\"team\": \"contract\"}}")
        .expect(200);
    JsonNode tagged = api.get("/api/v1/models?tag=team:contract").expect(200).json();
    assertThat(tagged.get("total").asInt()).isEqualTo(1);
    assertThat(api.get("/api/v1/models/" + name).expect(200).json().get("latestVersion").asInt())
        .isEqualTo(1);
    api.get("/api/v1/models/" + name + "/versions").expect(200);
    api.get("/api/v1/models/" + name + "/versions/1").expect(200);
    api.patchJson("/api/v1/models/" + name + "/versions/1", "{\"tags\": {\"stage\": \"tested\"}}")
        .expect(200);

    ContractClient.Exchange artifact =
        api.get("/api/v1/models/" + name + "/versions/1/artifact").expect(200);
    String etag = artifact.header("ETag").orElseThrow();
    api.get("/api/v1/models/" + name + "/versions/1/artifact", Map.of("If-None-Match", etag))
        .expect(304);
    JsonNode imported =
        api.post(
                "/api/v1/models/" + name + "/versions", "application/octet-stream", artifact.body())
            .expect(201)
            .json();
    assertThat(imported.get("version").asInt()).isEqualTo(2);
  }

  static void aliasesAndDeletes(ContractClient api) throws Exception {
    String name = "contract-aliases";
    trainedModel(api, name);
    String versions = "/api/v1/models/" + name + "/versions";
    byte[] file = api.get(versions + "/1/artifact").expect(200).body();
    api.post(versions, "application/octet-stream", file).expect(201);

    assertThat(
            api.putJson("/api/v1/models/" + name + "/aliases/production", "{\"version\": 2}")
                .expect(200)
                .json()
                .get("version")
                .asInt())
        .isEqualTo(2);
    api.get("/api/v1/models/" + name + "/aliases/production").expect(200);
    api.delete(versions + "/2").problem(409);
    api.delete("/api/v1/models/" + name + "/aliases/production").expect(204);
    api.get("/api/v1/models/" + name + "/aliases/production").problem(404);
    api.delete("/api/v1/models/" + name + "/aliases/production").problem(404);
    api.delete(versions + "/2").expect(204);
    api.get(versions + "/2").problem(404);
    api.delete("/api/v1/models/" + name).expect(204);
    api.get("/api/v1/models/" + name).problem(404);
    api.delete("/api/v1/models/" + name).problem(404);
  }

  static void registryProblems(ContractClient api) {
    api.post(
            "/api/v1/models/contract-junk/versions",
            "application/octet-stream",
            new byte[] {1, 2, 3})
        .problem(400);
    api.sendInvalid("GET", "/api/v1/models/Not_A_Name", null, null).problem(400);
    api.sendInvalid("GET", "/api/v1/models/contract-none/versions/0", null, null).problem(404);
    api.putJson("/api/v1/models/contract-none/aliases/production", "{\"version\": 1}").problem(404);
    api.sendInvalid("PATCH", "/api/v1/models/contract-none", "application/json", "{\"colour\": 1}")
        .problem(400);
    api.get("/api/v1/models/contract-none/versions").problem(404);
    api.get("/api/v1/models/contract-none/versions/1/artifact").problem(404);
  }

  // ---- predictions ---------------------------------------------------------------------------

  static void predictions(ContractClient api) throws Exception {
    String name = "contract-predict";
    trainedModel(api, name);
    JsonNode answer =
        api.postJson(
                "/api/v1/models/" + name + "/predict",
                "{\"instances\": [[1.0, 0.3], {\"x2\": 0.3, \"x1\": 1.0}]}")
            .expect(200)
            .json();
    assertThat(answer.get("version").asInt()).isEqualTo(1);
    assertThat(answer.get("predictions").get(0)).isEqualTo(answer.get("predictions").get(1));
    api.postJson("/api/v1/models/" + name + "/predict?version=1", "{\"instances\": [[2, 0]]}")
        .expect(200);

    api.get("/v2").expect(200);
    api.get("/v2/health/live").expect(200);
    api.get("/v2/health/ready").expect(200);
    api.get("/v2/models/" + name).expect(200);
    api.get("/v2/models/" + name + "/versions/1").expect(200);
    api.get("/v2/models/" + name + "/ready").expect(200);
    api.get("/v2/models/" + name + "/versions/1/ready").expect(200);
    String infer =
        "{\"id\": \"c-1\", \"inputs\": [{\"name\": \"input\", \"shape\": [2, 2],"
            + " \"datatype\": \"FP64\", \"data\": [[1.0, 0.3], [2.0, 0.0]]}]}";
    JsonNode v2 = api.postJson("/v2/models/" + name + "/infer", infer).expect(200).json();
    assertThat(v2.get("outputs").get(0).get("shape").toString()).isEqualTo("[2,1]");
    api.postJson("/v2/models/" + name + "/versions/1/infer", infer).expect(200);
  }

  static void predictionProblems(ContractClient api) throws Exception {
    String name = "contract-predict-bad";
    trainedModel(api, name);
    String predict = "/api/v1/models/" + name + "/predict";
    api.postJson(predict, "{\"instances\": [[1.0]]}").problem(400);
    api.postJson("/api/v1/models/contract-nobody/predict", "{\"instances\": [[1, 2]]}")
        .problem(404);
    api.postJson(predict + "?alias=nowhere", "{\"instances\": [[1, 2]]}").problem(404);
    api.sendInvalid("POST", predict, "application/json", "{\"instances\": []}").problem(400);
    api.sendInvalid("POST", predict, "text/plain", "1,2").problem(415);

    api.get("/v2/models/contract-nobody").error(404);
    api.get("/v2/models/contract-nobody/ready").error(404);
    api.get("/v2/models/" + name + "/versions/9").error(404);
    api.get("/v2/models/" + name + "/versions/9/ready").error(404);
    api.sendInvalid("GET", "/v2/models/" + name + "/versions/x", null, null).error(400);
    String wrongShape =
        "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 3], \"datatype\": \"FP32\","
            + " \"data\": [1, 2, 3]}]}";
    api.postJson("/v2/models/" + name + "/infer", wrongShape).error(400);
    api.postJson("/v2/models/" + name + "/versions/1/infer", wrongShape).error(400);
    api.postJson("/v2/models/contract-nobody/infer", wrongShape).error(404);
  }

  // ---- capacity ------------------------------------------------------------------------------

  static void capacity(ContractClient api) throws Exception {
    String name = "contract-capacity";
    trainedModel(api, name);
    api.postJson("/api/v1/models/" + name + "/predict", "{\"instances\": [[1, 2]]}").expect(200);
    api.get("/api/v1/capacity").expect(200);
    api.get("/api/v1/capacity?model=" + name + "&targetRps=200&p99Ms=50&limit=5").expect(200);
    api.get(
            "/api/v1/capacity/forecast?family=cnn&rows=10000&epochs=5&inputShape=1,8,8"
                + "&outputs=10&task=classification")
        .expect(200);
    api.get("/api/v1/capacity/forecast?family=linear_regression&rows=5000&epochs=3").expect(200);
    api.sendInvalid("GET", "/api/v1/capacity/forecast?rows=10&epochs=1", null, null).problem(400);
    api.sendInvalid("GET", "/api/v1/capacity?targetRps=-5&p99Ms=10", null, null).problem(400);
  }

  // ---- prediction jobs -----------------------------------------------------------------------

  static void predictionJobs(ContractClient api) throws Exception {
    trainedModel(api, "contract-scored");
    String dataset = uploadLine(api, "contract-to-score");
    String request =
        "{\"model\": \"contract-scored\", \"version\": 1, \"dataset\": \""
            + dataset
            + "\", \"passThrough\": [\"y\"], \"output\": \"labels\"}";
    ContractClient.Exchange submitted =
        api.post(
                "/api/v1/prediction-jobs",
                "application/json",
                request,
                Map.of("Idempotency-Key", "contract-score-1"))
            .expect(202);
    String id = submitted.json().get("id").asString();
    assertThat(submitted.header("Location")).hasValue("/api/v1/prediction-jobs/" + id);
    assertThat(
            api.post(
                    "/api/v1/prediction-jobs",
                    "application/json",
                    request,
                    Map.of("Idempotency-Key", "contract-score-1"))
                .json()
                .get("id")
                .asString())
        .isEqualTo(id);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode job;
    do {
      job = api.get("/api/v1/prediction-jobs/" + id).expect(200).json();
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(50);
    } while (job.get("state").asString().matches("queued|running"));
    assertThat(job.get("state").asString()).as(job.toString()).isEqualTo("succeeded");
    JsonNode result =
        api.get("/api/v1/datasets/" + job.get("resultDataset").asString()).expect(200).json();
    assertThat(result.get("lineage").get("inputDataset").asString()).isEqualTo(dataset);
    assertThat(
            api.get("/api/v1/prediction-jobs?state=succeeded&model=contract-scored&limit=10")
                .expect(200)
                .json()
                .get("total")
                .asInt())
        .isEqualTo(1);
    assertThat(api.get("/api/v1/prediction-jobs/" + id + "/events").expect(200).text())
        .contains("event:job");
    assertThat(
            api.post("/api/v1/prediction-jobs/" + id + "/cancel", null, (byte[]) null)
                .expect(200)
                .json()
                .get("state")
                .asString())
        .isEqualTo("succeeded");

    String narrow =
        api.post("/api/v1/datasets?name=contract-narrow", "text/csv", "x1\n1\n2\n")
            .expect(201)
            .json()
            .get("id")
            .asString();
    JsonNode misfit =
        api.postJson(
                "/api/v1/prediction-jobs",
                "{\"model\": \"contract-scored\", \"dataset\": \"" + narrow + "\"}")
            .problem(400);
    assertThat(misfit.get("problems").toString()).contains("'x2'");
    api.sendInvalid(
            "POST",
            "/api/v1/prediction-jobs",
            "application/json",
            "{\"model\": \"contract-scored\", \"dataset\": \"ds-x\", \"colour\": 1}")
        .problem(400);
    api.sendInvalid("GET", "/api/v1/prediction-jobs?state=sleeping", null, null).problem(400);
    api.get("/api/v1/prediction-jobs/pjob-missing").problem(404);
    api.post("/api/v1/prediction-jobs/pjob-missing/cancel", null, (byte[]) null).problem(404);
    api.get("/api/v1/prediction-jobs/pjob-missing/events").problem(404);
  }

  // ---- shared data ---------------------------------------------------------------------------

  /** Uploads a line and trains a least-squares linear regression on it: version 1 of name. */
  static void trainedModel(ContractClient api, String name) throws Exception {
    String dataset = uploadLine(api, name + "-data");
    String id =
        api.postJson("/api/v1/training-jobs", linearJob(name, dataset, null))
            .expect(202)
            .json()
            .get("id")
            .asString();
    JsonNode job = awaitFinished(api, id);
    assertThat(job.get("state").asString()).as(job.toString()).isEqualTo("succeeded");
  }

  static String uploadLine(ContractClient api, String name) {
    return api.post("/api/v1/datasets?name=" + name, "text/csv", lineCsv(20))
        .expect(201)
        .json()
        .get("id")
        .asString();
  }

  static String linearJob(String model, String dataset, String alias) {
    return "{\"model\": \""
        + model
        + "\", \"family\": \"linear_regression\", \"dataset\": \""
        + dataset
        + "\", \"target\": \"y\", \"spec\": {\"solver\": \"least_squares\"}"
        + (alias == null ? "" : ", \"alias\": \"" + alias + "\"")
        + "}";
  }

  /**
   * Polls a job (each poll checked against the contract) until it is no longer queued or running.
   */
  static JsonNode awaitFinished(ContractClient api, String id) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      JsonNode job = api.get("/api/v1/training-jobs/" + id).expect(200).json();
      String state = job.get("state").asString();
      if (!state.equals("queued") && !state.equals("running")) {
        return job;
      }
      assertThat(System.nanoTime()).as("job %s still %s", id, state).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  /** y = 2 x1 - x2 + 1 with a little deterministic wobble. */
  static String lineCsv(int rows) {
    StringBuilder csv = new StringBuilder("x1,x2,y\n");
    for (int i = 0; i < rows; i++) {
      double x1 = i * 0.5;
      double x2 = (i * 7 % 5) * 0.3;
      double y = 2 * x1 - x2 + 1 + ((i % 3) - 1) * 0.01;
      csv.append(x1).append(',').append(x2).append(',').append(y).append('\n');
    }
    return csv.toString();
  }

  /** Two separable classes as an inline JSON dataset. */
  static String inlineClasses(int rows) {
    StringBuilder json = new StringBuilder("{\"columns\": [\"a\", \"b\", \"label\"], \"rows\": [");
    for (int i = 0; i < rows; i++) {
      boolean up = i % 2 == 0;
      json.append(i == 0 ? "" : ", ")
          .append('[')
          .append(up ? 1 + 0.1 * i : -1 - 0.1 * i)
          .append(", ")
          .append(0.05 * i)
          .append(", \"")
          .append(up ? "up" : "down")
          .append("\"]");
    }
    return json.append("]}").toString();
  }

  private static final String BOUNDARY = "contract-boundary-7d1f";

  static byte[] multipart(Map<String, byte[]> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    parts.forEach(
        (name, bytes) -> {
          out.writeBytes(
              ("--"
                      + BOUNDARY
                      + "\r\nContent-Disposition: form-data; name=\""
                      + name
                      + "\"; filename=\""
                      + name
                      + ".npy\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                  .getBytes(StandardCharsets.UTF_8));
          out.writeBytes(bytes);
          out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        });
    out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }
}

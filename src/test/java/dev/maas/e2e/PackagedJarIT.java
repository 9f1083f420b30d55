package dev.maas.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.maas.grpc.proto.GRPCInferenceServiceGrpc;
import dev.maas.grpc.proto.InferTensorContents;
import dev.maas.grpc.proto.ModelInferRequest;
import dev.maas.grpc.proto.ModelInferResponse;
import dev.maas.grpc.proto.ModelMetadataRequest;
import dev.maas.grpc.proto.ModelMetadataResponse;
import dev.maas.grpc.proto.ServerLiveRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The product as its users run it: {@code java -jar target/maas-*.jar} in an empty directory,
 * nothing from the test classpath, security on with the admin key the server generates, and every
 * call over HTTP. It trains each of the five families, and an mlp on a real-world table as R writes
 * it (text categories, NA for missing), predicts natively (raw rows too) and over the Open
 * Inference Protocol (over gRPC too), moves an alias, reads the capacity report and the Prometheus
 * scrape, stops the server, starts it again on the same data and gets the same answers.
 *
 * <p>This is the test that failed when a library the server needs at run time (commons-io, for
 * ND4J) was resolved only in test scope: every test on the test classpath passed, and the jar could
 * not train.
 */
class PackagedJarIT {
  private static final String IRIS_ROWS =
      "[[5.1, 3.5, 1.4, 0.2], [6.3, 3.3, 6.0, 2.5], [5.9, 3.0, 4.2, 1.5]]";

  @Test
  void theJarTrainsEveryFamilyPredictsAndKeepsItsAnswersAcrossARestart() throws Exception {
    Path work = Files.createDirectories(Path.of("target", "e2e", "jar-" + UUID.randomUUID()));
    int port = PackagedServer.freePort();
    int grpcPort = PackagedServer.freePort();
    Map<String, String> answers = new LinkedHashMap<>();
    String key;
    try (PackagedServer server =
        PackagedServer.startJar(work, port, "--maas.grpc.port=" + grpcPort)) {
      key = server.generatedKey();
      ApiClient anonymous = new ApiClient(server.base(), null, server::logText);
      assertThat(anonymous.send(anonymous.request("/api/v1/models").GET().build()).statusCode())
          .as("security is on")
          .isEqualTo(401);
      for (String open : List.of("/openapi.yaml", "/swagger-ui/index.html")) {
        assertThat(anonymous.send(anonymous.request(open).GET().build()).statusCode())
            .as("the contract and Swagger UI open without a key: %s", open)
            .isEqualTo(200);
      }
      ApiClient api = new ApiClient(server.base(), key, server::logText);

      String iris = api.uploadCsv("iris", ApiClient.dataset("iris.csv"));
      String diabetes = api.uploadCsv("diabetes", ApiClient.dataset("diabetes.csv"));
      String digits = api.uploadCsv("digits", ApiClient.dataset("digits.csv"));

      JsonNode linear =
          api.train(
              "{\"model\": \"diabetes-linear\", \"family\": \"linear_regression\","
                  + " \"dataset\": \""
                  + diabetes
                  + "\", \"target\": \"progression\"}");
      assertThat(linear.get("metrics").get("r2").asDouble()).isGreaterThan(0.3);
      JsonNode logistic =
          api.train(
              "{\"model\": \"iris-logistic\", \"family\": \"logistic_regression\", \"dataset\": \""
                  + iris
                  + "\", \"target\": \"species\"}");
      assertThat(logistic.get("metrics").get("accuracy").asDouble()).isGreaterThan(0.85);
      String mlp =
          "{\"model\": \"iris-mlp\", \"family\": \"mlp\", \"dataset\": \""
              + iris
              + "\", \"target\": \"species\", \"spec\": {\"hiddenLayers\": [{\"units\": 16}]},"
              + " \"training\": {\"epochs\": 40, \"batchSize\": 16, \"learningRate\": 0.02,"
              + " \"seed\": %d}%s}";
      JsonNode mlp1 = api.train(mlp.formatted(7, ", \"alias\": \"production\""));
      assertThat(mlp1.get("metrics").get("accuracy").asDouble()).isGreaterThan(0.8);
      String images =
          "\"dataset\": \""
              + digits
              + "\", \"target\": \"digit\", \"task\": \"classification\", \"training\":"
              + " {\"epochs\": 3, \"learningRate\": 0.01}";
      JsonNode cnn =
          api.train(
              "{\"model\": \"digits-cnn\", \"family\": \"cnn\", \"inputShape\": [1, 8, 8],"
                  + " \"spec\": {\"convLayers\": [{\"filters\": 4, \"kernel\": 3, \"pool\":"
                  + " {\"type\": \"max\", \"size\": 2}}], \"denseLayers\": [{\"units\": 16}]}, "
                  + images
                  + "}");
      assertThat(cnn.get("metrics").get("accuracy").asDouble()).isGreaterThan(0.5);
      JsonNode rnn =
          api.train(
              "{\"model\": \"digits-rnn\", \"family\": \"rnn\", \"inputShape\": [8, 8],"
                  + " \"spec\": {\"cell\": \"lstm\", \"units\": 16}, "
                  + images
                  + "}");
      assertThat(rnn.get("metrics").get("accuracy").asDouble()).isGreaterThan(0.2);

      // A real-world table as R writes it (NA for missing, text categories, the target first).
      String penguins = api.uploadCsv("penguins", ApiClient.dataset("penguins.csv"));
      JsonNode tabular =
          api.train(
              "{\"model\": \"penguins\", \"family\": \"mlp\", \"dataset\": \""
                  + penguins
                  + "\", \"target\": \"species\"}");
      assertThat(tabular.get("metrics").get("accuracy").asDouble()).isGreaterThan(0.9);

      Map<String, String> inputs = inputs();
      for (Map.Entry<String, String> e : inputs.entrySet()) {
        answers.put(e.getKey(), predict(api, e.getKey(), e.getValue()));
      }
      JsonNode setosa = ApiClient.json(answers.get("iris-logistic")).get("predictions").get(0);
      assertThat(setosa.get("label").asString()).isEqualTo("setosa");

      // The Open Inference Protocol gives the same labels and values as the native API.
      for (Map.Entry<String, String> e : answers.entrySet()) {
        if (e.getKey().equals("penguins")) {
          continue; // raw rows go per column over /v2: TabularTrainingTest
        }
        assertSameAsV2(api, e.getKey(), inputs.get(e.getKey()), ApiClient.json(e.getValue()));
      }

      // The same models over gRPC, with the same key: the labels the native API gave.
      assertSameOverGrpc(grpcPort, key, answers, inputs);

      // A second version does not serve until the alias moves to it.
      api.train(mlp.formatted(8, ""));
      assertThat(version(predict(api, "iris-mlp", IRIS_ROWS))).isEqualTo(1);
      api.put("/api/v1/models/iris-mlp/aliases/production", "{\"version\": 2}", 200);
      assertThat(version(predict(api, "iris-mlp", IRIS_ROWS))).isEqualTo(2);
      answers.put("iris-mlp", predict(api, "iris-mlp", IRIS_ROWS));

      JsonNode capacity = api.getJson("/api/v1/capacity");
      assertThat(capacity.get("models").findValuesAsString("model"))
          .contains("diabetes-linear", "iris-logistic", "iris-mlp", "digits-cnn", "digits-rnn");
      for (JsonNode v : capacity.get("models")) {
        assertThat(v.get("training").get("cost").get("value").asDouble())
            .as("training cost of %s", v)
            .isPositive();
      }
      String scrape = api.get("/actuator/prometheus");
      for (String family : List.of("linear_regression", "logistic_regression", "cnn", "rnn")) {
        assertThat(scrape)
            .contains(
                "maas_training_jobs_total{family=\"" + family + "\",state=\"succeeded\"} 1.0");
      }
      assertThat(scrape)
          .contains("maas_training_jobs_total{family=\"mlp\",state=\"succeeded\"} 3.0")
          .contains("maas_registry_versions{model=\"iris-mlp\"} 2.0")
          .containsPattern(
              "maas_predictions_total\\{family=\"mlp\",model=\"iris-mlp\",outcome=\"success\","
                  + "protocol=\"rest\",version=\"2\"} [1-9]")
          .containsPattern("(?m)^maas_models_loaded [1-9]");
      assertThat(server.logText()).doesNotContain("ERROR");
    }

    try (PackagedServer again = PackagedServer.startJar(work, port)) {
      ApiClient api = new ApiClient(again.base(), key, again::logText);
      Map<String, String> inputs = inputs();
      for (Map.Entry<String, String> e : answers.entrySet()) {
        assertThat(predict(api, e.getKey(), inputs.get(e.getKey())))
            .as("%s after a restart", e.getKey())
            .isEqualTo(e.getValue());
      }
    }
  }

  private static String predict(ApiClient api, String model, String instances) throws Exception {
    return api.send(
        "/api/v1/models/" + model + "/predict",
        "POST",
        "application/json",
        "{\"instances\": " + instances + "}",
        200);
  }

  private static int version(String answer) {
    return ApiClient.json(answer).get("version").asInt();
  }

  private static void assertSameAsV2(ApiClient api, String model, String instances, JsonNode nat)
      throws Exception {
    JsonNode rows = ApiClient.json(instances);
    StringBuilder data = new StringBuilder();
    int values = 0;
    for (JsonNode row : rows) {
      for (JsonNode v : row) {
        data.append(data.isEmpty() ? "" : ", ").append(v.asDouble());
        values++;
      }
    }
    JsonNode metadata = api.getJson("/v2/models/" + model);
    JsonNode shape = metadata.get("inputs").get(0).get("shape");
    StringBuilder dims = new StringBuilder().append(rows.size());
    for (int i = 1; i < shape.size(); i++) {
      dims.append(", ").append(shape.get(i).asInt());
    }
    assertThat(values % rows.size()).isZero();
    JsonNode infer =
        api.post(
            "/v2/models/" + model + "/infer",
            "{\"id\": \"e2e\", \"inputs\": [{\"name\": \"input\", \"datatype\": \"FP64\","
                + " \"shape\": ["
                + dims
                + "], \"data\": ["
                + data
                + "]}]}",
            200);
    assertThat(infer.get("id").asString()).isEqualTo("e2e");
    JsonNode predictions = nat.get("predictions");
    for (JsonNode output : infer.get("outputs")) {
      String name = output.get("name").asString();
      if (name.equals("label")) {
        for (int i = 0; i < predictions.size(); i++) {
          assertThat(output.get("data").get(i).asString())
              .isEqualTo(predictions.get(i).get("label").asString());
        }
      } else if (name.equals("output")) {
        for (int i = 0; i < predictions.size(); i++) {
          assertThat(output.get("data").get(i).asDouble())
              .isEqualTo(predictions.get(i).get("value").asDouble());
        }
      }
    }
  }

  /**
   * The jar's gRPC server: health without a key, UNAUTHENTICATED without one for inference, and
   * ModelInfer with the key answering the native API's labels: iris-mlp with typed FP32 and raw
   * FP64 inputs, and penguins (raw table rows) with one tensor per column, BYTES for text.
   */
  private static void assertSameOverGrpc(
      int grpcPort, String key, Map<String, String> answers, Map<String, String> inputs)
      throws Exception {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    try {
      assertThat(
              HealthGrpc.newBlockingStub(channel)
                  .check(HealthCheckRequest.getDefaultInstance())
                  .getStatus())
          .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      var anonymous = GRPCInferenceServiceGrpc.newBlockingStub(channel);
      assertThatThrownBy(() -> anonymous.serverLive(ServerLiveRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
      Metadata headers = new Metadata();
      headers.put(
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
      var grpc = anonymous.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
      assertThat(grpc.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();

      JsonNode irisRows = ApiClient.json(inputs.get("iris-mlp"));
      JsonNode irisLabels = ApiClient.json(answers.get("iris-mlp")).get("predictions");
      InferTensorContents.Builder typed = InferTensorContents.newBuilder();
      ByteBuffer raw = ByteBuffer.allocate(irisRows.size() * 4 * 8).order(ByteOrder.LITTLE_ENDIAN);
      for (JsonNode row : irisRows) {
        for (JsonNode v : row) {
          typed.addFp32Contents((float) v.asDouble());
          raw.putDouble(v.asDouble());
        }
      }
      ModelInferRequest.InferInputTensor.Builder input =
          ModelInferRequest.InferInputTensor.newBuilder()
              .setName("input")
              .addShape(irisRows.size())
              .addShape(4);
      ModelInferResponse typedAnswer =
          grpc.modelInfer(
              ModelInferRequest.newBuilder()
                  .setModelName("iris-mlp")
                  .addInputs(input.clone().setDatatype("FP32").setContents(typed))
                  .build());
      ModelInferResponse rawAnswer =
          grpc.modelInfer(
              ModelInferRequest.newBuilder()
                  .setModelName("iris-mlp")
                  .addInputs(input.clone().setDatatype("FP64"))
                  .addRawInputContents(ByteString.copyFrom(raw.array()))
                  .build());
      assertThat(rawAnswer.getRawOutputContentsCount()).isEqualTo(2);
      for (int i = 0; i < irisLabels.size(); i++) {
        assertThat(typedAnswer.getOutputs(0).getContents().getBytesContents(i).toStringUtf8())
            .isEqualTo(irisLabels.get(i).get("label").asString());
      }

      // penguins takes raw table rows: one tensor per column its metadata lists
      String[] header = ApiClient.dataset("penguins.csv").split("\n")[0].split(",");
      JsonNode first = ApiClient.json(inputs.get("penguins")).get(0);
      Map<String, JsonNode> byColumn = new LinkedHashMap<>();
      for (int c = 1; c < header.length; c++) {
        byColumn.put(header[c].strip(), first.get(c - 1));
      }
      ModelInferRequest.Builder penguin = ModelInferRequest.newBuilder().setModelName("penguins");
      for (ModelMetadataResponse.TensorMetadata t :
          grpc.modelMetadata(ModelMetadataRequest.newBuilder().setName("penguins").build())
              .getInputsList()) {
        JsonNode value = byColumn.get(t.getName());
        if (value == null) {
          continue; // 'input', all columns at once, or a column the row leaves missing
        }
        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        if (t.getDatatype().equals("BYTES")) {
          c.addBytesContents(ByteString.copyFromUtf8(value.asString()));
        } else {
          c.addFp64Contents(value.asDouble());
        }
        penguin.addInputs(
            ModelInferRequest.InferInputTensor.newBuilder()
                .setName(t.getName())
                .setDatatype(t.getDatatype())
                .addShape(1)
                .setContents(c));
      }
      ModelInferResponse penguinAnswer = grpc.modelInfer(penguin.build());
      assertThat(penguinAnswer.getOutputs(0).getContents().getBytesContents(0).toStringUtf8())
          .isEqualTo(
              ApiClient.json(answers.get("penguins"))
                  .get("predictions")
                  .get(0)
                  .get("label")
                  .asString());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** A few instances for each model, as arrays in training column order. */
  private static Map<String, String> inputs() throws IOException {
    String digits = "[" + digitRow(0) + ", " + digitRow(1) + "]";
    Map<String, String> inputs = new LinkedHashMap<>();
    inputs.put(
        "diabetes-linear", "[[59.0, 2.0, 32.1, 101.0, 157.0, 93.2, 38.0, 4.0, 4.8598, 87.0]]");
    inputs.put("iris-logistic", IRIS_ROWS);
    inputs.put("iris-mlp", IRIS_ROWS);
    inputs.put("digits-cnn", digits);
    inputs.put("digits-rnn", digits);
    inputs.put(
        "penguins",
        "[[\"Torgersen\", 39.1, 18.7, 181, 3750, \"male\", 2007],"
            + " {\"island\": \"Dream\", \"bill_length_mm\": null, \"sex\": null}]");
    return inputs;
  }

  /** Row {@code i} of digits.csv without its label: 64 pixels. */
  private static String digitRow(int i) throws IOException {
    String[] cells = ApiClient.dataset("digits.csv").split("\n")[i + 1].split(",");
    return "[" + String.join(", ", List.of(cells).subList(0, 64)) + "]";
  }
}

package dev.maas.serving;

import static dev.maas.serving.PredictionApiTest.flat;
import static dev.maas.serving.PredictionApiTest.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.maas.PythonGrpc;
import dev.maas.e2e.PackagedServer;
import dev.maas.grpc.proto.GRPCInferenceServiceGrpc;
import dev.maas.grpc.proto.InferTensorContents;
import dev.maas.grpc.proto.ModelInferRequest;
import dev.maas.grpc.proto.ModelInferResponse;
import dev.maas.grpc.proto.ModelMetadataRequest;
import dev.maas.grpc.proto.ModelMetadataResponse;
import dev.maas.grpc.proto.ModelReadyRequest;
import dev.maas.grpc.proto.ServerLiveRequest;
import dev.maas.grpc.proto.ServerMetadataRequest;
import dev.maas.grpc.proto.ServerReadyRequest;
import dev.maas.serving.ServingFixtures.Fixture;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
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
 * The Open Inference Protocol over gRPC, against the same server's REST answers: every RPC, typed
 * and raw contents, the same answers to the last bit, errors as gRPC statuses with REST's messages,
 * API keys as metadata, health checking, reflection and the protocol tag on the meters.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcInferenceTest {
  private static final Path STORAGE = Path.of("target", "test-data", "grpc-" + UUID.randomUUID());
  private static final String PREDICT_KEY = "grpc-predict-key";
  private static final String ADMIN_KEY = "grpc-admin-key";
  private static final String BURST_KEY = "grpc-burst-key";
  private static final int GRPC_PORT = freePort();

  @LocalServerPort int port;

  private ServingClient rest;
  private ManagedChannel channel;
  private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub grpc;
  private final Map<String, Fixture> models = new HashMap<>();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry properties) {
    properties.add("maas.storage.path", STORAGE::toString);
    properties.add("maas.grpc.port", () -> GRPC_PORT);
    properties.add("maas.serving.max-instances", () -> 50);
    properties.add("maas.serving.max-request-size", () -> "64KB");
    properties.add("maas.security.enabled", () -> "true");
    String[][] keys = {
      {"predictor", PREDICT_KEY, "predict"},
      {"operator", ADMIN_KEY, "admin"},
      {"burst", BURST_KEY, "predict"}
    };
    for (int i = 0; i < keys.length; i++) {
      String[] key = keys[i];
      properties.add("maas.security.keys[" + i + "].name", () -> key[0]);
      properties.add("maas.security.keys[" + i + "].sha256", () -> sha256(key[1]));
      properties.add("maas.security.keys[" + i + "].roles", () -> key[2]);
    }
  }

  @BeforeAll
  void importModels() throws Exception {
    rest = new ServingClient(port, ADMIN_KEY);
    for (Fixture f : ServingFixtures.everyFamily()) {
      models.put(f.family(), f);
      rest.importVersion(name(f), f.file());
    }
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", GRPC_PORT).usePlaintext().build();
    grpc = withKey(GRPCInferenceServiceGrpc.newBlockingStub(channel), PREDICT_KEY);
  }

  @AfterAll
  void closeChannel() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  // ---- every RPC ----------------------------------------------------------------------------

  @Test
  void serverLiveReadyAndMetadataAnswer() {
    assertThat(grpc.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
    assertThat(grpc.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
    var metadata = grpc.serverMetadata(ServerMetadataRequest.getDefaultInstance());
    assertThat(metadata.getName()).isEqualTo("maas");
    assertThat(metadata.getVersion()).isNotEmpty();
  }

  @Test
  void modelReadyAndMetadataAnswerAsRestDoes() throws Exception {
    for (Fixture f : models.values()) {
      assertThat(
              grpc.modelReady(ModelReadyRequest.newBuilder().setName(name(f)).build()).getReady())
          .isTrue();
      assertThat(
              grpc.modelReady(
                      ModelReadyRequest.newBuilder().setName(name(f)).setVersion("1").build())
                  .getReady())
          .isTrue();
      ModelMetadataResponse m =
          grpc.modelMetadata(ModelMetadataRequest.newBuilder().setName(name(f)).build());
      JsonNode expected = ServingClient.json(rest.get("/v2/models/" + name(f)));
      assertThat(m.getName()).isEqualTo(expected.get("name").asString());
      assertThat(m.getPlatform()).isEqualTo(expected.get("platform").asString());
      assertThat(m.getVersionsList()).containsExactly("1");
      assertThat(describe(m.getInputsList())).isEqualTo(describe(expected.get("inputs")));
      assertThat(describe(m.getOutputsList())).isEqualTo(describe(expected.get("outputs")));
    }
  }

  @Test
  void everyFamilyAnswersTypedAndRawAsRestDoesToTheLastBit() throws Exception {
    for (Fixture f : models.values()) {
      int n = f.rows().length;
      HttpResponse<String> r =
          rest.post(
              "/v2/models/" + name(f) + "/infer",
              "{\"inputs\": [{\"name\": \"input\", \"shape\": "
                  + shapeJson(f, n)
                  + ", \"datatype\": \"FP64\", \"data\": "
                  + rows(f.rows())
                  + "}]}");
      assertThat(r.statusCode()).as(f.family() + ": " + r.body()).isEqualTo(200);
      JsonNode restBody = ServingClient.json(r);
      double[] values = flat(f.rows());

      ModelInferResponse typed =
          grpc.modelInfer(
              request(f, n)
                  .setId("typed-" + f.family())
                  .addInputs(
                      input(f, n, "FP64")
                          .setContents(
                              InferTensorContents.newBuilder()
                                  .addAllFp64Contents(
                                      java.util.Arrays.stream(values).boxed().toList())))
                  .build());
      ModelInferResponse raw =
          grpc.modelInfer(
              request(f, n)
                  .addInputs(input(f, n, "FP64"))
                  .addRawInputContents(rawDoubles(values))
                  .build());

      assertThat(typed.getId()).isEqualTo("typed-" + f.family());
      assertThat(typed.getModelName()).isEqualTo(name(f));
      assertThat(typed.getModelVersion()).isEqualTo("1");
      assertThat(typed.getRawOutputContentsCount()).isZero();
      assertThat(raw.getRawOutputContentsCount()).isEqualTo(raw.getOutputsCount());
      assertThat(typed.getOutputsCount()).isEqualTo(restBody.get("outputs").size());
      for (int o = 0; o < typed.getOutputsCount(); o++) {
        JsonNode expected = restBody.get("outputs").get(o);
        ModelInferResponse.InferOutputTensor t = typed.getOutputs(o);
        assertThat(t.getName()).isEqualTo(expected.get("name").asString());
        assertThat(t.getDatatype()).isEqualTo(expected.get("datatype").asString());
        assertThat(t.getShapeList()).isEqualTo(longs(expected.get("shape")));
        assertThat(raw.getOutputs(o).getShapeList()).isEqualTo(t.getShapeList());
        List<String> restData = new ArrayList<>();
        expected.get("data").forEach(v -> restData.add(v.asString()));
        assertThat(typedData(t))
            .as(f.family() + " typed")
            .isEqualTo(bits(t.getDatatype(), restData));
        assertThat(rawData(t.getDatatype(), raw.getRawOutputContents(o)))
            .as(f.family() + " raw")
            .isEqualTo(bits(t.getDatatype(), restData));
      }
    }
  }

  @Test
  void integerFloatAndOnlyTheAskedOutputsAreAnswered() {
    Fixture mlp = models.get("mlp");
    // integers: typed INT64 and raw INT32 give the same answer as FP64 of the same values
    double[] ints = {1, 2, 3, 4, 5};
    ModelInferResponse fp64 =
        grpc.modelInfer(
            request(mlp, 1)
                .addInputs(
                    input(mlp, 1, "FP64")
                        .setContents(
                            InferTensorContents.newBuilder()
                                .addAllFp64Contents(List.of(1.0, 2.0, 3.0, 4.0, 5.0))))
                .build());
    ModelInferResponse int64 =
        grpc.modelInfer(
            request(mlp, 1)
                .addInputs(
                    input(mlp, 1, "INT64")
                        .setContents(
                            InferTensorContents.newBuilder()
                                .addAllInt64Contents(List.of(1L, 2L, 3L, 4L, 5L))))
                .build());
    ByteBuffer int32 = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : ints) {
      int32.putInt((int) v);
    }
    ModelInferResponse rawInt32 =
        grpc.modelInfer(
            request(mlp, 1)
                .addInputs(input(mlp, 1, "INT32"))
                .addRawInputContents(ByteString.copyFrom(int32.array()))
                .build());
    assertThat(int64.getOutputsList()).isEqualTo(fp64.getOutputsList());
    assertThat(rawInt32.getOutputs(1).getShapeList()).isEqualTo(fp64.getOutputs(1).getShapeList());
    assertThat(rawData("FP32", rawInt32.getRawOutputContents(1)))
        .isEqualTo(typedData(fp64.getOutputs(1)));
    // a label comes back as BYTES; raw BYTES are 4-byte little-endian lengths and the text
    ByteString rawLabel = rawInt32.getRawOutputContents(0);
    ByteBuffer b = rawLabel.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    byte[] text = new byte[b.getInt()];
    b.get(text);
    assertThat(new String(text, StandardCharsets.UTF_8))
        .isEqualTo(fp64.getOutputs(0).getContents().getBytesContents(0).toStringUtf8());

    ModelInferResponse onlyLabel =
        grpc.modelInfer(
            request(mlp, 1)
                .addInputs(
                    input(mlp, 1, "FP32")
                        .setContents(
                            InferTensorContents.newBuilder()
                                .addAllFp32Contents(List.of(1f, 2f, 3f, 4f, 5f))))
                .addOutputs(
                    ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("label"))
                .build());
    assertThat(onlyLabel.getOutputsList()).hasSize(1);
    assertThat(onlyLabel.getOutputs(0).getName()).isEqualTo("label");
  }

  @Test
  void versionsAndAliasesChooseTheModelAsRestDoes() throws Exception {
    Fixture lr = models.get("linear_regression");
    Fixture scaled =
        ServingFixtures.regression(
            "linear_regression",
            new dev.maas.compute.LinearRegressionSpec(
                dev.maas.compute.LinearRegressionSpec.Solver.LEAST_SQUARES),
            new int[] {3},
            1,
            10);
    rest.importVersion("grpc-versions", lr.file());
    rest.importVersion("grpc-versions", scaled.file());
    assertThat(infer("grpc-versions", "", lr).getModelVersion()).isEqualTo("2");
    assertThat(infer("grpc-versions", "1", lr).getModelVersion()).isEqualTo("1");
    rest.setAlias("grpc-versions", "production", 1);
    assertThat(infer("grpc-versions", "", lr).getModelVersion()).isEqualTo("1");
    rest.setAlias("grpc-versions", "staging", 2);
    assertThat(infer("grpc-versions", "staging", lr).getModelVersion()).isEqualTo("2");
    assertStatus(() -> infer("grpc-versions", "9", lr), Status.Code.NOT_FOUND, "9");
    assertStatus(() -> infer("grpc-versions", "nope", lr), Status.Code.NOT_FOUND, "nope");
    assertStatus(
        () -> infer("grpc-versions", "0", lr), Status.Code.INVALID_ARGUMENT, "whole number");
  }

  // ---- errors -------------------------------------------------------------------------------

  @Test
  void badRequestsAreInvalidArgumentWithRestsMessages() throws Exception {
    Fixture mlp = models.get("mlp");
    // the same bad shape over REST and gRPC: the same message
    HttpResponse<String> r =
        rest.post(
            "/v2/models/serve-mlp/infer",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 4], \"datatype\": \"FP64\","
                + " \"data\": [1, 2, 3, 4]}]}");
    String restError = ServingClient.json(r).get("error").asString();
    assertStatus(
        () ->
            grpc.modelInfer(
                request(mlp, 1)
                    .addInputs(
                        ModelInferRequest.InferInputTensor.newBuilder()
                            .setName("input")
                            .setDatatype("FP64")
                            .addShape(1)
                            .addShape(4)
                            .setContents(
                                InferTensorContents.newBuilder()
                                    .addAllFp64Contents(List.of(1.0, 2.0, 3.0, 4.0))))
                    .build()),
        Status.Code.INVALID_ARGUMENT,
        restError);
    assertStatus(
        () -> grpc.modelInfer(request(mlp, 1).addInputs(fp64("pixels", 1, 5)).build()),
        Status.Code.INVALID_ARGUMENT,
        "the model's one input is 'input'");
    assertStatus(
        () -> grpc.modelInfer(request(mlp, 1).build()),
        Status.Code.INVALID_ARGUMENT,
        "'inputs' is empty");
    assertStatus(
        () ->
            grpc.modelInfer(
                request(mlp, 1)
                    .addInputs(fp64("input", 1, 5))
                    .addOutputs(
                        ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("nope"))
                    .build()),
        Status.Code.INVALID_ARGUMENT,
        "no output 'nope'");
    assertStatus(
        () -> grpc.modelInfer(request(mlp, 1).addInputs(fp64("input", 51, 5)).build()),
        Status.Code.INVALID_ARGUMENT,
        "over the limit of 50 (maas.serving.max-instances)");
    assertStatus(
        () ->
            grpc.modelInfer(
                request(mlp, 1)
                    .addInputs(
                        input(mlp, 1, "FP32")
                            .setContents(
                                InferTensorContents.newBuilder()
                                    .addAllFp64Contents(List.of(1.0, 2.0, 3.0, 4.0, 5.0))))
                    .build()),
        Status.Code.INVALID_ARGUMENT,
        "fp64_contents, but datatype FP32 takes fp32_contents");
    assertStatus(
        () ->
            grpc.modelInfer(
                request(mlp, 1)
                    .addInputs(input(mlp, 1, "FP32"))
                    .addRawInputContents(ByteString.copyFrom(new byte[19]))
                    .build()),
        Status.Code.INVALID_ARGUMENT,
        "19 bytes, not a whole number of FP32");
    assertStatus(
        () ->
            grpc.modelInfer(
                request(mlp, 1)
                    .addInputs(input(mlp, 1, "FP32"))
                    .addInputs(input(mlp, 1, "FP32"))
                    .addRawInputContents(ByteString.copyFrom(new byte[20]))
                    .build()),
        Status.Code.INVALID_ARGUMENT,
        "raw_input_contents has 1 entries for 2 inputs");
    assertStatus(
        () -> grpc.modelInfer(request(mlp, 1).addInputs(input(mlp, 1, "COMPLEX")).build()),
        Status.Code.INVALID_ARGUMENT,
        "'COMPLEX' is not a numeric datatype");
    assertStatus(
        () ->
            grpc.modelInfer(
                request(mlp, 1)
                    .addInputs(input(mlp, 1, "FP32"))
                    .addRawInputContents(ByteString.copyFrom(new byte[70_000]))
                    .build()),
        Status.Code.RESOURCE_EXHAUSTED,
        "");
  }

  @Test
  void unknownModelsAreNotFound() {
    assertStatus(
        () -> grpc.modelMetadata(ModelMetadataRequest.newBuilder().setName("nobody").build()),
        Status.Code.NOT_FOUND,
        "nobody");
    assertStatus(
        () -> grpc.modelReady(ModelReadyRequest.newBuilder().setName("nobody").build()),
        Status.Code.NOT_FOUND,
        "nobody");
    assertStatus(
        () -> grpc.modelInfer(ModelInferRequest.newBuilder().setModelName("nobody").build()),
        Status.Code.NOT_FOUND,
        "nobody");
    assertStatus(
        () -> grpc.modelInfer(ModelInferRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT,
        "model name is missing");
  }

  // ---- keys, health, reflection, meters --------------------------------------------------

  @Test
  void theInferenceServiceNeedsAKeyAndHealthAndReflectionDoNot() throws Exception {
    var anonymous = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    assertStatus(
        () -> anonymous.serverLive(ServerLiveRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED,
        "an API key is required: send 'authorization: Bearer <key>'");
    assertStatus(
        () -> withKey(anonymous, "wrong").serverLive(ServerLiveRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED,
        "the API key is not valid");
    assertThat(
            withKey(anonymous, ADMIN_KEY)
                .serverLive(ServerLiveRequest.getDefaultInstance())
                .getLive())
        .isTrue();

    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    assertThat(
            health
                .check(
                    HealthCheckRequest.newBuilder()
                        .setService("inference.GRPCInferenceService")
                        .build())
                .getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

    CompletableFuture<List<String>> services = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> ask =
        ServerReflectionGrpc.newStub(channel)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse value) {
                    services.complete(
                        value.getListServicesResponse().getServiceList().stream()
                            .map(s -> s.getName())
                            .toList());
                  }

                  @Override
                  public void onError(Throwable t) {
                    services.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    ask.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    ask.onCompleted();
    assertThat(services.get(10, TimeUnit.SECONDS))
        .contains("inference.GRPCInferenceService", "grpc.health.v1.Health");
  }

  @Test
  void aKeyOverItsRateLimitIsResourceExhaustedWithRetryAfter() throws Exception {
    var stub = withKey(GRPCInferenceServiceGrpc.newFutureStub(channel), BURST_KEY);
    List<com.google.common.util.concurrent.ListenableFuture<?>> calls = new ArrayList<>();
    for (int i = 0; i < 1200; i++) {
      calls.add(stub.serverLive(ServerLiveRequest.getDefaultInstance()));
    }
    StatusRuntimeException refused = null;
    for (var call : calls) {
      try {
        call.get(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        refused = (StatusRuntimeException) e.getCause();
      }
    }
    assertThat(refused).as("1200 calls at once: some over 200/s, burst 400").isNotNull();
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(refused.getStatus().getDescription())
        .contains("API key 'burst' is over its rate limit of 200 requests per second");
    assertThat(
            refused
                .getTrailers()
                .get(Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER)))
        .isNotNull();
  }

  @Test
  void predictionMetersCarryTheProtocol() throws Exception {
    Fixture cnn = models.get("cnn");
    grpc.modelInfer(
        request(cnn, 1)
            .addInputs(input(cnn, 1, "FP64"))
            .addRawInputContents(rawDoubles(flat(new double[][] {cnn.rows()[0]})))
            .build());
    rest.post(
        "/v2/models/serve-cnn/infer",
        "{\"inputs\": [{\"name\": \"input\", \"shape\": "
            + shapeJson(cnn, 1)
            + ", \"datatype\": \"FP64\", \"data\": "
            + rows(new double[][] {cnn.rows()[0]})
            + "}]}");
    assertStatus(
        () -> grpc.modelInfer(request(cnn, 1).addInputs(fp64("input", 1, 3)).build()),
        Status.Code.INVALID_ARGUMENT,
        "does not match");
    String scrape = rest.get("/actuator/prometheus").body();
    assertThat(scrape)
        .containsPattern(
            "maas_predictions_total\\{family=\"cnn\",model=\"serve-cnn\",outcome=\"success\","
                + "protocol=\"grpc\",version=\"1\"} [1-9]")
        .containsPattern(
            "maas_predictions_total\\{family=\"cnn\",model=\"serve-cnn\",outcome=\"success\","
                + "protocol=\"rest\",version=\"1\"} [1-9]")
        .containsPattern(
            "maas_predictions_total\\{family=\"cnn\",model=\"serve-cnn\",outcome=\"client_error\","
                + "protocol=\"grpc\",version=\"1\"} [1-9]")
        .containsPattern(
            "maas_prediction_rows_total\\{family=\"cnn\",model=\"serve-cnn\",version=\"1\"} [1-9]");
  }

  // ---- a client nobody here wrote: Python's grpcio ---------------------------------------------

  @Test
  void pythonsGrpcioCallsEveryRpcTypedAndRawAndGetsTheseAnswers() throws Exception {
    PythonGrpc python = PythonGrpc.require();
    for (String family : List.of("mlp", "linear_regression")) {
      Fixture f = models.get(family);
      int n = f.rows().length;
      List<Long> shape = new ArrayList<>(List.of((long) n));
      for (int d : f.shape()) {
        shape.add((long) d);
      }
      String request =
          ServingClient.JSON.writeValueAsString(
              Map.of("model", name(f), "shape", shape, "values", flat(f.rows())));
      JsonNode answer =
          ServingClient.JSON.readTree(
              python.script(
                  Path.of("src/test/resources/python/oip_grpc_client.py"),
                  "127.0.0.1:" + GRPC_PORT,
                  PREDICT_KEY,
                  request));

      assertThat(answer.get("live").asBoolean()).isTrue();
      assertThat(answer.get("ready").asBoolean()).isTrue();
      assertThat(answer.get("server").get("name").asString()).isEqualTo("maas");
      assertThat(answer.get("model_ready").asBoolean()).isTrue();
      JsonNode restMetadata = ServingClient.json(rest.get("/v2/models/" + name(f)));
      assertThat(describe(answer.get("metadata").get("inputs")))
          .isEqualTo(describe(restMetadata.get("inputs")));
      assertThat(describe(answer.get("metadata").get("outputs")))
          .isEqualTo(describe(restMetadata.get("outputs")));
      assertThat(answer.get("metadata").get("platform").asString()).isEqualTo("maas_nd4j");

      // the same request from Java: Python's typed and raw answers are these, bit for bit
      ModelInferResponse expected =
          grpc.modelInfer(
              request(f, n)
                  .addInputs(input(f, n, "FP64"))
                  .addRawInputContents(rawDoubles(flat(f.rows())))
                  .build());
      for (String kind : List.of("typed", "raw")) {
        JsonNode got = answer.get(kind);
        assertThat(got.get("id").asString()).isEqualTo("python-" + kind);
        assertThat(got.get("raw").asBoolean()).isEqualTo(kind.equals("raw"));
        assertThat(got.get("model_version").asString()).isEqualTo("1");
        assertThat(got.get("outputs").size()).isEqualTo(expected.getOutputsCount());
        for (int o = 0; o < expected.getOutputsCount(); o++) {
          ModelInferResponse.InferOutputTensor t = expected.getOutputs(o);
          JsonNode out = got.get("outputs").get(o);
          assertThat(out.get("name").asString()).isEqualTo(t.getName());
          assertThat(longs(out.get("shape"))).isEqualTo(t.getShapeList());
          List<String> data = new ArrayList<>();
          out.get("data").forEach(v -> data.add(v.asString()));
          assertThat(bits(t.getDatatype(), data))
              .as(family + " " + kind + " " + t.getName())
              .isEqualTo(rawData(t.getDatatype(), expected.getRawOutputContents(o)));
        }
      }
      JsonNode errors = answer.get("errors");
      assertThat(errors.get("no_key").asString()).startsWith("UNAUTHENTICATED: an API key");
      assertThat(errors.get("not_found").asString()).startsWith("NOT_FOUND").contains("nobody");
      assertThat(errors.get("bad_shape").asString())
          .startsWith("INVALID_ARGUMENT: inputs[0].shape [1, 1] does not match");
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  private ModelInferResponse infer(String model, String version, Fixture f) {
    return grpc.modelInfer(
        ModelInferRequest.newBuilder()
            .setModelName(model)
            .setModelVersion(version)
            .addInputs(input(f, 1, "FP64"))
            .addRawInputContents(rawDoubles(f.rows()[0]))
            .build());
  }

  private static ModelInferRequest.Builder request(Fixture f, int n) {
    return ModelInferRequest.newBuilder().setModelName(name(f));
  }

  private static ModelInferRequest.InferInputTensor.Builder input(Fixture f, int n, String type) {
    ModelInferRequest.InferInputTensor.Builder t =
        ModelInferRequest.InferInputTensor.newBuilder()
            .setName("input")
            .setDatatype(type)
            .addShape(n);
    for (int d : f.shape()) {
      t.addShape(d);
    }
    return t;
  }

  private static ModelInferRequest.InferInputTensor.Builder fp64(String name, int n, int width) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (int i = 0; i < n * width; i++) {
      c.addFp64Contents(i);
    }
    return ModelInferRequest.InferInputTensor.newBuilder()
        .setName(name)
        .setDatatype("FP64")
        .addShape(n)
        .addShape(width)
        .setContents(c);
  }

  private static ByteString rawDoubles(double[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      b.putDouble(v);
    }
    return ByteString.copyFrom(b.array());
  }

  /** Typed output values as exact bit patterns (or the text of BYTES). */
  private static List<String> typedData(ModelInferResponse.InferOutputTensor t) {
    InferTensorContents c = t.getContents();
    return switch (t.getDatatype()) {
      case "BYTES" -> c.getBytesContentsList().stream().map(ByteString::toStringUtf8).toList();
      case "FP32" ->
          c.getFp32ContentsList().stream()
              .map(v -> Integer.toHexString(Float.floatToIntBits(v)))
              .toList();
      default ->
          c.getFp64ContentsList().stream()
              .map(v -> Long.toHexString(Double.doubleToLongBits(v)))
              .toList();
    };
  }

  private static List<String> rawData(String datatype, ByteString raw) {
    ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    List<String> out = new ArrayList<>();
    while (b.hasRemaining()) {
      switch (datatype) {
        case "BYTES" -> {
          byte[] text = new byte[b.getInt()];
          b.get(text);
          out.add(new String(text, StandardCharsets.UTF_8));
        }
        case "FP32" -> out.add(Integer.toHexString(Float.floatToIntBits(b.getFloat())));
        default -> out.add(Long.toHexString(Double.doubleToLongBits(b.getDouble())));
      }
    }
    return out;
  }

  /** REST's JSON numbers read back at the datatype's precision, as exact bit patterns. */
  private static List<String> bits(String datatype, List<String> restData) {
    return switch (datatype) {
      case "BYTES" -> restData;
      case "FP32" ->
          restData.stream()
              .map(v -> Integer.toHexString(Float.floatToIntBits(Float.parseFloat(v))))
              .toList();
      default ->
          restData.stream()
              .map(v -> Long.toHexString(Double.doubleToLongBits(Double.parseDouble(v))))
              .toList();
    };
  }

  private static String describe(List<ModelMetadataResponse.TensorMetadata> tensors) {
    return tensors.stream()
        .map(t -> t.getName() + ":" + t.getDatatype() + ":" + t.getShapeList())
        .collect(Collectors.joining(";"));
  }

  private static String describe(JsonNode tensors) {
    List<String> out = new ArrayList<>();
    tensors.forEach(
        t ->
            out.add(
                t.get("name").asString()
                    + ":"
                    + t.get("datatype").asString()
                    + ":"
                    + longs(t.get("shape"))));
    return String.join(";", out);
  }

  private static List<Long> longs(JsonNode array) {
    List<Long> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asLong()));
    return out;
  }

  private static String shapeJson(Fixture f, int n) {
    StringBuilder s = new StringBuilder("[").append(n);
    for (int d : f.shape()) {
      s.append(',').append(d);
    }
    return s.append(']').toString();
  }

  private static void assertStatus(Runnable call, Status.Code code, String message) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
              assertThat(e.getStatus().getDescription()).contains(message);
            });
  }

  private static <S extends io.grpc.stub.AbstractStub<S>> S withKey(S stub, String key) {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static String name(Fixture f) {
    return "serve-" + f.family().replace('_', '-');
  }

  private static String sha256(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() {
    try {
      return PackagedServer.freePort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

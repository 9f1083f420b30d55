package dev.maas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.compute.DenseLayerSpec;
import dev.maas.compute.Examples;
import dev.maas.compute.MlpSpec;
import dev.maas.compute.ModelCodec;
import dev.maas.compute.Trainer;
import dev.maas.compute.TrainingParams;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class RegistryApiTest {
  private static final Path STORAGE =
      Path.of("target", "test-data", "registry-api-" + UUID.randomUUID());
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int MAX_ARTIFACT = 256 * 1024;
  private static byte[] modelFile;

  @LocalServerPort int port;

  private final HttpClient http = HttpClient.newHttpClient();

  @DynamicPropertySource
  static void storage(DynamicPropertyRegistry properties) {
    properties.add("maas.storage.path", STORAGE::toString);
    properties.add("maas.registry.max-artifact-size", () -> MAX_ARTIFACT + "B");
  }

  @BeforeAll
  static void trainATinyModel() {
    int rows = 16;
    double[] features = new double[rows * 2];
    String[] labels = new String[rows];
    for (int i = 0; i < rows; i++) {
      features[2 * i] = i % 2 == 0 ? 1.0 + 0.1 * i : -1.0 - 0.1 * i;
      features[2 * i + 1] = 0.05 * i;
      labels[i] = i % 2 == 0 ? "even" : "odd";
    }
    var model =
        new Trainer()
            .train(
                new MlpSpec(List.of(new DenseLayerSpec(4))),
                TrainingParams.defaults().withEpochs(2).withBatchSize(8),
                Examples.classification(new int[] {2}, features, labels))
            .model();
    modelFile = ModelCodec.toBytes(model);
  }

  // ---- import, download, re-import -----------------------------------------------------------

  @Test
  void importingAModelFileCreatesVersionOneWithItsMetadataAndLocation() throws Exception {
    HttpResponse<String> created = importFile("import-one", modelFile);

    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).endsWith("/api/v1/models/import-one/versions/1"));
    JsonNode v = json(created);
    assertThat(v.get("name").asString()).isEqualTo("import-one");
    assertThat(v.get("version").asInt()).isEqualTo(1);
    assertThat(v.get("family").asString()).isEqualTo("mlp");
    assertThat(v.get("task").asString()).isEqualTo("classification");
    assertThat(v.get("status").asString()).isEqualTo("ready");
    assertThat(v.get("artifactSize").asLong()).isEqualTo(modelFile.length);
    assertThat(v.get("artifactSha256").asString()).isEqualTo(FileRegistryStore.sha256(modelFile));
    assertThat(v.get("createdAt").isString()).as("createdAt is an ISO-8601 string").isTrue();
    assertThat(v.get("createdAt").asString()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(v.get("lineage").get("trainingJobId").isNull()).isTrue();
    assertThat(v.get("spec").isObject()).isTrue();

    JsonNode fetched = json(get(created.headers().firstValue("Location").orElseThrow()));
    assertThat(fetched).isEqualTo(v);
    JsonNode model = json(get("/api/v1/models/import-one"));
    assertThat(model.get("latestVersion").asInt()).isEqualTo(1);
    assertThat(model.get("createdAt").isString()).isTrue();
    assertThat(model.get("aliases").isObject()).isTrue();
  }

  @Test
  void aDownloadedArtifactReimportsIntoAnotherNameWithIdenticalBytesAndMetadata() throws Exception {
    JsonNode original = json(importFile("round-trip", modelFile));

    HttpResponse<byte[]> download = getBytes("/api/v1/models/round-trip/versions/1/artifact");
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.body()).isEqualTo(modelFile);
    String sha = FileRegistryStore.sha256(modelFile);
    assertThat(download.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
    assertThat(download.headers().firstValue("Content-Disposition"))
        .hasValue("attachment; filename=\"round-trip-1.maas\"");
    assertThat(download.headers().firstValue("ETag")).hasValue('"' + sha + '"');
    assertThat(download.headers().firstValue("X-Checksum-SHA256")).hasValue(sha);

    JsonNode copy = json(importFile("round-trip-copy", download.body()));
    assertThat(getBytes("/api/v1/models/round-trip-copy/versions/1/artifact").body())
        .isEqualTo(modelFile);
    for (String field :
        List.of(
            "family",
            "task",
            "spec",
            "training",
            "metrics",
            "learningCurve",
            "lineage",
            "artifactSize",
            "artifactSha256",
            "status",
            "tags",
            "description")) {
      assertThat(copy.get(field)).as(field).isEqualTo(original.get(field));
    }
  }

  @Test
  void anArtifactIsNotSentAgainWhenTheClientHasItsETag() throws Exception {
    importFile("cached", modelFile);
    String etag = '"' + FileRegistryStore.sha256(modelFile) + '"';
    HttpResponse<byte[]> again =
        http.send(
            request("/api/v1/models/cached/versions/1/artifact")
                .header("If-None-Match", etag)
                .build(),
            BodyHandlers.ofByteArray());
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
  }

  @Test
  void aCorruptArtifactIsA409ProblemAndIsNeverSent() throws Exception {
    importFile("rotten", modelFile);
    Path file = STORAGE.resolve("models/rotten/1/model.maas");
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x5a;
    Files.write(file, bytes);

    assertProblem(get("/api/v1/models/rotten/versions/1/artifact"), 409, "corrupt");
    assertThat(json(get("/api/v1/models/rotten/versions/1")).get("status").asString())
        .isEqualTo("corrupt");
  }

  @Test
  void aFileThatIsNotAModelIsRefusedWith400() throws Exception {
    assertProblem(
        importFile("junk", "not a model".getBytes(StandardCharsets.UTF_8)),
        400,
        "not a valid maas model file");
    assertProblem(importFile("junk", new byte[0]), 400, "the request body) is missing");
    assertProblem(get("/api/v1/models/junk"), 404, "no model named 'junk'");
  }

  @Test
  void aModelFileOverTheLimitIsRefusedWith413() throws Exception {
    assertThat(modelFile.length).isLessThan(MAX_ARTIFACT);
    assertProblem(importFile("huge", new byte[MAX_ARTIFACT + 1]), 413, "over the limit");
    assertProblem(get("/api/v1/models/huge"), 404, "huge");
    assertThat(importFile("huge", modelFile).statusCode()).isEqualTo(201);
  }

  @Test
  void anImportInAnotherContentTypeIs415() throws Exception {
    HttpResponse<String> r =
        http.send(
            request("/api/v1/models/typed/versions")
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{}"))
                .build(),
            BodyHandlers.ofString());
    assertProblem(r, 415, null);
  }

  // ---- listing --------------------------------------------------------------------------------

  @Test
  void modelsAreListedByPrefixAndTagAndPaged() throws Exception {
    for (String name : List.of("list-a", "list-b", "list-c")) {
      importFile(name, modelFile);
    }
    patch("/api/v1/models/list-b", "{\"tags\": {\"team\": \"red\"}}");
    patch("/api/v1/models/list-c", "{\"tags\": {\"team\": \"blue\"}}");

    JsonNode all = json(get("/api/v1/models?prefix=list-"));
    assertThat(names(all)).containsExactly("list-a", "list-b", "list-c");
    assertThat(all.get("total").asInt()).isEqualTo(3);
    assertThat(all.get("offset").asInt()).isZero();
    assertThat(all.get("limit").asInt()).isEqualTo(50);

    JsonNode page = json(get("/api/v1/models?prefix=list-&offset=1&limit=1"));
    assertThat(names(page)).containsExactly("list-b");
    assertThat(page.get("total").asInt()).isEqualTo(3);
    assertThat(names(json(get("/api/v1/models?prefix=list-&offset=5")))).isEmpty();

    assertThat(names(json(get("/api/v1/models?prefix=list-&tag=team"))))
        .containsExactly("list-b", "list-c");
    assertThat(names(json(get("/api/v1/models?prefix=list-&tag=team:blue"))))
        .containsExactly("list-c");
  }

  @Test
  void paginationOutOfRangeIs400() throws Exception {
    assertProblem(get("/api/v1/models?limit=0"), 400, "'limit'");
    assertProblem(get("/api/v1/models?limit=1001"), 400, "'limit'");
    assertProblem(get("/api/v1/models?offset=-1"), 400, "'offset'");
    assertProblem(get("/api/v1/models?limit=many"), 400, "'limit' must be an integer");
    assertProblem(get("/api/v1/models?tag=:x"), 400, "'tag'");
    assertThat(json(get("/api/v1/models?limit=1000")).get("limit").asInt()).isEqualTo(1000);
  }

  // ---- names and unknowns ---------------------------------------------------------------------

  @Test
  void invalidNamesAre400AndStateTheRule() throws Exception {
    for (String bad : List.of("Bad%20Name", "-x", "a".repeat(64))) {
      assertProblem(get("/api/v1/models/" + bad), 400, Names.RULE);
      assertProblem(get("/api/v1/models/" + bad + "/versions"), 400, Names.RULE);
      assertProblem(importFile(bad, modelFile), 400, Names.RULE);
    }
    assertThat(get("/api/v1/models/" + "a".repeat(63)).statusCode()).isEqualTo(404);
  }

  @Test
  void unknownModelsVersionsAndAliasesAre404() throws Exception {
    importFile("known", modelFile);
    assertProblem(get("/api/v1/models/unknown"), 404, "no model named 'unknown'");
    assertProblem(get("/api/v1/models/unknown/versions"), 404, "unknown");
    assertProblem(get("/api/v1/models/known/versions/7"), 404, "no version 7");
    assertProblem(get("/api/v1/models/known/versions/7/artifact"), 404, "no version 7");
    assertProblem(get("/api/v1/models/known/aliases/prod"), 404, "no alias 'prod'");
    assertProblem(delete("/api/v1/models/known/aliases/prod"), 404, "no alias 'prod'");
    assertProblem(delete("/api/v1/models/unknown"), 404, "unknown");
    assertProblem(delete("/api/v1/models/known/versions/7"), 404, "no version 7");
    assertProblem(patch("/api/v1/models/unknown", "{}"), 404, "unknown");
    assertProblem(patch("/api/v1/models/known/versions/7", "{}"), 404, "no version 7");
  }

  @Test
  void aVersionThatIsNotANumberIs400() throws Exception {
    importFile("numbers", modelFile);
    assertProblem(get("/api/v1/models/numbers/versions/abc"), 400, "'version' must be an integer");
    assertProblem(
        get("/api/v1/models/numbers/versions/99999999999"), 400, "'version' must be an integer");
  }

  @Test
  void anUnsupportedMethodIs405() throws Exception {
    HttpResponse<String> r =
        http.send(
            request("/api/v1/models/whatever").POST(BodyPublishers.noBody()).build(),
            BodyHandlers.ofString());
    assertProblem(r, 405, null);
    assertThat(r.headers().firstValue("Allow")).isPresent();
  }

  // ---- patches --------------------------------------------------------------------------------

  @Test
  void patchingAModelChangesOnlyTheFieldsSent() throws Exception {
    importFile("patched", modelFile);
    JsonNode described = json(patch("/api/v1/models/patched", "{\"description\": \"churn\"}"));
    assertThat(described.get("description").asString()).isEqualTo("churn");

    JsonNode tagged = json(patch("/api/v1/models/patched", "{\"tags\": {\"team\": \"red\"}}"));
    assertThat(tagged.get("description").asString()).isEqualTo("churn");
    assertThat(tagged.get("tags").get("team").asString()).isEqualTo("red");
    assertThat(json(get("/api/v1/models/patched"))).isEqualTo(tagged);
  }

  @Test
  void patchingAVersionChangesDescriptionAndTagsButNothingElse() throws Exception {
    JsonNode before = json(importFile("labelled", modelFile));
    HttpResponse<String> r =
        patch(
            "/api/v1/models/labelled/versions/1",
            "{\"description\": \"first\", \"tags\": {\"stage\": \"test\"}}");
    assertThat(r.statusCode()).isEqualTo(200);
    ObjectNode after = (ObjectNode) json(r);
    assertThat(after.get("description").asString()).isEqualTo("first");
    assertThat(after.get("tags").get("stage").asString()).isEqualTo("test");

    ObjectNode expected = ((ObjectNode) before).deepCopy();
    expected.set("description", after.get("description"));
    expected.set("tags", after.get("tags"));
    assertThat(after).isEqualTo(expected);
    assertThat(json(get("/api/v1/models/labelled/versions/1"))).isEqualTo(after);

    assertProblem(
        patch("/api/v1/models/labelled/versions/1", "{\"family\": \"cnn\"}"), 400, "'family'");
    assertProblem(
        patch("/api/v1/models/labelled/versions/1", "{\"tags\": {\"n\": 1}}"), 400, "'tags.n'");
    assertProblem(patch("/api/v1/models/labelled/versions/1", "[]"), 400, "JSON object");
    assertThat(json(get("/api/v1/models/labelled/versions/1"))).isEqualTo(after);
  }

  @Test
  void aMalformedJsonBodyIs400AndAnotherContentTypeIs415() throws Exception {
    importFile("malformed", modelFile);
    HttpResponse<String> r = patch("/api/v1/models/malformed", "{\"description\": ");
    assertProblem(r, 400, "not valid JSON");
    assertThat(r.body()).doesNotContain("dev.maas").doesNotContain("at org.");
    HttpResponse<String> text =
        http.send(
            request("/api/v1/models/malformed")
                .header("Content-Type", "text/plain")
                .method("PATCH", BodyPublishers.ofString("hello"))
                .build(),
            BodyHandlers.ofString());
    assertProblem(text, 415, null);
  }

  // ---- aliases and deletes --------------------------------------------------------------------

  @Test
  void anAliasNamesAVersionAndProtectsItFromDeletion() throws Exception {
    importFile("aliased", modelFile);
    importFile("aliased", modelFile);

    HttpResponse<String> put = put("/api/v1/models/aliased/aliases/production", "{\"version\": 1}");
    assertThat(put.statusCode()).isEqualTo(200);
    assertThat(json(put).get("alias").asString()).isEqualTo("production");
    assertThat(json(put).get("version").asInt()).isEqualTo(1);
    assertThat(json(get("/api/v1/models/aliased/aliases/production"))).isEqualTo(json(put));
    assertThat(json(get("/api/v1/models/aliased")).get("aliases").get("production").asInt())
        .isEqualTo(1);

    assertProblem(delete("/api/v1/models/aliased/versions/1"), 409, "production");

    HttpResponse<String> moved =
        put("/api/v1/models/aliased/aliases/production", "{\"version\": 2}");
    assertThat(json(moved).get("version").asInt()).isEqualTo(2);
    assertThat(delete("/api/v1/models/aliased/versions/1").statusCode()).isEqualTo(204);
    assertProblem(get("/api/v1/models/aliased/versions/1"), 404, "no version 1");
    assertThat(versionNumbers(json(get("/api/v1/models/aliased/versions")))).containsExactly(2);

    assertThat(delete("/api/v1/models/aliased/aliases/production").statusCode()).isEqualTo(204);
    assertProblem(get("/api/v1/models/aliased/aliases/production"), 404, "production");
  }

  @Test
  void anAliasNeedsAnIntegerVersionThatExistsAndANameThatIsNotANumber() throws Exception {
    importFile("strict", modelFile);
    String path = "/api/v1/models/strict/aliases/staging";
    assertProblem(put(path, "{}"), 400, "'version' is required");
    assertProblem(put(path, "{\"version\": \"1\"}"), 400, "'version' must be");
    assertProblem(put(path, "{\"version\": 1.5}"), 400, "'version' must be");
    assertProblem(put(path, "{\"version\": \"abc\"}"), 400, "'version' must be");
    assertProblem(put(path, "{\"version\": 0}"), 400, "'version' must be");
    assertProblem(put(path, "{\"version\": 9}"), 404, "no version 9");
    assertProblem(put("/api/v1/models/strict/aliases/3", "{\"version\": 1}"), 400, "number");
    assertProblem(put("/api/v1/models/strict/aliases/Prod", "{\"version\": 1}"), 400, Names.RULE);
    assertProblem(put("/api/v1/models/nobody/aliases/prod", "{\"version\": 1}"), 404, "nobody");
  }

  @Test
  void deletingAModelRemovesItAndEverythingInIt() throws Exception {
    importFile("doomed", modelFile);
    put("/api/v1/models/doomed/aliases/prod", "{\"version\": 1}");
    assertThat(delete("/api/v1/models/doomed").statusCode()).isEqualTo(204);
    assertProblem(get("/api/v1/models/doomed"), 404, "doomed");
    assertProblem(get("/api/v1/models/doomed/versions/1/artifact"), 404, "doomed");
    JsonNode again = json(importFile("doomed", modelFile));
    assertThat(again.get("version").asInt()).isEqualTo(1);
  }

  // ---- helpers --------------------------------------------------------------------------------

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(request(path).build(), BodyHandlers.ofString());
  }

  private HttpResponse<byte[]> getBytes(String path) throws Exception {
    return http.send(request(path).build(), BodyHandlers.ofByteArray());
  }

  private HttpResponse<String> delete(String path) throws Exception {
    return http.send(request(path).DELETE().build(), BodyHandlers.ofString());
  }

  private HttpResponse<String> patch(String path, String body) throws Exception {
    return send(path, "PATCH", BodyPublishers.ofString(body));
  }

  private HttpResponse<String> put(String path, String body) throws Exception {
    return send(path, "PUT", BodyPublishers.ofString(body));
  }

  private HttpResponse<String> send(String path, String method, BodyPublisher body)
      throws Exception {
    return http.send(
        request(path).header("Content-Type", "application/json").method(method, body).build(),
        BodyHandlers.ofString());
  }

  private HttpResponse<String> importFile(String name, byte[] file) throws Exception {
    return http.send(
        request("/api/v1/models/" + name + "/versions")
            .header("Content-Type", "application/octet-stream")
            .POST(BodyPublishers.ofByteArray(file))
            .build(),
        BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) {
    return JSON.readTree(response.body());
  }

  private static List<String> names(JsonNode page) {
    return page.get("models").valueStream().map(m -> m.get("name").asString()).toList();
  }

  private static List<Integer> versionNumbers(JsonNode list) {
    return list.get("versions").valueStream().map(v -> v.get("version").asInt()).toList();
  }

  /** A problem details body with this status, its reason phrase and (if given) this detail. */
  private static void assertProblem(HttpResponse<String> r, int status, String detail) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("status").asInt()).isEqualTo(status);
    assertThat(body.get("title").asString()).isNotBlank();
    assertThat(body.get("detail").asString()).isNotBlank();
    if (detail != null) {
      assertThat(body.get("detail").asString()).contains(detail);
    }
    assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
  }
}

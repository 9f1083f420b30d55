package dev.maas.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The configurable limits of training: a wall-clock limit per job and a cap on epochs x rows. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class TrainingLimitsTest {
  private static final Path STORAGE =
      Path.of("target", "test-data", "training-limits-" + UUID.randomUUID());
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @LocalServerPort int port;

  private final HttpClient http = HttpClient.newHttpClient();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry properties) {
    properties.add("maas.storage.path", STORAGE::toString);
    properties.add("maas.training.wall-clock-limit", () -> "500ms");
    properties.add("maas.training.max-epoch-rows", () -> 1_000_000);
  }

  @Test
  void aJobOverTheWallClockLimitFailsWithThatReason() throws Exception {
    String iris = upload();
    JsonNode job =
        json(
            post(
                "{\"model\": \"iris-slow\", \"family\": \"mlp\", \"dataset\": \""
                    + iris
                    + "\", \"target\": \"species\","
                    + " \"training\": {\"epochs\": 5000, \"batchSize\": 1}}"));
    String id = job.get("id").asString();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!job.get("state").asString().equals("failed") && System.nanoTime() < deadline) {
      assertThat(job.get("state").asString()).isIn("queued", "running");
      Thread.sleep(50);
      job = json(get("/api/v1/training-jobs/" + id));
    }
    assertThat(job.get("state").asString()).isEqualTo("failed");
    assertThat(job.get("error").asString()).contains("wall-clock limit");
  }

  @Test
  void aJobOverTheCapOnEpochsTimesRowsFailsWithThatReasonWithoutTraining() throws Exception {
    String iris = upload();
    HttpResponse<String> r =
        post(
            "{\"model\": \"iris-big\", \"family\": \"mlp\", \"dataset\": \""
                + iris
                + "\", \"target\": \"species\", \"training\": {\"epochs\": 10000}}");
    assertThat(r.statusCode()).isEqualTo(202);
    String id = json(r).get("id").asString();
    JsonNode job = json(r);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!job.get("state").asString().equals("failed") && System.nanoTime() < deadline) {
      Thread.sleep(20);
      job = json(get("/api/v1/training-jobs/" + id));
    }
    assertThat(job.get("state").asString()).isEqualTo("failed");
    assertThat(job.get("error").asString())
        .contains("10000 x 120 = 1200000, over maas.training.max-epoch-rows = 1000000");
    assertThat(job.get("learningCurve").size()).isZero();
  }

  private String upload() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri("/api/v1/datasets?name=iris"))
                .header("Content-Type", "text/csv")
                .POST(
                    BodyPublishers.ofString(
                        Files.readString(Path.of("src/test/resources/datasets/iris.csv"))))
                .build(),
            BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(201);
    return json(r).get("id").asString();
  }

  private HttpResponse<String> post(String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri("/api/v1/training-jobs"))
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(body))
            .build(),
        BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).build(), BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://localhost:" + port + path);
  }

  private static JsonNode json(HttpResponse<String> r) {
    return JSON.readTree(r.body());
  }
}

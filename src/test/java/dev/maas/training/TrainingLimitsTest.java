package dev.maas.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The configurable limits of training (a wall-clock limit per job and a cap on epochs x rows), and
 * how a job that fails tells its caller why.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class TrainingLimitsTest {
  private static final Path STORAGE =
      Path.of("target", "test-data", "training-limits-" + UUID.randomUUID());

  @LocalServerPort int port;

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

  @Test
  void aJobThatFailsInsideTheServerSaysWhatFailedAndWhereToLookWithoutAStackMessage(
      CapturedOutput output) throws Exception {
    String iris = upload();
    // A file where the registry would create the model's folder: the server cannot store the
    // trained model, a failure of the server's storage, not of the request.
    Path blocked = STORAGE.resolve("models").resolve("iris-blocked");
    Files.createDirectories(blocked.getParent());
    Files.writeString(blocked, "not a folder");
    HttpResponse<String> r =
        post(
            "{\"model\": \"iris-blocked\", \"family\": \"logistic_regression\", \"dataset\":"
                + " \""
                + iris
                + "\", \"target\": \"species\"}");
    assertThat(r.statusCode()).isEqualTo(202);
    String id = json(r).get("id").asString();
    JsonNode job = json(r);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!job.get("state").asString().equals("failed") && System.nanoTime() < deadline) {
      Thread.sleep(20);
      job = json(get("/api/v1/training-jobs/" + id));
    }
    assertThat(job.get("state").asString()).isEqualTo("failed");
    String error = job.get("error").asString();
    assertThat(error)
        .matches(
            "training failed because of an internal error in the server; the server log has the"
                + " details under reference err-[0-9a-f]{8}")
        .doesNotContain("Exception")
        .doesNotContain("java.");
    String reference = error.substring(error.lastIndexOf(' ') + 1);
    assertThat(output.getAll())
        .as("the log names the job and the reference, with the exception")
        .containsPattern(
            "training job "
                + id
                + ": training failed because of an internal error in the server \\(reference "
                + reference
                + "\\)\\s+[a-zA-Z.]*Exception");
  }

  private String upload() throws Exception {
    return api().uploadCsv("iris", Files.readString(JobsClient.dataset("iris.csv")));
  }

  private HttpResponse<String> post(String body) throws Exception {
    return api().submit(body, null);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return api().get(path);
  }

  private JobsClient api() {
    return new JobsClient("http://localhost:" + port);
  }

  private static JsonNode json(HttpResponse<String> r) {
    return JobsClient.json(r);
  }
}

package dev.maas.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.MaasApplication;
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
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A server stopped while one job trains and another waits: the next server over the same folder
 * lists both, fails the interrupted one with that reason and runs the waiting one.
 */
class JobRestartTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final Path storage = Path.of("target", "test-data", "restart-" + UUID.randomUUID());
  private final HttpClient http = HttpClient.newHttpClient();

  private ConfigurableApplicationContext start() {
    return new SpringApplicationBuilder(MaasApplication.class)
        .properties(
            "server.port=0",
            "maas.storage.path=" + storage,
            "maas.training.workers=1",
            "maas.training.queue-capacity=4")
        .run();
  }

  @Test
  void aRestartFailsTheInterruptedJobAndRunsTheQueuedOne() throws Exception {
    String running;
    String queued;
    try (ConfigurableApplicationContext first = start()) {
      String base = base(first);
      String iris =
          json(send(
                  base,
                  "/api/v1/datasets?name=iris",
                  "text/csv",
                  Files.readString(Path.of("src/test/resources/datasets/iris.csv"))))
              .get("id")
              .asString();
      running =
          submit(
              base,
              "{\"model\": \"long\", \"family\": \"mlp\", \"dataset\": \""
                  + iris
                  + "\", \"target\": \"species\", \"training\": {\"epochs\": 100000, \"batchSize\": 1}}");
      awaitState(base, running, "running");
      queued =
          submit(
              base,
              "{\"model\": \"short\", \"family\": \"logistic_regression\", \"dataset\": \""
                  + iris
                  + "\", \"target\": \"species\"}");
      assertThat(job(base, queued).get("state").asString()).isEqualTo("queued");
    }
    try (ConfigurableApplicationContext second = start()) {
      String base = base(second);
      JsonNode interrupted = job(base, running);
      assertThat(interrupted.get("state").asString()).isEqualTo("failed");
      assertThat(interrupted.get("error").asString()).isEqualTo("interrupted by restart");
      JsonNode ran = awaitState(base, queued, "succeeded");
      assertThat(ran.get("modelVersion").get("name").asString()).isEqualTo("short");
    }
  }

  private static String base(ConfigurableApplicationContext context) {
    return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
  }

  private String submit(String base, String body) throws Exception {
    HttpResponse<String> r = send(base, "/api/v1/training-jobs", "application/json", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return json(r).get("id").asString();
  }

  private JsonNode awaitState(String base, String id, String state) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode job = job(base, id);
    while (!job.get("state").asString().equals(state) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      job = job(base, id);
    }
    assertThat(job.get("state").asString()).as(job.toString()).isEqualTo(state);
    return job;
  }

  private JsonNode job(String base, String id) throws Exception {
    return json(
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/training-jobs/" + id)).build(),
            BodyHandlers.ofString()));
  }

  private HttpResponse<String> send(String base, String path, String type, String body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", type)
            .POST(BodyPublishers.ofString(body))
            .build(),
        BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r) {
    return JSON.readTree(r.body());
  }
}

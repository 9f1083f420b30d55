package dev.maas.comparison;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.MaasApplication;
import dev.maas.training.JobsClient;
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

/**
 * A server stopped while a comparison's second candidate trains: the next server over the same
 * folder lists the comparison, follows the candidate's job (carried on from its checkpoint) and
 * finishes the comparison, with the first candidate's figures kept. The two servers run one after
 * the other in this JVM, as {@code JobRestartTest}'s do.
 */
class ComparisonRestartTest {
  private final Path storage =
      Path.of("target", "test-data", "comparison-restart-" + UUID.randomUUID());
  private final HttpClient http = HttpClient.newHttpClient();

  private ConfigurableApplicationContext start() {
    return new SpringApplicationBuilder(MaasApplication.class)
        .properties("server.port=0", "maas.storage.path=" + storage)
        .run();
  }

  @Test
  void aComparisonInterruptedByARestartCarriesOnAndFinishes() throws Exception {
    String id;
    JsonNode before;
    try (ConfigurableApplicationContext first = start()) {
      String base = base(first);
      String iris =
          new JobsClient(base)
              .uploadCsv("iris", Files.readString(Path.of("src/test/resources/datasets/iris.csv")));
      HttpResponse<String> started =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/v1/comparisons"))
                  .header("Content-Type", "application/json")
                  .POST(
                      BodyPublishers.ofString(
                          "{\"dataset\": \""
                              + iris
                              + "\", \"target\": \"species\", \"testFraction\": 0.3,"
                              + " \"model\": \"iris-restart-cmp\", \"candidates\":"
                              + " [{\"family\": \"logistic_regression\"}, {\"family\": \"mlp\","
                              + " \"spec\": {\"hiddenLayers\": [{\"units\": 8}]}, \"training\":"
                              + " {\"epochs\": 400, \"batchSize\": 4}}]}"))
                  .build(),
              BodyHandlers.ofString());
      assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
      id = JobsClient.json(started).get("id").asString();
      before = await(base, id, c -> "running".equals(state(c, 1)));
      assertThat(state(before, 0)).isEqualTo("succeeded");
    } // the server stops while the second candidate's job runs

    try (ConfigurableApplicationContext second = start()) {
      String base = base(second);
      JsonNode listed = get(base, "/api/v1/comparisons");
      assertThat(listed.get("comparisons").get(0).get("id").asString()).isEqualTo(id);
      JsonNode done = await(base, id, c -> !"running".equals(c.get("state").asString()));
      assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("finished");
      JsonNode first = done.get("candidates").get(0);
      JsonNode mlp = done.get("candidates").get(1);
      assertThat(first.get("costPerMillionPredictions"))
          .isEqualTo(before.get("candidates").get(0).get("costPerMillionPredictions"));
      assertThat(mlp.get("state").asString()).as(mlp.toString()).isEqualTo("succeeded");
      assertThat(mlp.get("jobId").asString())
          .isEqualTo(before.get("candidates").get(1).get("jobId").asString());
      assertThat(mlp.get("quality").asDouble()).isBetween(0.5, 1.0);
      assertThat(mlp.get("costPerMillionPredictions").get("value").asDouble()).isPositive();
      assertThat(done.get("recommendation").get("reason").asString()).isNotEmpty();
      assertThat(done.get("spent").get("jobs").asInt()).isEqualTo(2);
    }
  }

  private static String state(JsonNode c, int candidate) {
    return c.get("candidates").get(candidate).get("state").asString();
  }

  private JsonNode get(String base, String path) throws Exception {
    HttpResponse<String> r =
        http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JobsClient.json(r);
  }

  private JsonNode await(String base, String id, java.util.function.Predicate<JsonNode> until)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    JsonNode c = get(base, "/api/v1/comparisons/" + id);
    while (!until.test(c) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      c = get(base, "/api/v1/comparisons/" + id);
    }
    assertThat(until.test(c)).as(c.toString()).isTrue();
    return c;
  }

  private static String base(ConfigurableApplicationContext context) {
    return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
  }
}

package dev.maas.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.MaasApplication;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * A server stopped while one job trains and another waits: the next server over the same folder
 * lists both, fails the interrupted one with that reason and runs the waiting one.
 */
class JobRestartTest {
  private final Path storage = Path.of("target", "test-data", "restart-" + UUID.randomUUID());

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
      JobsClient api = client(first);
      String iris = api.uploadCsv("iris", Files.readString(JobsClient.dataset("iris.csv")));
      running =
          submit(
              api,
              "{\"model\": \"long\", \"family\": \"mlp\", \"dataset\": \""
                  + iris
                  + "\", \"target\": \"species\", \"training\": {\"epochs\": 100000, \"batchSize\": 1}}");
      api.awaitState(running, "running");
      queued =
          submit(
              api,
              "{\"model\": \"short\", \"family\": \"logistic_regression\", \"dataset\": \""
                  + iris
                  + "\", \"target\": \"species\"}");
      assertThat(api.job(queued).get("state").asString()).isEqualTo("queued");
    }
    try (ConfigurableApplicationContext second = start()) {
      JobsClient api = client(second);
      JsonNode interrupted = api.job(running);
      assertThat(interrupted.get("state").asString()).isEqualTo("failed");
      assertThat(interrupted.get("error").asString()).isEqualTo("interrupted by restart");
      JsonNode ran = api.awaitState(queued, "succeeded");
      assertThat(ran.get("modelVersion").get("name").asString()).isEqualTo("short");
    }
  }

  private static JobsClient client(ConfigurableApplicationContext context) {
    return new JobsClient(
        "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"));
  }

  private static String submit(JobsClient api, String body) throws Exception {
    HttpResponse<String> r = api.submit(body, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return JobsClient.json(r).get("id").asString();
  }
}

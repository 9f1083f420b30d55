package dev.maas.serving;

import static dev.maas.serving.ServingClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.training.JobsClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * One real training job and 1,000 real predictions over HTTP: the Prometheus scrape counts exactly
 * those, under the fixed names and tags, and the capacity report agrees with it.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class MeteringEndToEndTest {
  private static final Path STORAGE =
      Path.of("target", "test-data", "metering-e2e-" + UUID.randomUUID());
  private static final String TAGS =
      "family=\"logistic_regression\",model=\"metered\",outcome=\"success\",version=\"1\"";

  @LocalServerPort int port;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry properties) {
    properties.add("maas.storage.path", STORAGE::toString);
  }

  @Test
  void aJobAndAThousandPredictionsAreCountedExactlyByTheScrapeAndTheReport() throws Exception {
    JobsClient jobs = new JobsClient("http://localhost:" + port);
    ServingClient client = new ServingClient(port);
    StringBuilder csv = new StringBuilder("a,b,side\n");
    for (int i = 0; i < 60; i++) {
      csv.append(i % 9).append(',').append(i % 2 == 0 ? 5 + i % 4 : -5 - i % 4).append(',');
      csv.append(i % 2 == 0 ? "left" : "right").append('\n');
    }
    String dataset = jobs.uploadCsv("metered", csv.toString());
    HttpResponse<String> submitted =
        jobs.submit(
            "{\"model\": \"metered\", \"family\": \"logistic_regression\", \"dataset\": \""
                + dataset
                + "\", \"target\": \"side\"}",
            null);
    jobs.awaitState(JobsClient.json(submitted).get("id").asString(), "succeeded");

    for (int i = 0; i < 1000; i++) {
      HttpResponse<String> r =
          client.post(
              "/api/v1/models/metered/predict",
              "{\"instances\": [[" + (i % 9) + ", " + (i % 2 == 0 ? 6 : -6) + "]]}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    String scrape = client.get("/actuator/prometheus").body();
    assertThat(value(scrape, "maas_predictions_total{" + TAGS + "}")).isEqualTo(1000);
    String versionTags = "family=\"logistic_regression\",model=\"metered\",version=\"1\"";
    assertThat(value(scrape, "maas_prediction_rows_total{" + versionTags + "}")).isEqualTo(1000);
    assertThat(value(scrape, "maas_prediction_latency_seconds_count{" + versionTags + "}"))
        .isEqualTo(1000);
    assertThat(value(scrape, "maas_prediction_compute_seconds_count{" + versionTags + "}"))
        .isEqualTo(1000); // one call each: a small dense model runs on the heap, unbatched
    assertThat(
            value(
                scrape,
                "maas_training_jobs_total{family=\"logistic_regression\",state=\"succeeded\"}"))
        .isEqualTo(1);
    assertThat(value(scrape, "maas_models_loaded")).isEqualTo(1);

    JsonNode report = json(client.get("/api/v1/capacity"));
    JsonNode version = null;
    for (JsonNode v : report.get("models")) {
      if (v.get("model").asString().equals("metered") && v.get("version").asInt() == 1) {
        version = v;
      }
    }
    assertThat(version).as(report.toString()).isNotNull();
    assertThat(version.get("requests").get("value").asDouble()).isEqualTo(1000);
    assertThat(version.get("requests").get("source").asString()).isEqualTo("measured");
    assertThat(version.get("rows").get("value").asDouble()).isEqualTo(1000);
    assertThat(version.get("latencyP99Ms").get("source").asString()).isEqualTo("measured");
    assertThat(version.get("training").get("cost").get("source").asString()).isEqualTo("measured");
  }

  /** The value of one exact series of the scrape. */
  private static double value(String scrape, String series) {
    Matcher m =
        Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE)
            .matcher(scrape);
    assertThat(m.find()).as("%s in the scrape", series).isTrue();
    return Double.parseDouble(m.group(1));
  }
}

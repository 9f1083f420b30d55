package dev.maas.serving;

import static dev.maas.serving.ServingClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.FullServerTest;
import dev.maas.training.JobsClient;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * One real training job and 1,000 real predictions over HTTP: the Prometheus scrape counts exactly
 * those, under the fixed names and tags, and the capacity report agrees with it.
 */
class MeteringEndToEndTest extends FullServerTest {
  private static final String TAGS =
      "family=\"logistic_regression\",model=\"metered\",outcome=\"success\",protocol=\"rest\","
          + "version=\"1\"";

  @Test
  void aJobAndAThousandPredictionsAreCountedExactlyByTheScrapeAndTheReport() throws Exception {
    JobsClient jobs = new JobsClient("http://localhost:" + port);
    ServingClient client = new ServingClient(port);
    // The server is shared with other API tests: meters not tagged with this model are compared
    // with their values before.
    String before = client.get("/actuator/prometheus").body();
    String succeeded =
        "maas_training_jobs_total{family=\"logistic_regression\",state=\"succeeded\"}";
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
    // no alias points at it: its compute time is in the server (the report), not the scrape
    assertThat(scrape)
        .doesNotContain(
            "maas_prediction_compute_seconds_count{family=\"logistic_regression\",model=\"metered\"");
    assertThat(value(scrape, succeeded) - valueOrZero(before, succeeded)).isEqualTo(1);
    // One more loaded model, less any other test's idle one the cache unloaded meanwhile.
    assertThat(
            value(scrape, "maas_models_loaded")
                - value(before, "maas_models_loaded")
                + sum(scrape, "maas_model_cache_evictions_total{")
                - sum(before, "maas_model_cache_evictions_total{"))
        .isEqualTo(1);

    JsonNode report = json(client.get("/api/v1/capacity?model=metered"));
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

  /** The sum of every series of the scrape whose name and first tags start with {@code prefix}. */
  private static double sum(String scrape, String prefix) {
    Matcher m =
        Pattern.compile("^" + Pattern.quote(prefix) + "[^ ]* (\\S+)$", Pattern.MULTILINE)
            .matcher(scrape);
    double total = 0;
    while (m.find()) {
      total += Double.parseDouble(m.group(1));
    }
    return total;
  }

  /** The value of one exact series of the scrape, 0 when it is not there (yet). */
  private static double valueOrZero(String scrape, String series) {
    return scrape.contains("\n" + series + " ") ? value(scrape, series) : 0;
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

package dev.maas.web.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The limits per API key: a token bucket of requests, and a cap on queued and running jobs. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class KeyLimitsTest {
  private static final Path STORAGE =
      Path.of("target", "test-data", "key-limits-" + UUID.randomUUID());

  @LocalServerPort int port;
  private final HttpClient http = HttpClient.newHttpClient();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry properties) {
    properties.add("maas.storage.path", STORAGE::toString);
    properties.add("maas.security.enabled", () -> "true");
    properties.add("maas.security.requests-per-second", () -> "1");
    properties.add("maas.security.burst", () -> "5");
    properties.add("maas.training.max-jobs-per-key", () -> "1");
    properties.add("maas.training.wall-clock-limit", () -> "3s");
    properties.add("maas.serving.max-request-size", () -> "1KB");
    String[] names = {"hammer", "busy", "big"};
    for (int i = 0; i < names.length; i++) {
      String name = names[i];
      properties.add("maas.security.keys[" + i + "].name", () -> name);
      properties.add("maas.security.keys[" + i + "].sha256", () -> Keys.sha256(name + "-key"));
      properties.add("maas.security.keys[" + i + "].roles", () -> "train");
    }
  }

  private HttpResponse<String> send(String method, String path, String key, String body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + key + "-key")
            .header("Content-Type", "application/json")
            .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body))
            .build(),
        BodyHandlers.ofString());
  }

  @Test
  void aKeyOverItsRateIsAnsweredTooManyRequestsWithRetryAfterWhileOtherKeysAreNot()
      throws Exception {
    HttpResponse<String> last = null;
    for (int i = 0; i < 8; i++) {
      last = send("GET", "/api/v1/datasets", "hammer", null);
      if (last.statusCode() == 429) {
        break;
      }
      assertThat(last.statusCode()).isEqualTo(200);
    }
    assertThat(last.statusCode()).isEqualTo(429);
    assertThat(last.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(last.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(last.body()).contains("'hammer'").contains("rate limit");
    assertThat(send("GET", "/api/v1/datasets", "big", null).statusCode()).isEqualTo(200);
    assertThat(
            http.send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                        .build(),
                    BodyHandlers.ofString())
                .statusCode())
        .as("open endpoints are not counted")
        .isEqualTo(200);
  }

  @Test
  void aKeyWithTheMostJobsQueuedOrRunningIsAnsweredTooManyRequests() throws Exception {
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      rows.append(i == 0 ? "" : ",").append('[').append(i % 7).append(", \"");
      rows.append(i % 2 == 0 ? "a" : "b").append("\"]");
    }
    String job =
        "{\"model\": \"busy\", \"family\": \"mlp\", \"target\": \"y\","
            + " \"dataset\": {\"columns\": [\"x\", \"y\"], \"rows\": ["
            + rows
            + "]}, \"training\": {\"epochs\": 100000, \"batchSize\": 1}}";
    HttpResponse<String> first = send("POST", "/api/v1/training-jobs", "busy", job);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
    HttpResponse<String> second = send("POST", "/api/v1/training-jobs", "busy", job);
    assertThat(second.statusCode()).as(second.body()).isEqualTo(429);
    assertThat(second.headers().firstValue("Retry-After")).isPresent();
    assertThat(second.body()).contains("'busy'").contains("max-jobs-per-key");
  }

  @Test
  void aPredictionBodyOverTheLimitIsRefusedWithContentTooLarge() throws Exception {
    String big = "{\"instances\": [[" + "1.0,".repeat(400) + "1.0]]}";
    HttpResponse<String> r = send("POST", "/api/v1/models/m/predict", "big", big);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).contains("maas.serving.max-request-size");
  }
}

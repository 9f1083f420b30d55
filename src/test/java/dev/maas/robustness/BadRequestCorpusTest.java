package dev.maas.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every request of {@link BadRequests} is answered without a 5xx, and every error with a proper
 * body: problem details, or {@code {"error": "..."}} under {@code /v2}; afterwards the server is
 * healthy and a normal request still works.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadRequestCorpusTest {
  private static final Path STORAGE = Path.of("target", "test-data", "corpus-" + UUID.randomUUID());
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @LocalServerPort int port;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry properties) {
    properties.add("maas.storage.path", STORAGE::toString);
    properties.add("maas.datasets.max-upload-size", () -> "64KB");
    properties.add("maas.registry.max-artifact-size", () -> "64KB");
    properties.add("maas.serving.max-request-size", () -> "64KB");
  }

  static List<BadRequests.Case> corpus() {
    return BadRequests.all();
  }

  @BeforeAll
  void aModelToAimAt() throws Exception {
    StringBuilder csv = new StringBuilder("x1,x2,y\n");
    for (int i = 0; i < 20; i++) {
      csv.append(i).append(',').append(i % 3).append(',').append(2 * i - i % 3).append('\n');
    }
    RawHttp.Response upload =
        send("POST", "/api/v1/datasets?name=base", "text/csv", csv.toString());
    assertThat(upload.status()).as(upload.text()).isEqualTo(201);
    String dataset = JSON.readTree(upload.text()).get("id").asString();
    RawHttp.Response job =
        send(
            "POST",
            "/api/v1/training-jobs",
            "application/json",
            "{\"model\": \"m\", \"family\": \"linear_regression\", \"dataset\": \""
                + dataset
                + "\", \"target\": \"y\", \"spec\": {\"solver\": \"least_squares\"},"
                + " \"alias\": \"staging\"}");
    assertThat(job.status()).as(job.text()).isEqualTo(202);
    String id = JSON.readTree(job.text()).get("id").asString();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String state;
    do {
      Thread.sleep(50);
      state =
          JSON.readTree(send("GET", "/api/v1/training-jobs/" + id, null, null).text())
              .get("state")
              .asString();
    } while (!state.equals("succeeded") && !state.equals("failed") && System.nanoTime() < deadline);
    assertThat(state).isEqualTo("succeeded");
  }

  @Test
  @Order(0)
  void theCorpusHasAtLeastTwoHundredRequests() {
    assertThat(BadRequests.all()).hasSizeGreaterThanOrEqualTo(200);
  }

  @Order(1)
  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void aBadRequestIsAnsweredWithAClientErrorAndAProperBody(BadRequests.Case c) throws Exception {
    RawHttp.Response r =
        RawHttp.exchange(
            port, head(c.method(), c.target(), c.contentType()), c.body(), c.declaredLength());
    assertThat(r.status()).as("%s answered %s", c, r.text()).isLessThan(500);
    if (!c.mayPass()) {
      assertThat(r.status()).as("%s answered %s", c, r.text()).isGreaterThanOrEqualTo(400);
    }
    if (r.status() >= 400) {
      assertProperErrorBody(c, r);
    }
  }

  @Test
  @Order(2)
  void afterwardsTheServerIsHealthyAndANormalRequestStillWorks() throws Exception {
    RawHttp.Response health = send("GET", "/actuator/health", null, null);
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.text()).contains("\"status\":\"UP\"");
    RawHttp.Response model = send("GET", "/api/v1/models/m/versions/1", null, null);
    assertThat(model.status()).as(model.text()).isEqualTo(200);
    assertThat(JSON.readTree(model.text()).get("status").asString()).isEqualTo("ready");
    RawHttp.Response upload =
        send("POST", "/api/v1/datasets?name=after", "text/csv", "a,b\n1,2\n3,4\n");
    assertThat(upload.status()).as(upload.text()).isEqualTo(201);
  }

  /** Problem details; under /v2, the Open Inference Protocol's {"error": "..."}. */
  private void assertProperErrorBody(BadRequests.Case c, RawHttp.Response r) {
    String type = String.valueOf(r.header("content-type"));
    String what = c + " answered " + r.status() + " " + type + " " + r.text();
    if (c.target().startsWith("/v2/")) {
      assertThat(type).as(what).startsWith("application/json");
      JsonNode body = JSON.readTree(r.text());
      assertThat(body.path("error").isString()).as(what).isTrue();
    } else {
      assertThat(type).as(what).startsWith("application/problem+json");
      JsonNode body = JSON.readTree(r.text());
      assertThat(body.path("status").asInt()).as(what).isEqualTo(r.status());
      assertThat(body.path("title").isString()).as(what).isTrue();
    }
  }

  private RawHttp.Response send(String method, String target, String type, String body)
      throws Exception {
    return RawHttp.exchange(
        port,
        head(method, target, type),
        body == null ? null : body.getBytes(StandardCharsets.UTF_8),
        -1);
  }

  private static String head(String method, String target, String type) {
    return method + " " + target + " HTTP/1.1" + (type == null ? "" : "\r\nContent-Type: " + type);
  }
}

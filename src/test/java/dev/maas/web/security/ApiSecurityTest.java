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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** API keys and roles through HTTP: who may call what, and how a refusal looks. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class ApiSecurityTest {
  private static final Path STORAGE =
      Path.of("target", "test-data", "security-" + UUID.randomUUID());

  @LocalServerPort int port;
  private final HttpClient http = HttpClient.newHttpClient();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry properties) {
    properties.add("maas.storage.path", STORAGE::toString);
    properties.add("maas.security.enabled", () -> "true");
    properties.add("maas.security.scrape-open", () -> "false");
    String[][] keys = {
      {"predictor", Keys.PREDICT, "predict"},
      {"trainer", Keys.TRAIN, "train"},
      {"operator", Keys.ADMIN, "admin"}
    };
    for (int i = 0; i < keys.length; i++) {
      String[] key = keys[i];
      properties.add("maas.security.keys[" + i + "].name", () -> key[0]);
      properties.add("maas.security.keys[" + i + "].sha256", () -> Keys.sha256(key[1]));
      properties.add("maas.security.keys[" + i + "].roles", () -> key[2]);
    }
  }

  private HttpResponse<String> call(String method, String path, String key) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .method(
                method,
                method.equals("GET") || method.equals("DELETE")
                    ? BodyPublishers.noBody()
                    : BodyPublishers.ofString("{}"));
    if (key != null) {
      b.header("Authorization", key.isEmpty() ? "Basic abc" : "Bearer " + key);
    }
    return http.send(b.build(), BodyHandlers.ofString());
  }

  @Test
  void aRequestWithoutAKeyIsAnsweredUnauthorizedWithABearerChallengeAsProblemDetails()
      throws Exception {
    HttpResponse<String> r = call("GET", "/api/v1/models", null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(r.body()).contains("\"status\":401").contains("API key is required");
  }

  @Test
  void anUnknownKeyOrAnotherSchemeIsUnauthorizedAndSaysTheKeyIsNotValid() throws Exception {
    for (String key : new String[] {"not-a-key", ""}) {
      HttpResponse<String> r = call("GET", "/api/v1/models", key);
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
          .contains("invalid_token");
      assertThat(r.body()).contains("not valid");
    }
  }

  @Test
  void theV2ProtocolTakesTheSameKeysAndAnswersErrorsInItsOwnShape() throws Exception {
    HttpResponse<String> r = call("GET", "/v2/models/m/ready", null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(r.body()).startsWith("{\"error\":");
    assertThat(call("GET", "/v2/models/m/ready", Keys.PREDICT).statusCode()).isNotIn(401, 403);
  }

  @Test
  void healthProbesAreOpenAndTheScrapeNeedsAnAdminKeyWhenConfiguredSo() throws Exception {
    assertThat(call("GET", "/actuator/health", null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/actuator/health/liveness", null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/actuator/health/readiness", null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/actuator/prometheus", null).statusCode()).isEqualTo(401);
    assertThat(call("GET", "/actuator/prometheus", Keys.PREDICT).statusCode()).isEqualTo(403);
    assertThat(call("GET", "/actuator/prometheus", Keys.ADMIN).statusCode()).isEqualTo(200);
  }

  @Test
  void anIdempotencyKeyIsTheSendingApiKeysOwnAndNeverReturnsAnotherCallersJob() throws Exception {
    HttpResponse<String> upload =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/v1/datasets?name=tiny"))
                .header("Content-Type", "text/csv")
                .header("Authorization", "Bearer " + Keys.TRAIN)
                .POST(BodyPublishers.ofString("x,y\n1,2\n2,4\n3,6\n4,8\n5,10\n"))
                .build(),
            BodyHandlers.ofString());
    assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);
    String dataset = upload.body().replaceAll(".*\"id\":\"(ds-[0-9a-f]+)\".*", "$1");
    String body =
        "{\"model\": \"tiny\", \"family\": \"linear_regression\", \"dataset\": \""
            + dataset
            + "\", \"target\": \"y\", \"testFraction\": 0}";
    String trainer = submitted(body, Keys.TRAIN, "nightly-1");
    assertThat(submitted(body, Keys.TRAIN, "nightly-1"))
        .as("the same key again")
        .isEqualTo(trainer);
    assertThat(submitted(body, Keys.ADMIN, "nightly-1"))
        .as("another API key with the same Idempotency-Key")
        .isNotEqualTo(trainer);
  }

  private String submitted(String body, String key, String idempotencyKey) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/training-jobs"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + key)
                .header("Idempotency-Key", idempotencyKey)
                .POST(BodyPublishers.ofString(body))
                .build(),
            BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return r.body().replaceAll("^\\{\"id\":\"(job-[0-9a-f]+)\".*", "$1");
  }

  @Test
  void theContractAndSwaggerUiAreOpenButNothingElseOfTheirKind() throws Exception {
    assertThat(call("GET", "/openapi.yaml", null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/swagger-ui/index.html", null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/swagger-ui/swagger-initializer.js", null).statusCode()).isEqualTo(200);
    assertThat(call("POST", "/openapi.yaml", null).statusCode()).isEqualTo(401);
    assertThat(call("GET", "/api/v1/capacity", null).statusCode()).isEqualTo(401);
  }

  @Test
  void theWebConsolesFilesAreOpenWithTheirContentSecurityPolicyAndOnlyToReading() throws Exception {
    HttpResponse<String> root = call("GET", "/", null);
    assertThat(root.statusCode()).isEqualTo(302);
    assertThat(root.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).endsWith("/console/"));
    HttpResponse<String> page = call("GET", "/console/", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<title>maas console</title>");
    assertThat(page.headers().firstValue("Content-Security-Policy"))
        .contains(SecurityConfiguration.CONSOLE_CSP);
    assertThat(page.headers().firstValue("Referrer-Policy")).contains("no-referrer");
    assertThat(page.headers().firstValue("X-Frame-Options")).contains("DENY");
    HttpResponse<String> script = call("GET", "/console/js/app.js", null);
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Cache-Control")).contains("no-cache");
    assertThat(script.headers().firstValue("ETag")).isPresent();
    // a key sent along does not matter to the files; writing to them is not a thing
    assertThat(call("GET", "/console/js/api.js", Keys.PREDICT).statusCode()).isEqualTo(200);
    assertThat(call("POST", "/console/js/app.js", null).statusCode()).isEqualTo(401);
    assertThat(call("GET", "/console/missing.js", null).statusCode()).isEqualTo(404);
    // the API is as it was: a key is needed, and its answers carry no console policy
    HttpResponse<String> api = call("GET", "/api/v1/models", null);
    assertThat(api.statusCode()).isEqualTo(401);
    assertThat(api.headers().firstValue("Content-Security-Policy")).isEmpty();
  }

  @Test
  void aKeyWithoutTheRoleIsForbiddenAndTheProblemNamesTheKey() throws Exception {
    HttpResponse<String> r = call("DELETE", "/api/v1/models/m", Keys.TRAIN);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(r.body()).contains("'trainer'").contains("DELETE /api/v1/models/m");
  }

  /** Each row: method, path, the key's role, and whether that role may make the call. */
  @ParameterizedTest(name = "{2} {0} {1}: allowed={3}")
  @CsvSource({
    "GET, /api/v1/models, predict, true",
    "GET, /api/v1/models/m, predict, true",
    "GET, /api/v1/models/m/versions, predict, true",
    "GET, /api/v1/models/m/versions/1, predict, true",
    "GET, /api/v1/models/m/aliases/production, predict, true",
    "POST, /api/v1/models/m/predict, predict, true",
    "POST, /v2/models/m/infer, predict, true",
    "GET, /v2/health/ready, predict, true",
    "GET, /api/v1/models/m/versions/1/artifact, predict, false",
    "GET, /api/v1/datasets, predict, false",
    "POST, /api/v1/training-jobs, predict, false",
    "POST, /api/v1/comparisons, predict, false",
    "PATCH, /api/v1/models/m, predict, false",
    "PUT, /api/v1/models/m/aliases/production, predict, false",
    "GET, /api/v1/capacity/models, predict, false",
    "GET, /api/v1/datasets, train, true",
    "POST, /api/v1/datasets, train, true",
    "DELETE, /api/v1/datasets/ds-1, train, true",
    "GET, /api/v1/training-jobs, train, true",
    "POST, /api/v1/training-jobs, train, true",
    "POST, /api/v1/training-jobs/job-1/cancel, train, true",
    "POST, /api/v1/comparisons, train, true",
    "GET, /api/v1/comparisons/cmp-1, train, true",
    "POST, /api/v1/comparisons/cmp-1/cancel, train, true",
    "POST, /api/v1/models/m/predict, train, true",
    "GET, /api/v1/models/m/versions/1/artifact, train, true",
    "POST, /api/v1/models/m/versions, train, false",
    "PATCH, /api/v1/models/m/versions/1, train, false",
    "PUT, /api/v1/models/m/aliases/production, train, false",
    "DELETE, /api/v1/models/m/aliases/production, train, false",
    "DELETE, /api/v1/models/m/versions/1, train, false",
    "DELETE, /api/v1/models/m, train, false",
    "GET, /api/v1/capacity/models, train, false",
    "POST, /api/v1/models/m/versions, admin, true",
    "PATCH, /api/v1/models/m, admin, true",
    "PUT, /api/v1/models/m/aliases/production, admin, true",
    "DELETE, /api/v1/models/m, admin, true",
    "GET, /api/v1/capacity/models, admin, true",
    "POST, /api/v1/training-jobs, admin, true",
    "GET, /api/v1/datasets, admin, true",
    "POST, /v2/models/m/infer, admin, true",
  })
  void eachRoleMayMakeExactlyItsCalls(String method, String path, String role, boolean allowed)
      throws Exception {
    String key =
        switch (role) {
          case "predict" -> Keys.PREDICT;
          case "train" -> Keys.TRAIN;
          default -> Keys.ADMIN;
        };
    HttpResponse<String> r = call(method, path, key);
    if (allowed) {
      assertThat(r.statusCode()).as(r.body()).isNotIn(401, 403);
    } else {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
    }
    assertThat(r.statusCode()).as(r.body()).isLessThan(500);
  }
}

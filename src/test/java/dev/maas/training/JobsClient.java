package dev.maas.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The HTTP calls the training tests make against a running server: upload, submit, poll. */
public final class JobsClient {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;

  /** A client of the server at {@code base}, e.g. {@code http://127.0.0.1:8080}. */
  public JobsClient(String base) {
    this.base = base;
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).build(), BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String contentType, String body, String idempotencyKey)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", contentType)
            .POST(BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (idempotencyKey != null) {
      b.header("Idempotency-Key", idempotencyKey);
    }
    return http.send(b.build(), BodyHandlers.ofString());
  }

  /** Submits a training job. */
  public HttpResponse<String> submit(String body, String idempotencyKey) throws Exception {
    return post("/api/v1/training-jobs", "application/json", body, idempotencyKey);
  }

  /** Uploads a CSV dataset and returns its id. */
  public String uploadCsv(String name, String csv) throws Exception {
    HttpResponse<String> r = post("/api/v1/datasets?name=" + name, "text/csv", csv, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return json(r).get("id").asString();
  }

  JsonNode job(String id) throws Exception {
    return json(get("/api/v1/training-jobs/" + id));
  }

  /** Polls a job until it is in {@code state}; it may only be queued or running meanwhile. */
  public JsonNode awaitState(String id, String state) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode job;
    do {
      job = job(id);
      String now = job.get("state").asString();
      if (now.equals(state)) {
        return job;
      }
      assertThat(now).as(job.toString()).isIn("queued", "running");
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("job " + id + " did not become " + state + ": " + job);
  }

  URI uri(String path) {
    return URI.create(base + path);
  }

  public static JsonNode json(HttpResponse<String> r) {
    return JSON.readTree(r.body());
  }

  /** A shared dataset copied to the test resources. */
  static Path dataset(String name) {
    return Path.of("src", "test", "resources", "datasets", name);
  }
}

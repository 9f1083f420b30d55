package dev.maas.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a user's script does against a running maas over HTTP, with an API key: upload, train and
 * wait, predict. Every call checks its status and fails with the answer's body and, through {@code
 * log}, the server's log.
 */
public final class ApiClient {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;
  private final String key;
  private final Supplier<String> log;

  public ApiClient(String base, String key, Supplier<String> log) {
    this.base = base;
    this.key = key;
    this.log = log;
  }

  public static JsonNode json(String text) {
    return JSON.readTree(text);
  }

  /** A dataset of the test resources ({@code src/test/resources/datasets}), as text. */
  public static String dataset(String name) throws IOException {
    try (InputStream in = ApiClient.class.getResourceAsStream("/datasets/" + name)) {
      if (in == null) {
        throw new IOException("no test resource datasets/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** A request with the key as its Bearer header. */
  public HttpRequest.Builder request(String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    return key == null ? b : b.header("Authorization", "Bearer " + key);
  }

  public HttpResponse<String> send(HttpRequest request) throws Exception {
    return http.send(request, BodyHandlers.ofString());
  }

  /** GET that must answer 200; its body. */
  public String get(String path) throws Exception {
    return expect(200, send(request(path).GET().build()));
  }

  public JsonNode getJson(String path) throws Exception {
    return json(get(path));
  }

  /** POST of a JSON body that must answer {@code status}; the answer as JSON. */
  public JsonNode post(String path, String body, int status) throws Exception {
    return json(send(path, "POST", "application/json", body, status));
  }

  public JsonNode put(String path, String body, int status) throws Exception {
    return json(send(path, "PUT", "application/json", body, status));
  }

  public String send(String path, String method, String contentType, String body, int status)
      throws Exception {
    HttpRequest r =
        request(path)
            .header("Content-Type", contentType)
            .method(method, BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    return expect(status, send(r));
  }

  /** Uploads a CSV as dataset {@code name}; its id. */
  public String uploadCsv(String name, String csv) throws Exception {
    return json(send("/api/v1/datasets?name=" + name, "POST", "text/csv", csv, 201))
        .get("id")
        .asString();
  }

  /** Submits a training job and waits until it has finished; the job, which must have succeeded. */
  public JsonNode train(String request) throws Exception {
    JsonNode job = post("/api/v1/training-jobs", request, 202);
    String id = job.get("id").asString();
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (true) {
      job = getJson("/api/v1/training-jobs/" + id);
      String state = job.get("state").asString();
      if (state.equals("succeeded")) {
        return job;
      }
      if (!state.equals("queued") && !state.equals("running")) {
        throw new AssertionError("job " + id + " " + state + ": " + job + "\n" + log.get());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("job " + id + " did not finish in 5 minutes: " + job);
      }
      Thread.sleep(100);
    }
  }

  private String expect(int status, HttpResponse<String> r) {
    if (r.statusCode() != status) {
      throw new AssertionError(
          r.request().method()
              + " "
              + r.uri()
              + " answered "
              + r.statusCode()
              + ", not "
              + status
              + ": "
              + r.body()
              + "\nserver log:\n"
              + log.get());
    }
    return r.body();
  }
}

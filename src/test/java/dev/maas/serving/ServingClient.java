package dev.maas.serving;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** HTTP calls of the serving tests: import a model file, move an alias, predict, infer. */
final class ServingClient {
  static final JsonMapper JSON = JsonMapper.builder().build();
  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;
  private final String key;

  ServingClient(int port) {
    this(port, null);
  }

  /** Calls with {@code Authorization: Bearer key} (none when null). */
  ServingClient(int port, String key) {
    this.base = "http://localhost:" + port;
    this.key = key;
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path));
    return key == null ? b : b.header("Authorization", "Bearer " + key);
  }

  /** Imports a model file as the next version of {@code name}; returns the version number. */
  int importVersion(String name, byte[] file) throws Exception {
    HttpResponse<String> r =
        http.send(
            request("/api/v1/models/" + name + "/versions")
                .header("Content-Type", "application/octet-stream")
                .POST(BodyPublishers.ofByteArray(file))
                .build(),
            BodyHandlers.ofString());
    if (r.statusCode() != 201) {
      throw new AssertionError("import answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body()).get("version").asInt();
  }

  void setAlias(String name, String alias, int version) throws Exception {
    HttpResponse<String> r =
        http.send(
            request("/api/v1/models/" + name + "/aliases/" + alias)
                .header("Content-Type", "application/json")
                .PUT(BodyPublishers.ofString("{\"version\": " + version + "}"))
                .build(),
            BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new AssertionError("alias answered " + r.statusCode() + ": " + r.body());
    }
  }

  HttpResponse<String> post(String path, String json) throws Exception {
    return http.send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(json))
            .build(),
        BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(request(path).GET().build(), BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> r) {
    return JSON.readTree(r.body());
  }

  URI uri(String path) {
    return URI.create(base + path);
  }
}

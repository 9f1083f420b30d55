package dev.maas;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real Prometheus server (Debian package {@code prometheus}, the one that gives CI promtool) on
 * loopback, with a configuration of the test's own, read through its HTTP API. Without the
 * executable a test is skipped with a message, except in CI ({@code MAAS_CI} set, as {@code
 * .ci/run} does), where it fails.
 */
public final class PrometheusServer implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Process process;
  private final Path log;
  private final int port;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private PrometheusServer(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** The prometheus executable on the PATH; skips or fails the calling test when there is none. */
  public static Path require() {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        Path candidate = Path.of(dir, "prometheus");
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    String message =
        "prometheus is not on the PATH; install Debian's 'prometheus' package (.ci/run does) to"
            + " check the rules and the dashboard against a real Prometheus";
    if (System.getenv("MAAS_CI") != null) {
      fail(message + " (MAAS_CI is set, so this is required)");
    }
    abort(message);
    return null;
  }

  /**
   * Starts Prometheus in {@code directory} with {@code config} (written there as {@code
   * prometheus.yml}; rule files it names are relative to {@code directory}), listening on {@code
   * port} of loopback, its data under {@code directory/data}, and waits until it is ready.
   */
  public static PrometheusServer start(Path directory, String config, int port) throws Exception {
    Path executable = require();
    Files.createDirectories(directory);
    Path file = directory.resolve("prometheus.yml");
    Files.writeString(file, config);
    Path log = directory.resolve("prometheus.log");
    Process process =
        new ProcessBuilder(
                executable.toString(),
                "--config.file=" + file.toAbsolutePath(),
                "--storage.tsdb.path=" + directory.resolve("data").toAbsolutePath(),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    PrometheusServer server = new PrometheusServer(process, log, port);
    try {
      server.awaitReady(Duration.ofSeconds(60));
    } catch (Exception | AssertionError e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("prometheus exited before it was ready:\n" + logText());
      }
      try {
        var r =
            http.send(
                HttpRequest.newBuilder(URI.create(base() + "/-/ready"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("prometheus was not ready within " + timeout + ":\n" + logText());
  }

  public String base() {
    return "http://127.0.0.1:" + port;
  }

  /** What Prometheus logged, for failure messages. */
  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** GET {@code /api/v1/...}: the {@code data} of a successful answer. */
  public JsonNode api(String path) throws Exception {
    var r =
        http.send(
            HttpRequest.newBuilder(URI.create(base() + "/api/v1/" + path))
                .timeout(Duration.ofSeconds(30))
                .build(),
            BodyHandlers.ofString());
    JsonNode answer = JSON.readTree(r.body());
    if (r.statusCode() != 200 || !"success".equals(answer.path("status").asString())) {
      throw new AssertionError("prometheus answered " + r.statusCode() + ": " + r.body());
    }
    return answer.get("data");
  }

  /** An instant query at the latest time: its result vector (or scalar) as JSON. */
  public JsonNode query(String promql) throws Exception {
    return api("query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).get("result");
  }

  /** The values of a label among the series {@code match} selects. */
  public List<String> labelValues(String label, String match) throws Exception {
    JsonNode values =
        api(
            "label/"
                + label
                + "/values?match%5B%5D="
                + URLEncoder.encode(match, StandardCharsets.UTF_8));
    List<String> list = new ArrayList<>();
    for (JsonNode v : values) {
      list.add(v.asString());
    }
    return list;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor();
    }
  }
}

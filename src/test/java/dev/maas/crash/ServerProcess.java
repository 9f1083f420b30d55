package dev.maas.crash;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The maas server as a separate JVM on the test classpath, over a given data directory and a free
 * port, so that it can be killed with SIGKILL ({@link Process#destroyForcibly()}) like a crashed
 * pod.
 */
final class ServerProcess implements AutoCloseable {
  private final Process process;
  final int port;

  private ServerProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts a server over {@code data}, appending its output to {@code log}, with {@code options}
   * (e.g. {@code --maas.training.checkpoint-interval=200ms}) after the usual ones.
   */
  static ServerProcess start(Path data, Path log, String... options) throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-Xmx512m",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Dorg.bytedeco.javacpp.maxbytes=2G",
            "-cp",
            classpath,
            "dev.maas.MaasApplication",
            "--server.port=" + port,
            "--maas.storage.path=" + data.toAbsolutePath(),
            "--maas.security.enabled=false",
            "--maas.grpc.port=0",
            "--spring.main.banner-mode=off"));
    command.addAll(List.of(options));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("OMP_NUM_THREADS", "1");
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    ServerProcess server = new ServerProcess(builder.start(), port);
    server.awaitReady();
    return server;
  }

  String base() {
    return "http://127.0.0.1:" + port;
  }

  private void awaitReady() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the server exited with " + process.exitValue());
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(base() + "/actuator/health/readiness"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    kill();
    throw new IllegalStateException("the server did not become ready within 90 s");
  }

  /** SIGKILL: no shutdown hook, no flush, no cleanup. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}

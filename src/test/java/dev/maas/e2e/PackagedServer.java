package dev.maas.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A maas server started the way its users start it, as a separate process whose output goes to a
 * log file: {@code java -jar target/maas-*.jar} in an empty working directory (so that the default
 * data directory {@code ./data} is fresh), or any other command (the Docker entrypoint, {@code
 * ./mvnw spring-boot:run}). Nothing from the test classpath reaches it. Security stays on: with no
 * key configured the server generates an admin key and prints it once, and {@link #generatedKey()}
 * reads it from the log as a user reads it from the terminal.
 */
public final class PackagedServer implements AutoCloseable {
  private static final Pattern GENERATED_KEY =
      Pattern.compile("(?m)^\\s+(maas_[A-Za-z0-9_-]{20,})\\s*$");

  private final Process process;
  private final Path log;
  private final int port;

  private PackagedServer(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** The jar that {@code package} built (failsafe passes its path as {@code maas.jar}). */
  public static Path jar() {
    Path jar = Path.of(System.getProperty("maas.jar", "target/maas.jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run ./mvnw verify (package runs first)");
    }
    return jar;
  }

  /**
   * {@code java -jar} of the built jar, in {@code work} (its data directory is {@code work/data}).
   */
  public static PackagedServer startJar(Path work, int port, String... arguments) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar().toString());
    command.add("--server.port=" + port);
    if (List.of(arguments).stream().noneMatch(a -> a.startsWith("--maas.grpc.port="))) {
      command.add("--maas.grpc.port=0"); // gRPC only where a test asks for it: no fixed port
    }
    command.addAll(List.of(arguments));
    return start(command, work, Map.of(), port, Duration.ofSeconds(120));
  }

  /**
   * Starts {@code command} in {@code directory} with {@code environment} added, its output appended
   * to {@code directory/server.log}, and waits until {@code /actuator/health/readiness} answers 200
   * on {@code port}.
   */
  public static PackagedServer start(
      List<String> command,
      Path directory,
      Map<String, String> environment,
      int port,
      Duration timeout)
      throws Exception {
    Files.createDirectories(directory);
    Path log = directory.resolve("server.log");
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
    builder.environment().putAll(environment);
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    PackagedServer server = new PackagedServer(builder.start(), log, port);
    try {
      server.awaitReady(timeout);
    } catch (Exception | AssertionError e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** A free port on loopback. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  public String base() {
    return "http://127.0.0.1:" + port;
  }

  public Path log() {
    return log;
  }

  /** The server process' id (for its resident memory in {@code /proc}). */
  public long pid() {
    return process.pid();
  }

  /** The admin key the server generated and printed at its first start. */
  public String generatedKey() throws IOException {
    return generatedKey(log);
  }

  /** The admin key a server printed in {@code log} at its first start. */
  public static String generatedKey(Path log) throws IOException {
    String text = Files.readString(log);
    Matcher m = GENERATED_KEY.matcher(text);
    if (!m.find()) {
      throw new AssertionError("the server printed no generated admin key:\n" + text);
    }
    return m.group(1);
  }

  /** The log so far, for failure messages. */
  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private void awaitReady(Duration timeout) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "the server exited with "
                + process.exitValue()
                + " before it was ready:\n"
                + logText());
      }
      try {
        var r =
            http.send(
                HttpRequest.newBuilder(URI.create(base() + "/actuator/health/readiness"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "the server was not ready within " + timeout.toSeconds() + " s:\n" + logText());
  }

  /**
   * Stops the server as a user or Kubernetes does (SIGTERM, Spring's graceful shutdown), together
   * with any processes it started (spring-boot:run forks the application's JVM), and waits for it.
   */
  public int stop() throws InterruptedException {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor();
    }
    for (ProcessHandle child : children) {
      try {
        child.onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        child.destroyForcibly();
      }
    }
    return process.exitValue();
  }

  /** Whether the server's process still runs. */
  public boolean alive() {
    return process.isAlive();
  }

  /** Kills the server as a node failure does (SIGKILL): nothing of its shutdown runs. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop();
    }
  }
}

package dev.maas.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.e2e.ApiClient;
import dev.maas.e2e.PackagedServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Runs the command of the Dockerfile (ENTRYPOINT and CMD, the entrypoint script unchanged) against
 * the jar that {@code package} built, the way the image would, and checks that it starts, sizes its
 * memory from the (simulated) cgroup limit, that the image's HEALTHCHECK passes against it, and
 * that it trains a model and predicts with it over HTTP with the admin key it generated. The
 * configuration files are the ones the Helm chart renders (ConfigMap and Secret), found where the
 * chart's SPRING_CONFIG_ADDITIONAL_LOCATION says, so the server starts on the chart's
 * configuration.
 *
 * <p>Only paths differ from the image: the files the image copies are taken from the repository,
 * the jar from target/, and the data directory, port and cgroup file are set through the variables
 * the scripts read.
 */
class DockerImageIT {
  private static final long LIMIT = 3L * 1024 * 1024 * 1024;

  @Test
  void theImageCommandStartsTheBuiltJarSizedFromTheContainerMemory() throws Exception {
    Dockerfile image = Dockerfile.read();
    Map<String, Path> files = image.copiedFromContext();
    Path jar = Path.of(System.getProperty("maas.jar", "target/maas.jar"));
    assertThat(jar).as("the jar built by package").exists();
    Path work =
        Files.createDirectories(Path.of("target", "docker-it", UUID.randomUUID().toString()));
    Path cgroup = Files.writeString(work.resolve("memory.max"), LIMIT + "\n");
    // What the image's RUN does when it is built: unpack the jar, record the CDS archive.
    Path app = work.resolve("app").toAbsolutePath();
    Process prepare =
        new ProcessBuilder(
                files.get("/app/prepare-jar.sh").toString(), jar.toString(), app.toString())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("prepare.log").toFile())
            .start();
    assertThat(prepare.waitFor())
        .as("prepare-jar.sh: %s", Files.readString(work.resolve("prepare.log")))
        .isZero();
    Path preparedJar = app.resolve("maas.jar");
    Path archive = app.resolve("maas.jsa");
    assertThat(archive).isNotEmptyFile();
    Path natives = app.resolve("javacpp");
    Map<Path, String> unpacked = files(natives);
    assertThat(unpacked.keySet())
        .as("ND4J's native libraries unpacked into the image")
        .anyMatch(p -> p.getFileName().toString().startsWith("libnd4jcpu"))
        .anyMatch(p -> p.getFileName().toString().startsWith("libopenblas"));
    int port = freePort();

    List<String> command = new ArrayList<>();
    for (String word : image.command()) {
      command.add(files.containsKey(word) ? files.get(word).toString() : word);
    }
    ProcessBuilder run = new ProcessBuilder(command).redirectErrorStream(true);
    run.redirectOutput(work.resolve("server.log").toFile());
    Map<String, String> env = run.environment();
    env.putAll(image.env());
    env.remove("OMP_NUM_THREADS"); // maas.compute.threads decides, not the build's environment
    env.put("MAAS_STORAGE_PATH", work.resolve("data").toString());
    env.put("MAAS_JAR", preparedJar.toString());
    env.put("MAAS_CGROUP_MEMORY_FILE", cgroup.toString());
    env.put("SERVER_PORT", Integer.toString(port));
    env.put("MAAS_GRPC_PORT", Integer.toString(freePort()));
    env.put("JAVA_OPTS", "-Xmx1g");
    // Like the image's user, whose home does not exist: nothing may be written there.
    env.put("HOME", "/proc/no-home");
    env.put("SPRING_CONFIG_ADDITIONAL_LOCATION", chartConfiguration(work));
    Process server = run.start();
    try {
      awaitHealthy(image, files, port, server, work);

      List<String> args = arguments(server.pid());
      assertThat(args.get(0)).endsWith("java");
      assertThat(args)
          .contains("-XX:MaxRAMPercentage=40")
          .contains("-Dorg.bytedeco.javacpp.maxbytes=" + LIMIT / 100 * 45)
          .contains("-Dorg.bytedeco.javacpp.maxphysicalbytes=" + LIMIT / 100 * 90)
          .contains("-Dorg.bytedeco.javacpp.cachedir=" + natives)
          .contains("-XX:SharedArchiveFile=" + archive)
          .contains("-jar", preparedJar.toString());
      assertThat(Files.readString(Path.of("/proc", Long.toString(server.pid()), "maps")))
          .as("the JVM mapped the class-data-sharing archive")
          .contains(archive.toAbsolutePath().toString());
      assertThat(environment(server.pid()))
          .as("maas.compute.threads sets ND4J's threads; the script leaves OMP_NUM_THREADS alone")
          .noneMatch(v -> v.startsWith("OMP_NUM_THREADS="));
      assertThat(args.indexOf("-Xmx1g"))
          .as("JAVA_OPTS come after the script's flags, so they win")
          .isGreaterThan(args.indexOf("-XX:MaxRAMPercentage=40"));
      var http = HttpClient.newHttpClient();
      var readiness =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                  .build(),
              BodyHandlers.ofString());
      assertThat(readiness.statusCode()).isEqualTo(200);
      assertThat(Files.isDirectory(work.resolve("data"))).as("the data directory is used").isTrue();

      // It trains and predicts, with the admin key it generated (the chart configures none).
      Path log = work.resolve("server.log");
      ApiClient api =
          new ApiClient(
              "http://127.0.0.1:" + port,
              PackagedServer.generatedKey(log),
              () -> {
                try {
                  return Files.readString(log);
                } catch (IOException e) {
                  return e.toString();
                }
              });
      String iris = api.uploadCsv("iris", ApiClient.dataset("iris.csv"));
      JsonNode job =
          api.train(
              "{\"model\": \"iris\", \"family\": \"mlp\", \"dataset\": \""
                  + iris
                  + "\", \"target\": \"species\", \"training\": {\"epochs\": 30}}");
      assertThat(job.get("modelVersion").get("version").asInt()).isEqualTo(1);
      JsonNode answer =
          api.post("/api/v1/models/iris/predict", "{\"instances\": [[5.1, 3.5, 1.4, 0.2]]}", 200);
      assertThat(answer.get("predictions").get(0).has("label")).isTrue();
      assertThat(files(natives))
          .as("the server read the image's native libraries in place, writing nothing there")
          .isEqualTo(unpacked);
    } finally {
      server.destroy();
      server.waitFor();
    }
    assertThat(healthcheck(image, files, port)).as("healthcheck of a stopped server").isNotZero();
  }

  private static void awaitHealthy(
      Dockerfile image, Map<String, Path> files, int port, Process server, Path work)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (healthcheck(image, files, port) != 0) {
      if (!server.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError(
            "the image's command did not become healthy:\n"
                + Files.readString(work.resolve("server.log")));
      }
      Thread.sleep(250);
    }
  }

  /**
   * Writes the files of the chart's ConfigMap and Secret where its pod mounts them (under work/)
   * and returns the chart's config locations pointing there.
   */
  private static String chartConfiguration(Path work) throws IOException {
    List<Map<String, Object>> chart = HelmChart.render(Map.of());
    Map<String, Object> container =
        HelmChart.at(
            HelmChart.only(chart, "Deployment"), "spec", "template", "spec", "containers", 0);
    String locations =
        HelmChart.at(
            HelmChart.named(container.get("env"), "SPRING_CONFIG_ADDITIONAL_LOCATION"), "value");
    Map<String, Map<String, String>> mounted =
        Map.of(
            "application", HelmChart.at(HelmChart.only(chart, "ConfigMap"), "data"),
            "secrets", HelmChart.at(HelmChart.only(chart, "Secret"), "stringData"));
    for (Map.Entry<String, Map<String, String>> volume : mounted.entrySet()) {
      String mountPath =
          HelmChart.at(
              HelmChart.named(container.get("volumeMounts"), volume.getKey()), "mountPath");
      Path local = Files.createDirectories(work.resolve(mountPath.substring(1)));
      for (Map.Entry<String, String> file : volume.getValue().entrySet()) {
        Files.writeString(local.resolve(file.getKey()), file.getValue());
      }
      locations = locations.replace("file:" + mountPath + "/", "file:" + local + "/");
    }
    assertThat(locations).doesNotContain("file:/config");
    return locations;
  }

  /** Runs the image's HEALTHCHECK command against the port. */
  private static int healthcheck(Dockerfile image, Map<String, Path> files, int port)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    for (String word : image.healthcheck()) {
      command.add(files.containsKey(word) ? files.get(word).toString() : word);
    }
    ProcessBuilder check = new ProcessBuilder(command).redirectErrorStream(true);
    check.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    check.environment().put("SERVER_PORT", Integer.toString(port));
    return check.start().waitFor();
  }

  /** The command line of a process (the script exec's java, so it is the JVM's). */
  private static List<String> arguments(long pid) throws IOException {
    String cmdline =
        new String(
            Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
            StandardCharsets.UTF_8);
    return Arrays.asList(cmdline.split("\0"));
  }

  private static List<String> environment(long pid) throws IOException {
    String environ =
        new String(
            Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")),
            StandardCharsets.UTF_8);
    return Arrays.asList(environ.split("\0"));
  }

  /** Every file under {@code dir} with its size and modification time. */
  private static Map<Path, String> files(Path dir) throws IOException {
    Map<Path, String> files = new TreeMap<>();
    try (var walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        files.put(dir.relativize(p), Files.size(p) + " " + Files.getLastModifiedTime(p));
      }
    }
    return files;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

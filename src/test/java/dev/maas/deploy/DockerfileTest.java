package dev.maas.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the root Dockerfile promises, read from the file itself (no Docker engine needed; CI lints
 * it with dockerfile-utils and {@link DockerImageIT} runs its command against the built jar).
 */
class DockerfileTest {

  @Test
  void theImageBuildsWithTheMavenWrapperAndRunsOnAJre17() throws Exception {
    String text = Files.readString(Dockerfile.FILE);
    assertThat(text).containsPattern("(?m)^FROM \\S+ AS build$").contains("./mvnw ");
    assertThat(Dockerfile.read().one("FROM").words()).containsExactly("eclipse-temurin:17-jre");
  }

  @Test
  void itRunsAsANumericNonRootUserAndListensOn8080AndGrpcOn8081() throws Exception {
    Dockerfile image = Dockerfile.read();
    String user = image.one("USER").words().get(0);
    assertThat(user).matches("\\d+:\\d+");
    assertThat(user).doesNotStartWith("0:");
    assertThat(image.one("EXPOSE").words()).containsExactly("8080", "8081");
  }

  @Test
  void theDataDirectoryIsAVolumeAndTheStoragePath() throws Exception {
    Dockerfile image = Dockerfile.read();
    assertThat(Dockerfile.execForm(image.one("VOLUME").arguments())).containsExactly("/data");
    assertThat(image.env()).containsEntry("MAAS_STORAGE_PATH", "/data");
  }

  @Test
  void theHealthcheckAsksTheLivenessGroup() throws Exception {
    Dockerfile image = Dockerfile.read();
    Path script = image.copiedFromContext().get(image.healthcheck().get(0));
    assertThat(script).as("the HEALTHCHECK runs a script the image copies").isNotNull();
    assertThat(Files.readString(script)).contains("/actuator/health/liveness");
    assertThat(Files.isExecutable(script)).isTrue();
  }

  @Test
  void theEntrypointRunsTheJarTheBuildStageCopiesWithMemoryFlags() throws Exception {
    Dockerfile image = Dockerfile.read();
    List<String> command = image.command();
    Path script = image.copiedFromContext().get(command.get(0));
    assertThat(script).as("the ENTRYPOINT is a script the image copies").isNotNull();
    assertThat(Files.isExecutable(script)).isTrue();
    String text = Files.readString(script);
    assertThat(text)
        .contains("${MAAS_JAR:-/app/maas.jar}")
        .contains("-XX:SharedArchiveFile=")
        .contains("-XX:MaxRAMPercentage")
        .contains("-Dorg.bytedeco.javacpp.maxbytes")
        .contains("-Dorg.bytedeco.javacpp.maxphysicalbytes")
        .contains("/sys/fs/cgroup/memory.max");
  }

  /**
   * The image runs the build's jar unpacked, with a class-data-sharing archive recorded by the
   * image's own JVM when the image is built (prepare-jar.sh), where the entrypoint looks for them.
   */
  @Test
  void theBuildsJarIsPreparedInTheImageWhereTheEntrypointRunsIt() throws Exception {
    Dockerfile image = Dockerfile.read();
    String jar = image.copiedFromBuild(".jar");
    Path script = image.copiedFromContext().get("/app/prepare-jar.sh");
    assertThat(script).as("the image copies prepare-jar.sh").isNotNull();
    assertThat(Files.isExecutable(script)).isTrue();
    assertThat(image.all("RUN"))
        .extracting(Dockerfile.Instruction::arguments)
        .anySatisfy(run -> assertThat(run).startsWith("/app/prepare-jar.sh " + jar + " /app "));
    assertThat(Files.readString(script))
        .contains("-XX:ArchiveClassesAtExit=\"$dir/maas.jsa\"")
        .contains("-Dspring.context.exit=onRefresh")
        .contains("--application-filename maas.jar");
  }

  @Test
  void theDockerignoreLetsInEverythingTheBuildCopies() throws Exception {
    List<String> ignore = Files.readAllLines(Path.of(".dockerignore"));
    Matcher copy =
        Pattern.compile("(?m)^COPY (?!--from)(.+?) (\\S+)$")
            .matcher(Files.readString(Dockerfile.FILE));
    int copies = 0;
    while (copy.find()) {
      for (String src : copy.group(1).trim().split("\\s+")) {
        copies++;
        String top = src.replaceAll("/.*", "");
        assertThat(ignore).as(src).containsAnyOf("!" + top, "!" + top + "/");
        assertThat(Path.of(src)).exists();
      }
    }
    assertThat(copies).isGreaterThan(3);
    assertThat(ignore).contains("*");
  }

  @Test
  void everyScriptTheImageRunsComesFromTheRepository() throws Exception {
    Map<String, Path> copied = Dockerfile.read().copiedFromContext();
    assertThat(copied.values()).allSatisfy(p -> assertThat(p).exists());
  }
}

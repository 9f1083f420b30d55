package dev.maas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Prometheus' {@code promtool} (Debian package {@code prometheus}) from a test. Without it a
 * test is skipped with a message, except in CI ({@code MAAS_CI} set, as {@code .ci/run} does, which
 * installs it), where a missing promtool fails the test.
 */
public final class Promtool {
  private Promtool() {}

  /** The promtool executable on the PATH; skips or fails the calling test when there is none. */
  public static Path require() {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        Path candidate = Path.of(dir, "promtool");
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    String message =
        "promtool is not on the PATH; install Debian's 'prometheus' package (.ci/run does) to"
            + " check the rules and the scrape";
    if (System.getenv("MAAS_CI") != null) {
      fail(message + " (MAAS_CI is set, so this is required)");
    }
    abort(message);
    return null;
  }

  /**
   * Lints a scrape with {@code promtool check metrics}: a scrape it cannot parse fails, and so does
   * any lint problem of a {@code maas_} metric. Problems of the meters Spring Boot and Micrometer
   * bind themselves (missing help on http_server_requests and tomcat_sessions, the {@code
   * _ms}/{@code _ns} units of jvm_compilation_time and process_cpu_time, system_cpu_count's suffix)
   * are not maas' to fix; they are returned, one a line.
   */
  public static List<String> checkMetrics(Path scrape) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(require().toString(), "check", "metrics")
            .redirectErrorStream(true)
            .redirectInput(scrape.toFile())
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    // 0: clean; 3: lint problems only; anything else: the scrape could not be read.
    assertThat(p.exitValue()).as("promtool check metrics:\n" + out).isIn(0, 3);
    List<String> tolerated = new ArrayList<>();
    List<String> ours = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      (line.startsWith("maas_") ? ours : tolerated).add(line);
    }
    assertThat(ours).as("promtool's problems with maas' own metrics").isEmpty();
    return tolerated;
  }

  /**
   * Runs {@code promtool args...}, with {@code stdin} as its input if not null, and asserts it
   * succeeds; returns its output.
   */
  public static String check(Path stdin, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(require().toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (stdin != null) {
      pb.redirectInput(stdin.toFile());
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    assertThat(p.exitValue()).as("promtool " + String.join(" ", args) + ":\n" + out).isZero();
    return out;
  }
}

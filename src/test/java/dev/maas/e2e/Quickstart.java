package dev.maas.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The README's quickstart, read from the README itself and run by bash as a user runs it, so that
 * the README cannot drift from what the server does. Only the two values a user fills in change:
 * the key the server printed and the server's address.
 */
final class Quickstart {
  private static final String MARKER = "<!-- quickstart:";
  private static final String KEY_LINE = "export MAAS_KEY=";
  private static final String BASE_LINE = "export MAAS=http://localhost:8080";

  private Quickstart() {}

  /** The commands of the README's quickstart block. */
  static String commands(Path readme) throws IOException {
    List<String> lines = Files.readAllLines(readme);
    int marker = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(MARKER)) {
        marker = i;
      }
    }
    assertThat(marker).as("the README marks its quickstart with " + MARKER).isNotNegative();
    assertThat(lines.get(marker + 1)).isEqualTo("```bash");
    StringBuilder block = new StringBuilder();
    for (int i = marker + 2; !lines.get(i).equals("```"); i++) {
      block.append(lines.get(i)).append('\n');
    }
    return block.toString();
  }

  /**
   * Runs the quickstart against a server with bash in {@code directory} (the repository root: the
   * commands upload a file of the repository), and returns what it printed. Every curl fails on an
   * HTTP error status, so a step that the server refuses fails the script.
   */
  static String run(Path readme, Path directory, String base, String key, Path output)
      throws Exception {
    String commands = commands(readme);
    assertThat(commands).contains(KEY_LINE).contains(BASE_LINE);
    StringBuilder script =
        new StringBuilder("set -euo pipefail\n")
            .append("curl() { command curl --fail-with-body --max-time 300 \"$@\"; }\n");
    for (String line : commands.split("\n", -1)) {
      if (line.startsWith(KEY_LINE)) {
        line = KEY_LINE + key;
      } else if (line.equals(BASE_LINE)) {
        line = "export MAAS=" + base;
      }
      script.append(line).append('\n');
    }
    // Through a pipe, as a terminal would be: the commands' "tee /dev/stderr" reopens a file
    // from its start, overwriting what came before.
    Process bash =
        new ProcessBuilder("bash", "-c", script.toString())
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .start();
    bash.getOutputStream().close();
    CompletableFuture<byte[]> out =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return bash.getInputStream().readAllBytes();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    boolean finished = bash.waitFor(6, TimeUnit.MINUTES);
    if (!finished) {
      bash.descendants().forEach(ProcessHandle::destroyForcibly);
      bash.destroyForcibly();
    }
    String printed = new String(out.get(1, TimeUnit.MINUTES), StandardCharsets.UTF_8);
    Files.createDirectories(output.getParent());
    Files.writeString(output, printed);
    assertThat(finished)
        .as("the quickstart finished in 6 minutes; it printed:\n%s", printed)
        .isTrue();
    assertThat(bash.exitValue())
        .as("the quickstart's exit status; it printed:\n%s", printed)
        .isZero();
    return printed;
  }

  /** What the quickstart's answers must show: a trained model that predicts and has a cost. */
  static void assertItWorked(String printed) {
    assertThat(printed)
        .as("the upload answers the dataset's metadata")
        .containsPattern("\"id\":\"ds-[0-9a-f]{32}\"")
        .as("the event stream shows the job's progress until it has succeeded")
        .containsPattern("\"state\":\"running\",\"model\":\"iris\",\"progress\":\\{\"epoch\":\\d+,")
        .contains("\"state\":\"succeeded\",\"model\":\"iris\",\"progress\":{\"epoch\":100,")
        .as("the finished job, with the version it registered")
        .contains("\"modelVersion\":{\"name\":\"iris\",\"version\":1}")
        .as("the native prediction names the version and labels each instance")
        .contains("{\"model\":\"iris\",\"version\":1,\"predictions\":[{\"label\":\"setosa\"")
        .as("the Open Inference Protocol answer")
        .contains("\"model_name\":\"iris\"")
        .as("the capacity report prices the model")
        .containsPattern("\"model\":\"iris\",\"version\":1,");
  }
}

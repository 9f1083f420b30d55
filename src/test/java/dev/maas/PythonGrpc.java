package dev.maas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Python's grpcio from a test (Debian packages {@code python3-grpcio} and {@code
 * python3-grpc-tools}), with stubs generated at test time from the project's {@code .proto} into
 * {@code target/}. Without them a test is skipped with a message, except in CI ({@code MAAS_CI}
 * set, as {@code .ci/run} does, which installs them), where their absence fails the test.
 */
public final class PythonGrpc {
  /** The project's protocol file, the one the server is generated from. */
  public static final Path PROTO = Path.of("src", "main", "proto", "grpc_predict_v2.proto");

  private static final List<String> PYTHONS = List.of("/usr/bin/python3", "python3");

  private final String python;
  private final Path stubs;

  private PythonGrpc(String python, Path stubs) {
    this.python = python;
    this.stubs = stubs;
  }

  /**
   * A Python with grpcio and grpc_tools, and the stubs generated into {@code target/python-grpc};
   * skips or fails the calling test when there is none.
   */
  public static PythonGrpc require() throws IOException, InterruptedException {
    for (String candidate : PYTHONS) {
      Run check = run(List.of(candidate, "-c", "import grpc, grpc_tools"), 60);
      if (check != null && check.code == 0) {
        Path stubs = Files.createDirectories(Path.of("target", "python-grpc"));
        Run generate =
            run(
                List.of(
                    candidate,
                    "-m",
                    "grpc_tools.protoc",
                    "-I" + PROTO.getParent(),
                    "--python_out=" + stubs,
                    "--grpc_python_out=" + stubs,
                    PROTO.toString()),
                120);
        assertThat(generate).isNotNull();
        assertThat(generate.code).as("grpc_tools.protoc:\n" + generate.output).isZero();
        return new PythonGrpc(candidate, stubs);
      }
    }
    String message =
        "no python3 with grpcio and grpc_tools; install Debian's 'python3-grpcio' and"
            + " 'python3-grpc-tools' (.ci/run does) to call the gRPC server from Python";
    if (System.getenv("MAAS_CI") != null) {
      fail(message + " (MAAS_CI is set, so this is required)");
    }
    abort(message);
    return null;
  }

  /** Runs {@code script} with the stubs' directory as its first argument; returns its stdout. */
  public String script(Path script, String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(python, script.toString(), stubs.toString()));
    command.addAll(List.of(arguments));
    Run r = run(command, 120);
    assertThat(r).as("python finished").isNotNull();
    assertThat(r.code).as(String.join(" ", command) + ":\n" + r.output).isZero();
    return r.output;
  }

  private record Run(int code, String output) {}

  private static Run run(List<String> command, int seconds)
      throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException notThere) {
      return null;
    }
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return null;
    }
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}

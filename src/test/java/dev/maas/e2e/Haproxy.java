package dev.maas.e2e;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real load balancer in front of several servers, the way a Kubernetes Service spreads requests
 * over a Deployment's pods: Debian's HAProxy ({@code haproxy} package) as a process of its own,
 * round robin over the servers, each checked on {@code /actuator/health/readiness} every 250 ms and
 * sent traffic only while that answers 200 (three failed checks in a row take a server out, two
 * passed ones put it back; a check may take 2 s on a busy machine); once per request ({@link
 * #base()}) and once per connection ({@link #tcpBase()}). Its admin socket (TCP on loopback) takes
 * a server out ({@code drain}, as the removal of a pod's endpoint does) and puts it back.
 *
 * <p>Without {@code haproxy} on the PATH the calling test is skipped with a message, or fails when
 * {@code MAAS_CI} is set ({@code .ci/run} installs it).
 */
public final class Haproxy implements AutoCloseable {
  private final Process process;
  private final int port;
  private final int tcpPort;
  private final int adminPort;
  private final Path log;

  private Haproxy(Process process, int port, int tcpPort, int adminPort, Path log) {
    this.process = process;
    this.port = port;
    this.tcpPort = tcpPort;
    this.adminPort = adminPort;
    this.log = log;
  }

  /** The haproxy executable; skips or fails the calling test when there is none. */
  public static Path require() {
    String path = System.getenv("PATH");
    List<String> dirs = new java.util.ArrayList<>();
    if (path != null) {
      dirs.addAll(List.of(path.split(File.pathSeparator)));
    }
    dirs.add("/usr/sbin"); // Debian installs it here, outside a plain user's PATH
    for (String dir : dirs) {
      Path candidate = Path.of(dir, "haproxy");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    String message =
        "haproxy is not installed; install Debian's 'haproxy' package (.ci/run does) to run the"
            + " cluster test behind a load balancer";
    if (System.getenv("MAAS_CI") != null) {
      fail(message + " (MAAS_CI is set, so this is required)");
    }
    abort(message);
    return null;
  }

  /**
   * Starts HAProxy in {@code directory} on a free loopback port, balancing over the servers on
   * {@code serverPorts} (named {@code s1}, {@code s2}, ... in backend {@code be}), and waits until
   * every one of them is up.
   */
  public static Haproxy start(Path directory, List<Integer> serverPorts) throws Exception {
    Path haproxy = require();
    Files.createDirectories(directory);
    int port = PackagedServer.freePort();
    int adminPort = PackagedServer.freePort();
    int tcpPort = PackagedServer.freePort();
    StringBuilder config = new StringBuilder();
    config.append(
        """
        global
          maxconn 2000
          stats socket ipv4@127.0.0.1:%d level admin
        defaults
          timeout connect 2s
          timeout client 120s
          timeout server 120s
          retries 3
          option redispatch
        frontend fe
          mode http
          bind 127.0.0.1:%d
          default_backend be
        frontend fe4
          mode tcp
          bind 127.0.0.1:%d
          default_backend be4
        """
            .formatted(adminPort, port, tcpPort));
    for (String backend : List.of("be", "be4")) {
      config.append(
          """
          backend %s
            mode %s
            balance roundrobin
            option httpchk GET /actuator/health/readiness
            http-check expect status 200
            timeout check 2s
            default-server inter 250ms fastinter 250ms downinter 250ms fall 3 rise 2
          """
              .formatted(backend, backend.equals("be") ? "http" : "tcp"));
      for (int i = 0; i < serverPorts.size(); i++) {
        config
            .append("  server s")
            .append(i + 1)
            .append(" 127.0.0.1:")
            .append(serverPorts.get(i))
            .append(" check\n");
      }
    }
    Path file = directory.resolve("haproxy.cfg");
    Files.writeString(file, config.toString());
    Path log = directory.resolve("haproxy.log");
    Process process =
        new ProcessBuilder(haproxy.toString(), "-db", "-f", file.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    Haproxy h = new Haproxy(process, port, tcpPort, adminPort, log);
    try {
      for (int i = 1; i <= serverPorts.size(); i++) {
        h.awaitStatus(i, "UP", Duration.ofSeconds(30));
      }
    } catch (Exception | AssertionError e) {
      h.close();
      throw e;
    }
    return h;
  }

  /**
   * The address balanced per request ({@code mode http}, as an ingress controller or a service mesh
   * does): a request goes to a server that is up and not drained.
   */
  public String base() {
    return "http://127.0.0.1:" + port;
  }

  /**
   * The address balanced per connection ({@code mode tcp}, as Kubernetes' kube-proxy does): a
   * connection stays on the server it was opened to for its whole life, even after that server is
   * drained or fails its health check; only new connections go elsewhere.
   */
  public String tcpBase() {
    return "http://127.0.0.1:" + tcpPort;
  }

  /** One command on the admin socket; its answer. */
  public String command(String command) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", adminPort), 2000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Server {@code n}'s status as {@code show stat} reports it (UP, DOWN, DRAIN, MAINT...). */
  public String status(int n) throws IOException {
    for (String line : command("show stat").split("\n")) {
      String[] fields = line.split(",", -1);
      if (fields.length > 17 && fields[0].equals("be") && fields[1].equals("s" + n)) {
        return fields[17];
      }
    }
    throw new AssertionError("HAProxy reports no server s" + n + ":\n" + command("show stat"));
  }

  /**
   * Takes server {@code n} out of both back ends (a pod's endpoint removed): no new request and no
   * new connection goes to it; connections open through {@link #tcpBase()} stay.
   */
  public void drain(int n) throws IOException {
    command("set server be/s" + n + " state drain");
    command("set server be4/s" + n + " state drain");
  }

  /** Puts server {@code n} back; it gets traffic again once its health check passes. */
  public void ready(int n) throws IOException {
    command("set server be/s" + n + " state ready");
    command("set server be4/s" + n + " state ready");
  }

  /** Waits until server {@code n}'s status starts with {@code status}. */
  public void awaitStatus(int n, String status, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String seen = "";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("haproxy exited:\n" + logText());
      }
      try {
        seen = status(n);
        if (seen.startsWith(status)) {
          return;
        }
      } catch (IOException e) {
        seen = e.toString(); // the admin socket is not open yet
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "server s" + n + " not " + status + " within " + timeout + " (" + seen + ")\n" + logText());
  }

  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor();
    }
  }
}

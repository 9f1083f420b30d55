package dev.maas.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.compute.ModelCodec;
import dev.maas.compute.TrainedModel;
import dev.maas.storage.DurableFiles;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Kills the server with SIGKILL at random moments while it trains and while it writes the registry
 * (imports, alias moves, tag changes), {@value #KILLS} times, restarting it over the same data
 * directory each time. After every restart: no version is corrupt, every version whose creation the
 * client saw acknowledged is there with its SHA-256 and loads, no temporary file is left, and jobs
 * that were running are queued again to carry on (their attempts say so) and leave no checkpoint
 * once finished. Then one long training job is killed {@value #JOB_KILLS} times, sometimes while it
 * writes a checkpoint: it ends with the very model file an uninterrupted run writes.
 */
@Tag("crash")
class CrashSafetyTest {
  static final int KILLS = Integer.getInteger("maas.crash.kills", 20);
  static final int JOB_KILLS = Integer.getInteger("maas.crash.job-kills", 12);
  private static final List<String> FINISHED = List.of("succeeded", "failed", "cancelled");
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int LONG_EPOCHS = Integer.getInteger("maas.crash.job-epochs", 600);

  private final Path root = Path.of("target", "crash-test", UUID.randomUUID().toString());
  private final Path data = root.resolve("data");
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Random random = new Random(42);

  /** Versions whose creation was acknowledged: "name/version" to SHA-256. */
  private final Map<String, String> acknowledged = new ConcurrentHashMap<>();

  /** The last state the client saw of each job. */
  private final Map<String, String> lastSeen = new ConcurrentHashMap<>();

  private String dataset;
  private byte[] artifact;
  private int interrupted;

  @Test
  void noAcknowledgedWorkIsLostAndNothingIsCorruptAfterRepeatedKills() throws Exception {
    Files.createDirectories(data);
    try (ServerProcess first = start(0)) {
      setUp(first.base());
    }
    for (int life = 1; life <= KILLS; life++) {
      List<Path> left = temporariesIn(data);
      ServerProcess server = start(life);
      try {
        verify(server.base(), life, left);
        AtomicBoolean stop = new AtomicBoolean();
        Thread training = new Thread(() -> trainUntil(server.base(), stop), "crash-training");
        Thread registry = new Thread(() -> writeRegistryUntil(server.base(), stop), "crash-reg");
        training.start();
        registry.start();
        Thread.sleep(200 + random.nextInt(1800));
        server.kill();
        stop.set(true);
        training.join(10_000);
        registry.join(10_000);
      } finally {
        server.kill();
      }
    }
    List<Path> left = temporariesIn(data);
    try (ServerProcess last = start(KILLS + 1)) {
      verify(last.base(), KILLS + 1, left);
    }
    System.out.printf(
        "crash safety: %d kills, %d acknowledged versions intact, %d jobs interrupted and resumed%n",
        KILLS, acknowledged.size(), interrupted);
    assertThat(acknowledged).as("versions acknowledged over all lives").hasSizeGreaterThan(KILLS);
    assertThat(interrupted).as("jobs interrupted by a kill while running").isPositive();
  }

  /**
   * One job killed {@value #JOB_KILLS} times: at a random moment after it starts (perhaps before it
   * writes a checkpoint), a random moment after it writes a new checkpoint, or the moment a
   * checkpoint's temporary file appears (while it is written). Each restart queues it again and it
   * carries on; it ends with the model file of an uninterrupted run with the same seed.
   */
  @Test
  void aJobKilledAtRandomMomentsEndsWithTheModelOfAnUninterruptedRun() throws Exception {
    Files.createDirectories(data);
    ServerProcess server = startCheckpointing();
    String job;
    String reference;
    double referenceSeconds;
    try {
      String base = server.base();
      String iris = Files.readString(Path.of("src", "test", "resources", "datasets", "iris.csv"));
      HttpResponse<String> upload =
          send(base, "POST", "/api/v1/datasets?name=iris", "text/csv", iris);
      assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);
      dataset = JSON.readTree(upload.body()).get("id").asString();
      long start = System.nanoTime();
      JsonNode uninterrupted = poll(base, submitLong(base, "uninterrupted"), new AtomicBoolean());
      referenceSeconds = (System.nanoTime() - start) / 1e9;
      assertThat(uninterrupted.get("state").asString())
          .as(uninterrupted.toString())
          .isEqualTo("succeeded");
      reference = modelDigest(base, "uninterrupted/1");
      job = submitLong(base, "resumed");
    } catch (Exception | AssertionError e) {
      server.kill();
      throw e;
    }
    Path folder = data.resolve("jobs").resolve(job);
    int duringWrite = 0;
    List<Integer> resumedFrom = new ArrayList<>();
    try {
      for (int kill = 1; kill <= JOB_KILLS; kill++) {
        String when = "kill " + kill;
        awaitRunning(server.base(), job, when);
        int newest = newestCheckpoint(folder);
        switch (kill % 3) {
          case 0 -> Thread.sleep(random.nextInt(400));
          case 1 -> {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (newestCheckpoint(folder) <= newest) {
              assertThat(System.nanoTime())
                  .as("a new checkpoint before " + when)
                  .isLessThan(deadline);
              Thread.sleep(5);
            }
            Thread.sleep(random.nextInt(300));
          }
          default -> {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!hasTemporary(folder) && System.nanoTime() < deadline) {
              Thread.onSpinWait();
            }
          }
        }
        server.kill();
        if (!temporaries(folder).isEmpty()) {
          duringWrite++;
        }
        List<Path> left;
        try (Stream<Path> files = Files.walk(data)) {
          left = files.filter(CrashSafetyTest::temporary).toList();
        }
        server = startCheckpointing();
        when = "after " + when;
        // The resumed job may be writing a checkpoint or its file right now; the temporary files
        // the kill left are gone.
        assertThat(left).as("temporary files the kill left, " + when).noneMatch(Files::exists);
        assertNoTemporaryFiles(when, job);
        JsonNode view =
            JSON.readTree(
                send(server.base(), "GET", "/api/v1/training-jobs/" + job, null, null).body());
        // A kill near the end leaves a few epochs, which the restarted server may finish before
        // this read: then there is nothing left to kill.
        String state = view.get("state").asString();
        assertThat(state).as(when + ": " + view).isIn("queued", "running", "succeeded");
        assertInterruptedAttempts(view, when);
        // The two latest, and an older one when the kill came between writing a new one and
        // removing the oldest (the next write removes it).
        assertThat(checkpointFiles(folder)).as(when).hasSizeLessThanOrEqualTo(3);
        assertAcknowledgedIntact(server.base(), when);
        if (state.equals("succeeded")) {
          break;
        }
      }
      JsonNode done = poll(server.base(), job, new AtomicBoolean());
      assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("succeeded");
      String name = done.get("modelVersion").get("name").asString();
      assertThat(
              modelDigest(
                  server.base(), name + "/" + done.get("modelVersion").get("version").asInt()))
          .as("the resumed job's model, against the uninterrupted run's")
          .isEqualTo(reference);
      JsonNode attempts = done.get("attempts");
      // A kill in the instant between a start and its write leaves that attempt unrecorded.
      assertThat(attempts.size()).as(attempts.toString()).isBetween(JOB_KILLS / 2, JOB_KILLS + 1);
      assertInterruptedAttempts(done, "at the end");
      assertThat(attempts.get(attempts.size() - 1).get("endedBy").isNull()).isTrue();
      for (JsonNode a : attempts) {
        if (!a.get("resumedFromEpoch").isNull()) {
          resumedFrom.add(a.get("resumedFromEpoch").asInt());
        }
      }
      assertThat(resumedFrom).as(attempts.toString()).isNotEmpty();
      // The runner deletes a job's checkpoints just after its end is recorded (and visible).
      long gone = System.nanoTime() + 10_000_000_000L;
      while (Files.exists(folder) && System.nanoTime() < gone) {
        Thread.sleep(20);
      }
      assertThat(folder).as("the finished job's checkpoints").doesNotExist();
      assertThat(duringWrite).as("kills that left a checkpoint half written").isPositive();
      assertNoTemporaryFiles("at the end");
      assertAcknowledgedIntact(server.base(), "at the end");
    } finally {
      server.kill();
    }
    System.out.printf(
        "crash safety of one job: %d kills (%d while a checkpoint was written), resumed from"
            + " epochs %s; uninterrupted run %.1f s%n",
        JOB_KILLS, duringWrite, resumedFrom, referenceSeconds);
  }

  private ServerProcess startCheckpointing() throws Exception {
    return ServerProcess.start(
        data, root.resolve("server.log"), "--maas.training.checkpoint-interval=200ms");
  }

  /** A job long enough to be killed many times: thousands of small batches, dropout. */
  private String submitLong(String base, String model) throws IOException, InterruptedException {
    HttpResponse<String> r =
        send(
            base,
            "POST",
            "/api/v1/training-jobs",
            "application/json",
            "{\"model\": \""
                + model
                + "\", \"family\": \"mlp\", \"dataset\": \""
                + dataset
                + "\", \"target\": \"species\", \"spec\": {\"hiddenLayers\": [{\"units\": 64},"
                + " {\"units\": 64, \"dropout\": 0.1}]}, \"training\": {\"epochs\": "
                + LONG_EPOCHS
                + ", \"batchSize\": 4, \"seed\": 11, \"validationFraction\": 0.1}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return JSON.readTree(r.body()).get("id").asString();
  }

  private void awaitRunning(String base, String job, String when) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      JsonNode view =
          JSON.readTree(send(base, "GET", "/api/v1/training-jobs/" + job, null, null).body());
      String state = view.get("state").asString();
      if (state.equals("running")) {
        return;
      }
      assertThat(state)
          .as("the job before " + when + " (too short for the kills?): " + view)
          .isEqualTo("queued");
      assertThat(System.nanoTime()).as("the job running before " + when).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  /** Every attempt but one that is running (or ended the job) was ended by a restart. */
  private static void assertInterruptedAttempts(JsonNode view, String when) {
    JsonNode attempts = view.get("attempts");
    assertThat(attempts.size()).as(when + ": " + view).isPositive();
    boolean running = !view.get("state").asString().equals("queued");
    for (int i = 0; i < attempts.size() - (running ? 1 : 0); i++) {
      assertThat(attempts.get(i).get("endedBy").asString())
          .as(when + ": " + view)
          .isEqualTo("restart");
    }
  }

  /** Every acknowledged version is listed with its SHA-256. */
  private void assertAcknowledgedIntact(String base, String when) throws Exception {
    for (Map.Entry<String, String> e : acknowledged.entrySet()) {
      HttpResponse<String> v =
          send(base, "GET", "/api/v1/models/" + e.getKey().replace("/", "/versions/"), null, null);
      assertThat(v.statusCode()).as(e.getKey() + " " + when).isEqualTo(200);
      assertThat(JSON.readTree(v.body()).get("artifactSha256").asString())
          .as(e.getKey() + " " + when)
          .isEqualTo(e.getValue());
    }
  }

  private static List<Path> checkpointFiles(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".ckpt")).toList();
    }
  }

  private static int newestCheckpoint(Path folder) throws IOException {
    return checkpointFiles(folder).stream()
        .mapToInt(p -> Integer.parseInt(p.getFileName().toString().replaceAll("\\D", "")))
        .max()
        .orElse(0);
  }

  private static boolean hasTemporary(Path folder) {
    try (Stream<Path> files = Files.list(folder)) {
      return files.anyMatch(
          p -> p.getFileName().toString().endsWith(DurableFiles.TEMPORARY_SUFFIX));
    } catch (IOException e) {
      return false; // not there yet, or removed
    }
  }

  /** Every temporary or half-deleted entry under {@code root}, as the kill left them. */
  private static List<Path> temporariesIn(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(
              p -> {
                String n = p.getFileName().toString();
                return n.endsWith(DurableFiles.TEMPORARY_SUFFIX)
                    || n.startsWith(".upload-")
                    || n.startsWith(".deleted-");
              })
          .toList();
    }
  }

  private static boolean temporary(Path p) {
    return p.getFileName().toString().endsWith(DurableFiles.TEMPORARY_SUFFIX);
  }

  private static List<Path> temporaries(Path folder) {
    try (Stream<Path> files = Files.list(folder)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(DurableFiles.TEMPORARY_SUFFIX))
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private ServerProcess start(int life) throws Exception {
    return ServerProcess.start(data, root.resolve("server.log"));
  }

  private void setUp(String base) throws Exception {
    String iris = Files.readString(Path.of("src", "test", "resources", "datasets", "iris.csv"));
    HttpResponse<String> upload =
        send(base, "POST", "/api/v1/datasets?name=iris", "text/csv", iris);
    assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);
    dataset = JSON.readTree(upload.body()).get("id").asString();
    String id = submit(base, 50);
    JsonNode job = poll(base, id, new AtomicBoolean());
    assertThat(job.get("state").asString()).as(job.toString()).isEqualTo("succeeded");
    int version = job.get("modelVersion").get("version").asInt();
    HttpResponse<byte[]> file =
        http.send(
            request(base, "/api/v1/models/iris-mlp/versions/" + version + "/artifact").build(),
            BodyHandlers.ofByteArray());
    assertThat(file.statusCode()).isEqualTo(200);
    artifact = file.body();
  }

  /** Submits jobs one after another and follows each until it ends or the server is gone. */
  private void trainUntil(String base, AtomicBoolean stop) {
    try {
      while (!stop.get()) {
        String id = submit(base, 100 + random.nextInt(500));
        poll(base, id, stop);
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      // the server was killed
    }
  }

  /** Imports versions, moves an alias and changes tags, as fast as the server answers. */
  private void writeRegistryUntil(String base, AtomicBoolean stop) {
    try {
      int n = 0;
      while (!stop.get()) {
        HttpResponse<String> imported =
            http.send(
                request(base, "/api/v1/models/imported/versions")
                    .header("Content-Type", "application/octet-stream")
                    .POST(BodyPublishers.ofByteArray(artifact))
                    .build(),
                BodyHandlers.ofString());
        if (imported.statusCode() == 201) {
          JsonNode v = JSON.readTree(imported.body());
          acknowledged.put(
              "imported/" + v.get("version").asInt(), v.get("artifactSha256").asString());
          send(
              base,
              "PUT",
              "/api/v1/models/imported/aliases/prod",
              "application/json",
              "{\"version\": " + v.get("version").asInt() + "}");
        }
        send(
            base,
            "PATCH",
            "/api/v1/models/imported",
            "application/json",
            "{\"tags\": {\"n\": \"" + (n++) + "\"}}");
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      // the server was killed
    }
  }

  private String submit(String base, int epochs) throws IOException, InterruptedException {
    HttpResponse<String> r =
        send(
            base,
            "POST",
            "/api/v1/training-jobs",
            "application/json",
            "{\"model\": \"iris-mlp\", \"family\": \"mlp\", \"dataset\": \""
                + dataset
                + "\", \"target\": \"species\", \"spec\": {\"hiddenLayers\": [{\"units\": 16}]},"
                + " \"training\": {\"epochs\": "
                + epochs
                + ", \"batchSize\": 8}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    String id = JSON.readTree(r.body()).get("id").asString();
    lastSeen.put(id, "queued");
    return id;
  }

  private JsonNode poll(String base, String id, AtomicBoolean stop)
      throws IOException, InterruptedException {
    while (true) {
      JsonNode job =
          JSON.readTree(send(base, "GET", "/api/v1/training-jobs/" + id, null, null).body());
      String state = job.get("state").asString();
      lastSeen.put(id, state);
      if (state.equals("succeeded")) {
        String name = job.get("modelVersion").get("name").asString();
        int version = job.get("modelVersion").get("version").asInt();
        JsonNode v =
            JSON.readTree(
                send(base, "GET", "/api/v1/models/" + name + "/versions/" + version, null, null)
                    .body());
        acknowledged.put(name + "/" + version, v.get("artifactSha256").asString());
        return job;
      }
      if (!state.equals("queued") && !state.equals("running") || stop.get()) {
        return job;
      }
      Thread.sleep(30);
    }
  }

  /**
   * What a restart must leave intact. {@code left}: the temporary files the kill left, which the
   * start removes. Jobs the kill interrupted resume at once and write temporaries of their own
   * (unique names), so the check is of the kill's files, not of an empty folder.
   */
  private void verify(String base, int life, List<Path> left) throws Exception {
    String when = "after restart " + life;
    assertThat(left).as("temporary files the kill left, " + when).noneMatch(Files::exists);
    HttpResponse<String> modelList = send(base, "GET", "/api/v1/models?limit=1000", null, null);
    assertThat(modelList.statusCode()).as(when + ": " + modelList.body()).isEqualTo(200);
    JsonNode models = JSON.readTree(modelList.body());
    List<String> seen = new ArrayList<>();
    for (JsonNode model : models.get("models")) {
      String name = model.get("name").asString();
      HttpResponse<String> listed =
          send(base, "GET", "/api/v1/models/" + name + "/versions", null, null);
      assertThat(listed.statusCode()).as(name + " " + when + ": " + listed.body()).isEqualTo(200);
      JsonNode versions = JSON.readTree(listed.body());
      for (JsonNode v : versions.get("versions")) {
        String key = name + "/" + v.get("version").asInt();
        seen.add(key);
        assertThat(v.get("status").asString()).as(key + " " + when).isEqualTo("ready");
        if (acknowledged.containsKey(key)) {
          assertThat(v.get("artifactSha256").asString())
              .as(key + " " + when)
              .isEqualTo(acknowledged.get(key));
        }
        if (life > KILLS || acknowledged.containsKey(key) && random.nextInt(4) == 0) {
          loads(base, key, v.get("artifactSha256").asString(), when);
        }
      }
    }
    assertThat(seen).as("acknowledged versions " + when).containsAll(acknowledged.keySet());
    for (JsonNode model : models.get("models")) {
      String name = model.get("name").asString();
      for (var alias : model.get("aliases").properties()) {
        assertThat(seen)
            .as("alias " + name + "@" + alias.getKey() + " " + when)
            .contains(name + "/" + alias.getValue().asInt());
      }
    }
    JsonNode jobs =
        JSON.readTree(send(base, "GET", "/api/v1/training-jobs?limit=1000", null, null).body());
    for (JsonNode job : jobs.get("jobs")) {
      String id = job.get("id").asString();
      String before = lastSeen.remove(id);
      String state = job.get("state").asString();
      // A job seen running may have finished between the client's last read and the kill: one
      // attempt, succeeded. Any other carries on from its checkpoint (or from the start), unless
      // the kills took it down maas.training.max-attempts times in a row without progress.
      boolean finishedBeforeTheKill = state.equals("succeeded") && job.get("attempts").size() == 1;
      if ("running".equals(before) && !finishedBeforeTheKill) {
        if (state.equals("failed")) {
          assertThat(job.get("error").asString()).as(id + " " + when).contains("times in a row");
        } else {
          assertThat(state).as(id + " " + when).isIn("queued", "running", "succeeded");
        }
        assertThat(job.get("attempts").size()).as(id + " " + when).isGreaterThan(1);
        interrupted++;
      }
      if (FINISHED.contains(state)) {
        assertThat(data.resolve("jobs").resolve(id)).as("checkpoints of " + id).doesNotExist();
      }
    }
  }

  private void assertNoTemporaryFiles(String when) throws IOException {
    assertNoTemporaryFiles(when, null);
  }

  /** No temporary file anywhere in the data folder, except of job {@code busy} (when not null). */
  private void assertNoTemporaryFiles(String when, String busy) throws IOException {
    try (Stream<Path> files = Files.walk(data)) {
      List<String> leftovers =
          files
              .filter(p -> busy == null || !p.toString().contains(busy))
              .map(p -> p.getFileName().toString())
              .filter(
                  n ->
                      n.endsWith(DurableFiles.TEMPORARY_SUFFIX)
                          || n.startsWith(".upload-")
                          || n.startsWith(".deleted-"))
              .toList();
      assertThat(leftovers).as("temporary files " + when).isEmpty();
    }
  }

  /**
   * The SHA-256 of a version's model file as the model alone writes it: everything but the file's
   * provenance block, which names the training job and so differs between two jobs.
   */
  private String modelDigest(String base, String key) throws Exception {
    try (TrainedModel model = ModelCodec.read(artifact(base, key, ""))) {
      return DurableFiles.sha256(ModelCodec.toBytes(model));
    }
  }

  /** The artifact is served with its SHA-256 and reads as a model. */
  private void loads(String base, String key, String sha256, String when) throws Exception {
    byte[] file = artifact(base, key, " " + when);
    assertThat(DurableFiles.sha256(file)).as(key + " " + when).isEqualTo(sha256);
    try (TrainedModel model = ModelCodec.read(file)) {
      assertThat(model).isNotNull();
    }
  }

  /** The model file of {@code key} ("name/version"), which must be served (200). */
  private byte[] artifact(String base, String key, String when) throws Exception {
    String[] nameVersion = key.split("/");
    HttpResponse<byte[]> file =
        http.send(
            request(
                    base,
                    "/api/v1/models/"
                        + nameVersion[0]
                        + "/versions/"
                        + nameVersion[1]
                        + "/artifact")
                .build(),
            BodyHandlers.ofByteArray());
    assertThat(file.statusCode()).as(key + when).isEqualTo(200);
    return file.body();
  }

  private HttpRequest.Builder request(String base, String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
  }

  private HttpResponse<String> send(
      String base, String method, String path, String type, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = request(base, path);
    if (type != null) {
      b.header("Content-Type", type);
    }
    b.method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
    return http.send(b.build(), BodyHandlers.ofString());
  }
}

package dev.maas.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.training.JobsClient;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Memory stays constant in the number of rows: while a prediction job scores 300,000 rows (the wine
 * features repeated; 34 MB as doubles, more than twice the bound) and while the input and the
 * result download, the server's live heap (measured after a full collection, as {@code
 * StreamingIngestTest} does, but as the collector left it) grows by less than {@value #BOUND_MB}
 * MB: chunks of 4,096 rows committed four at a time, the download's slices, and buffers, whatever
 * the rows. {@code bench/predict-job} measures the same with the default sizes on 1,000,000 rows
 * against the packaged jar.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PredictionJobHeapTest {
  private static final Path STORAGE =
      Path.of("target", "test-data", "prediction-heap-" + UUID.randomUUID());
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int ROWS = 300_000;
  private static final int FEATURES = 13;
  private static final long BOUND_MB = 8;

  @LocalServerPort int port;

  private final HttpClient http = HttpClient.newHttpClient();
  private String input;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry properties) {
    properties.add("maas.storage.path", STORAGE::toString);
    properties.add("maas.prediction-jobs.chunk-rows", () -> 4096);
    properties.add("maas.prediction-jobs.commit-rows", () -> 16384);
  }

  @BeforeAll
  void trainOnWineAndUploadItRepeated() throws Exception {
    JobsClient training = new JobsClient("http://127.0.0.1:" + port);
    List<String> wine = Files.readAllLines(Path.of("src/test/resources/datasets/wine.csv"));
    String dataset = training.uploadCsv("wine", String.join("\n", wine) + "\n");
    HttpResponse<String> r =
        training.submit(
            "{\"model\": \"wine-heap\", \"family\": \"logistic_regression\", \"dataset\": \""
                + dataset
                + "\", \"target\": \"cultivar\", \"task\": \"classification\"}",
            null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    training.awaitState(JobsClient.json(r).get("id").asString(), "succeeded");

    StringBuilder csv = new StringBuilder(ROWS * 80);
    csv.append(wine.get(0)).append('\n');
    for (int i = 0; i < ROWS; i++) {
      csv.append(wine.get(1 + i % (wine.size() - 1))).append('\n');
    }
    input = training.uploadCsv("wine-repeated", csv.toString());
  }

  @Test
  void theJobAndTheDownloadsHoldNoMoreThanAChunkWhateverTheRows() throws Exception {
    long baseline = liveHeap();
    JsonNode job;
    try (Sampler sampler = new Sampler(baseline)) {
      HttpResponse<String> submitted =
          send(
              HttpRequest.newBuilder(uri("/api/v1/prediction-jobs"))
                  .header("Content-Type", "application/json")
                  .POST(
                      BodyPublishers.ofString(
                          "{\"model\": \"wine-heap\", \"dataset\": \""
                              + input
                              + "\", \"passThrough\": [\"cultivar\", \"proline\"],"
                              + " \"output\": \"both\"}")));
      assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
      String id = JSON.readTree(submitted.body()).get("id").asString();
      job = await(id);
      assertThat(job.get("state").asString()).as(job.toString()).isEqualTo("succeeded");
      assertThat(job.get("progress").get("rowsDone").asLong()).isEqualTo(ROWS);
      long growth = sampler.maxGrowth();
      System.out.printf(
          "live heap growth while a job scores %d rows: %.1f MB%n", ROWS, growth / 1048576.0);
      assertThat(growth)
          .as("live heap growth while a job scores %d rows: %d MB", ROWS, growth >> 20)
          .isLessThan(BOUND_MB << 20);
    }

    String result = job.get("resultDataset").asString();
    long inputBytes = (long) ROWS * (FEATURES + 1) * Double.BYTES;
    for (String[] download :
        new String[][] {
          {input, "text/csv"}, {result, "text/csv"}, {result, "application/x-ndjson"}
        }) {
      try (Sampler sampler = new Sampler(baseline)) {
        long lines = download(download[0], download[1]);
        assertThat(lines)
            .isEqualTo(download[1].equals("text/csv") ? ROWS + 1 : ROWS); // CSV has a header
        long growth = sampler.maxGrowth();
        System.out.printf(
            "live heap growth while %s downloads as %s: %.1f MB%n",
            download[0], download[1], growth / 1048576.0);
        assertThat(growth)
            .as(
                "live heap growth while %s downloads as %s: %d MB",
                download[0], download[1], growth >> 20)
            .isLessThan(BOUND_MB << 20)
            .isLessThan(inputBytes / 2);
      }
    }
  }

  /** Reads a download as it streams, counting its lines. */
  private long download(String dataset, String accept) throws Exception {
    HttpResponse<InputStream> r =
        http.send(
            HttpRequest.newBuilder(uri("/api/v1/datasets/" + dataset + "/data"))
                .header("Accept", accept)
                .build(),
            BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    long lines = 0;
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = r.body()) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        for (int i = 0; i < n; i++) {
          if (buffer[i] == '\n') {
            lines++;
          }
        }
      }
    }
    return lines;
  }

  /** Measures the live heap every 100 ms on a thread of its own, until closed. */
  private static final class Sampler implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong max = new AtomicLong();
    private final Thread thread;

    Sampler(long baseline) {
      thread =
          new Thread(
              () -> {
                while (running.get()) {
                  max.accumulateAndGet(liveHeap() - baseline, Math::max);
                  try {
                    Thread.sleep(100);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "heap-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    long maxGrowth() throws InterruptedException {
      running.set(false);
      thread.join();
      return max.get();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join();
    }
  }

  /**
   * The heap in use just after a full collection, as the collector left it (each pool's usage after
   * its last collection): what the threads allocate between the collection and the reading, a whole
   * thread-local buffer each, is not counted as live.
   */
  private static long liveHeap() {
    System.gc();
    long used = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage after = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
      if (after != null) {
        used += after.getUsed();
      }
    }
    return used;
  }

  private JsonNode await(String id) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    JsonNode job;
    do {
      job =
          JSON.readTree(send(HttpRequest.newBuilder(uri("/api/v1/prediction-jobs/" + id))).body());
      Thread.sleep(50);
    } while (!job.get("state").asString().matches("succeeded|failed|cancelled")
        && System.nanoTime() < deadline);
    return job;
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}

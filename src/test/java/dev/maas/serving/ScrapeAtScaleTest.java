package dev.maas.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.registry.ModelRegistry;
import dev.maas.serving.ServingFixtures.Fixture;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole scrape, {@code /actuator/prometheus} with every meter the server has, after 1,000
 * models were registered and each served a prediction: under 1 MB. Its time is printed (the target
 * is 100 ms; a timed assertion would fail on a busy machine's noise): {@code ./mvnw test
 * -Dtest=ScrapeAtScaleTest}.
 */
@Tag("slow")
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class ScrapeAtScaleTest {
  private static final Path STORAGE =
      Path.of("target", "test-data", "scrape-at-scale-" + UUID.randomUUID());
  private static final Fixture MLP = ServingFixtures.everyFamily().get(2);
  private static final int MODELS = 1000;

  @LocalServerPort int port;
  @Autowired ModelRegistry registry;

  @DynamicPropertySource
  static void storage(DynamicPropertyRegistry properties) {
    properties.add("maas.storage.path", STORAGE::toString);
  }

  @Test
  void aThousandModelsRegisteredAndServedScrapeUnderAMegabyte() throws Exception {
    ServingClient client = new ServingClient(port);
    for (int i = 0; i < MODELS; i++) {
      registry.importVersion("scale-" + i, MLP.file());
    }
    String body = "{\"instances\": [" + Arrays.toString(MLP.rows()[0]) + "]}";
    AtomicInteger next = new AtomicInteger();
    List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        done.add(
            clients.submit(
                () -> {
                  for (int i = next.getAndIncrement(); i < MODELS; i = next.getAndIncrement()) {
                    HttpResponse<String> r =
                        client.post("/api/v1/models/scale-" + i + "/predict", body);
                    if (r.statusCode() != 200) {
                      failures.add(i + ": " + r.statusCode() + " " + r.body());
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(5, TimeUnit.MINUTES);
      }
    } finally {
      clients.shutdownNow();
    }
    assertThat(failures).isEmpty();

    // the registry's meters are read again shortly after registrations
    String scrape = "";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!scrape.contains("maas_registry_models " + MODELS + ".0")
        && System.nanoTime() < deadline) {
      scrape = client.get("/actuator/prometheus").body();
      Thread.sleep(50);
    }
    assertThat(scrape).contains("maas_registry_models " + MODELS + ".0");
    for (int i = 0; i < 3; i++) {
      client.get("/actuator/prometheus"); // warm up
    }
    long[] times = new long[10];
    for (int i = 0; i < times.length; i++) {
      long start = System.nanoTime();
      HttpResponse<String> r = client.get("/actuator/prometheus");
      times[i] = System.nanoTime() - start;
      assertThat(r.statusCode()).isEqualTo(200);
      scrape = r.body();
    }
    Arrays.sort(times);
    int bytes = scrape.getBytes(StandardCharsets.UTF_8).length;
    long series = scrape.lines().filter(l -> !l.isEmpty() && !l.startsWith("#")).count();
    long registrySeries =
        scrape.lines().filter(l -> l.startsWith("maas_registry_versions{")).count();
    System.out.printf(
        "whole scrape with %d models registered and served: %d bytes, %d series"
            + " (%d per-model registry versions series); over HTTP median %.1f ms, best %.1f ms"
            + " of %d%n",
        MODELS,
        bytes,
        series,
        registrySeries,
        times[times.length / 2] / 1e6,
        times[0] / 1e6,
        times.length);

    assertThat(bytes).isLessThan(1_000_000);
    assertThat(registrySeries).isEqualTo(101); // 100 models of their own and the rest together
    for (int i = 0; i < MODELS; i += 97) {
      assertThat(scrape)
          .contains("maas_prediction_rows_total{family=\"mlp\",model=\"scale-" + i + "\"");
    }
  }
}

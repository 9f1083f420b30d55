package dev.maas.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.MaasApplication;
import dev.maas.registry.FileRegistryStore;
import dev.maas.registry.ModelRegistry;
import dev.maas.registry.Provenance;
import dev.maas.serving.ServingFixtures.Fixture;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The warm-up at start: by the time the readiness probe says ready, the versions every model has in
 * use are loaded and have answered real prediction requests through the server's own port, none of
 * which shows in the serving meters or used the rate limit, and the key the warm-up used is
 * refused; a version an alias comes to point at later is loaded before any request asks for it.
 */
class WarmupTest {
  private final Path storage = Path.of("target", "test-data", "warmup-" + UUID.randomUUID());

  @Test
  void everyModelIsLoadedAndHasAnsweredRequestsBeforeReadiness() throws Exception {
    ModelRegistry registry =
        new ModelRegistry(new FileRegistryStore(storage, Clock.systemUTC(), Provenance.current()));
    List<String> names = new ArrayList<>();
    for (Fixture f : ServingFixtures.everyFamily()) {
      String name = "warm-" + f.family().replace('_', '-');
      registry.importVersion(name, f.file());
      names.add(name);
    }
    Map<String, Double> successesAtReady = new ConcurrentHashMap<>();
    Map<String, Boolean> loadedAtReady = new ConcurrentHashMap<>();
    double[] cacheRequestsAtReady = new double[1];
    long[] httpRequestsAtReady = new long[1];
    long[] answeredAtReady = new long[1];
    long[] leanAtReady = new long[1];
    double[] twinsAtReady = new double[1];
    long started = System.nanoTime();
    long[] readyAfter = new long[1];
    SpringApplicationBuilder app =
        new SpringApplicationBuilder(MaasApplication.class)
            .properties("server.port=0", "maas.storage.path=" + storage);
    app.listeners(
        (AvailabilityChangeEvent<?> e) -> {
          if (e.getState() == ReadinessState.ACCEPTING_TRAFFIC) {
            readyAfter[0] = System.nanoTime() - started;
            var context = (ConfigurableApplicationContext) e.getSource();
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            ModelCache cache = context.getBean(ModelCache.class);
            answeredAtReady[0] = context.getBean(Warmup.class).answered();
            leanAtReady[0] = context.getBean(LeanPredictFilter.class).answered();
            twinsAtReady[0] =
                context
                    .getBean(ServingMetrics.class)
                    .synthetic()
                    .registry()
                    .find(ServingMeterNames.PREDICTIONS)
                    .counters()
                    .stream()
                    .mapToDouble(Counter::count)
                    .sum();
            httpRequestsAtReady[0] =
                meters.find("http.server.requests").timers().stream().mapToLong(Timer::count).sum();
            cacheRequestsAtReady[0] =
                meters.find(ServingMeterNames.CACHE_REQUESTS).counters().stream()
                    .mapToDouble(Counter::count)
                    .sum();
            for (String name : names) {
              successesAtReady.put(
                  name,
                  meters
                      .find(ServingMeterNames.PREDICTIONS)
                      .tag("model", name)
                      .tag("outcome", "success")
                      .counters()
                      .stream()
                      .mapToDouble(Counter::count)
                      .sum());
              loadedAtReady.put(name, cache.isLoaded(name, 1));
            }
          }
        });
    // Through the real filters (the tests' configuration turns them off; arguments win): the
    // warm-up's key is accepted and not rate limited.
    try (ConfigurableApplicationContext context =
        app.run(
            "--maas.serving.warmup.duration=1s",
            "--maas.serving.warmup.concurrency=2",
            "--maas.serving.warmup.max-models=8",
            "--maas.security.enabled=true",
            "--maas.security.requests-per-second=1",
            "--maas.security.burst=1")) {
      assertThat(loadedAtReady).hasSize(names.size()).doesNotContainValue(false);
      assertThat(answeredAtReady[0])
          .as("warm-up requests answered 200 before ready")
          .isGreaterThanOrEqualTo(names.size());
      assertThat(leanAtReady[0])
          .as("warm-up requests the lean predict path answered before ready")
          .isGreaterThanOrEqualTo(names.size());
      assertThat(successesAtReady)
          .as("predictions metered at ready, per model: the warm-up's are not clients'")
          .allSatisfy((name, count) -> assertThat(count).as(name).isZero());
      assertThat(cacheRequestsAtReady[0]).as("cache requests metered at ready").isZero();
      assertThat(twinsAtReady[0])
          .as("the warm-up's requests ran the metering code, into the never-scraped twins")
          .isGreaterThanOrEqualTo(names.size());
      assertThat(httpRequestsAtReady[0]).as("HTTP server requests observed at ready").isZero();
      assertThat(readyAfter[0]).as("time to ready, warm-up included").isLessThan(60_000_000_000L);

      @SuppressWarnings("unchecked")
      Supplier<String> key = (Supplier<String>) context.getBean("warmupKey", Supplier.class);
      String port = context.getEnvironment().getProperty("local.server.port");
      HttpResponse<String> after =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:"
                                  + port
                                  + "/api/v1/models/"
                                  + names.get(0)
                                  + "/predict"))
                      .header("Authorization", "Bearer " + key.get())
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [[0, 0, 0]]}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(after.statusCode()).as("the warm-up key once ready").isEqualTo(401);
      // A client's request is observed, so the zero at ready above is the warm-up's left out.
      MeterRegistry meters = context.getBean(MeterRegistry.class);
      long observedBy = System.nanoTime() + 5_000_000_000L;
      while (meters.find("http.server.requests").timers().stream().mapToLong(Timer::count).sum()
              == 0
          && System.nanoTime() < observedBy) {
        Thread.sleep(20);
      }
      assertThat(
              meters.find("http.server.requests").timers().stream().mapToLong(Timer::count).sum())
          .as("HTTP server requests observed once a client's request came")
          .isPositive();

      // A new version (the latest, with an alias) is loaded before any request asks for it.
      Fixture first = ServingFixtures.everyFamily().get(0);
      ModelRegistry live = context.getBean(ModelRegistry.class);
      String name = "warm-" + first.family().replace('_', '-');
      int next = live.importVersion(name, first.file()).version();
      live.setAlias(name, "staging", next);
      ModelCache cache = context.getBean(ModelCache.class);
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (!cache.isLoaded(name, next) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(cache.isLoaded(name, next)).as("the new version, loaded ahead").isTrue();
      assertThat(
              context
                  .getBean(MeterRegistry.class)
                  .find(ServingMeterNames.CACHE_REQUESTS)
                  .counters()
                  .stream()
                  .mapToDouble(Counter::count)
                  .sum())
          .as("cache requests metered after loading ahead")
          .isZero();
    }
  }

  @Test
  void aSyntheticInstanceHasTheInputsShape() {
    for (Fixture f : ServingFixtures.everyFamily()) {
      InputLayout layout = new InputLayout(f.model());
      byte[] body = Warmup.body(layout);
      Rows rows = new InstancesReader(layout, 1).read(body);
      assertThat(rows.rows()).as(f.family()).isEqualTo(1);
      Rows batch = new InstancesReader(layout, 100).read(Warmup.body(layout, Warmup.BATCH_ROWS));
      assertThat(batch.rows()).as(f.family()).isEqualTo(Warmup.BATCH_ROWS);
      if (!layout.raw()) {
        InferRequest infer = InferRequest.read(Warmup.infer(layout, 1), layout, 100);
        assertThat(infer.rows().rows()).as(f.family()).isEqualTo(1);
      }
    }
  }

  /** Clients send integers and decimals: the warm-up's bodies take both of the parser's paths. */
  @Test
  void aSyntheticBodyHoldsIntegersAndDecimals() {
    for (Fixture f : ServingFixtures.everyFamily()) {
      InputLayout layout = new InputLayout(f.model());
      if (layout.raw() || layout.rowLength() < 2) {
        continue;
      }
      String body = new String(Warmup.body(layout), StandardCharsets.UTF_8);
      assertThat(body).as(f.family()).startsWith("{\"instances\":[[0,0.5");
      assertThat(new String(Warmup.infer(layout, 1), StandardCharsets.UTF_8))
          .as(f.family())
          .contains("\"data\":[0,0.5");
    }
  }

  @Test
  void theRequestsNameAVersionTheWaysClientsDo() {
    ModelRegistry registry =
        new ModelRegistry(new FileRegistryStore(storage, Clock.systemUTC(), Provenance.current()));
    Fixture f =
        ServingFixtures.everyFamily().stream()
            .filter(x -> !new InputLayout(x.model()).raw())
            .findFirst()
            .orElseThrow();
    registry.importVersion("m", f.file());
    registry.importVersion("m", f.file());
    registry.setAlias("m", "staging", 1);
    InputLayout layout = new InputLayout(f.model());

    List<String> latest =
        Warmup.targets(new Warmup.InUse(registry.version("m", 2), true, List.of()), layout).stream()
            .map(Warmup.Target::path)
            .toList();
    assertThat(latest)
        .containsExactly(
            "/api/v1/models/m/predict",
            "/api/v1/models/m/predict?version=2",
            "/api/v1/models/m/predict",
            "/v2/models/m/infer");
    List<String> staging =
        Warmup.targets(
                new Warmup.InUse(registry.version("m", 1), false, List.of("staging")), layout)
            .stream()
            .map(Warmup.Target::path)
            .toList();
    assertThat(staging)
        .containsExactly(
            "/api/v1/models/m/predict?alias=staging",
            "/api/v1/models/m/predict?version=1",
            "/api/v1/models/m/predict?alias=staging",
            "/v2/models/m/versions/1/infer");
  }

  @Test
  void theWarmupEndsByReadyWithinAfterTheJvmStartedButSendsForAtLeastASecond() {
    long second = 1_000_000_000L;
    long now = System.nanoTime();
    Warmup.Deadline unbound = warmup(Duration.ofSeconds(10), Duration.ZERO).deadline(now);
    assertThat(unbound.end()).isEqualTo(now + 10 * second);
    assertThat(unbound.bound()).isEqualTo("maas.serving.warmup.duration");

    Warmup.Deadline far = warmup(Duration.ofSeconds(10), Duration.ofHours(1)).deadline(now);
    assertThat(far.end()).isEqualTo(now + 10 * second);

    // this JVM started long enough ago: a second from now, not less
    Warmup.Deadline passed = warmup(Duration.ofSeconds(10), Duration.ofMillis(1)).deadline(now);
    assertThat(passed.bound()).isEqualTo("maas.serving.warmup.ready-within");
    assertThat(passed.end() - now).isBetween(second, 2 * second);
  }

  private static Warmup warmup(Duration duration, Duration readyWithin) {
    return new Warmup(
        null,
        null,
        new ServingProperties.Warmup(true, duration, 32, 8, Duration.ofMillis(100), readyWithin),
        null,
        () -> "",
        null);
  }
}

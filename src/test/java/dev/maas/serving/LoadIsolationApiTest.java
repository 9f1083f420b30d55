package dev.maas.serving;

import static dev.maas.serving.ServingClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.registry.ModelRegistry;
import dev.maas.serving.ServingFixtures.Fixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;
import tools.jackson.databind.JsonNode;

/**
 * Loads that do not hurt neighbours, over HTTP: while every load slot is taken, a request for a
 * version that is not loaded is answered 429 with Retry-After after {@code maas.serving.load-wait},
 * and loaded versions keep answering at once; a version whose load fails is answered 429 naming the
 * cause, is not tried again before its backoff ends, then loads, and leaves nothing in the cache.
 * The registry is the real one, with a fault injected into the load of one version (the one thing a
 * test cannot make happen for real on demand: a slow disk, a failed native allocation).
 */
// No warm-up: its follower loads a newly imported version ahead of its first request, and here
// every load must come from the test's own requests (one of them has a fault injected).
@SpringBootTest(
    webEnvironment = WebEnvironment.RANDOM_PORT,
    properties = "maas.serving.warmup.enabled=false")
class LoadIsolationApiTest {
  private static final Path STORAGE =
      Path.of("target", "test-data", "load-isolation-" + UUID.randomUUID());
  private static final Fixture MLP = ServingFixtures.everyFamily().get(2);
  private static final String BODY = "{\"instances\": [" + Arrays.toString(MLP.rows()[0]) + "]}";

  @LocalServerPort int port;
  @MockitoSpyBean ModelRegistry registry;
  @Autowired ModelCache cache;

  @DynamicPropertySource
  static void settings(DynamicPropertyRegistry properties) {
    properties.add("maas.storage.path", STORAGE::toString);
    properties.add("maas.serving.max-concurrent-loads", () -> 1);
    properties.add("maas.serving.load-wait", () -> "300ms");
  }

  private HttpResponse<String> predict(ServingClient client, String model) throws Exception {
    return client.post("/api/v1/models/" + model + "/predict", BODY);
  }

  @Test
  void whileEveryLoadSlotIsTakenAMissIs429WithRetryAfterAndHitsKeepAnswering() throws Exception {
    ServingClient client = new ServingClient(port);
    // Stubbed before the imports: each import makes the registry's meters read the registry on a
    // thread of their own, and a call on the spy from another thread while it is being stubbed
    // takes the stubbing for itself (Mockito's UnfinishedStubbingException).
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Mockito.doAnswer(
            call -> {
              loading.countDown();
              release.await(60, TimeUnit.SECONDS);
              return call.callRealMethod();
            })
        .when(registry)
        .load("slow", 1);
    for (String name : List.of("hot", "slow", "next")) {
      client.importVersion(name, MLP.file());
    }
    assertThat(predict(client, "hot").statusCode()).isEqualTo(200);

    CompletableFuture<HttpResponse<String>> slow =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return predict(client, "slow");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    try {
      assertThat(loading.await(30, TimeUnit.SECONDS)).isTrue();

      // hits on a loaded model answer while the only load slot is taken
      List<Long> hitMillis = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        long start = System.nanoTime();
        HttpResponse<String> hit = predict(client, "hot");
        hitMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        assertThat(hit.statusCode()).as(hit.body()).isEqualTo(200);
      }
      hitMillis.sort(null);
      // far below the load wait: no hit queued behind the load
      assertThat(hitMillis.get(hitMillis.size() / 2)).isLessThan(300);

      // a miss waits load-wait for a turn, then is told to come back
      long start = System.nanoTime();
      HttpResponse<String> miss = predict(client, "next");
      long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(miss.statusCode()).as(miss.body()).isEqualTo(429);
      assertThat(miss.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(miss.headers().firstValue("Content-Type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
      assertThat(json(miss).get("detail").asString()).contains("maas.serving.max-concurrent-loads");
      assertThat(waited).isGreaterThanOrEqualTo(250);
      assertThat(cache.isLoaded("next", 1)).isFalse();

      // the Open Inference Protocol says the same in its own error body
      HttpResponse<String> v2 =
          client.post(
              "/v2/models/next/infer",
              "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, "
                  + MLP.rows()[0].length
                  + "], \"datatype\": \"FP64\", \"data\": "
                  + Arrays.toString(MLP.rows()[0])
                  + "}]}");
      assertThat(v2.statusCode()).as(v2.body()).isEqualTo(429);
      assertThat(v2.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(json(v2).get("error").asString()).contains("max-concurrent-loads");
    } finally {
      release.countDown();
    }
    assertThat(slow.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    // the refused miss was not held against it: it loads at once
    assertThat(predict(client, "next").statusCode()).isEqualTo(200);
    assertThat(cache.isLoaded("next", 1)).isTrue();
  }

  @Test
  void aFailedLoadIsAClear429RetriedAfterItsBackoffAndLeavesNothingInTheCache() throws Exception {
    ServingClient client = new ServingClient(port);
    // Stubbed before the imports, for the reason given in the test above.
    Mockito.doThrow(new IllegalStateException("native allocation failed"))
        .doCallRealMethod()
        .when(registry)
        .load("flaky", 1);
    client.importVersion("steady", MLP.file());
    client.importVersion("flaky", MLP.file());
    assertThat(predict(client, "steady").statusCode()).isEqualTo(200);

    HttpResponse<String> failed = predict(client, "flaky");
    assertThat(failed.statusCode()).as(failed.body()).isEqualTo(429);
    assertThat(failed.headers().firstValue("Retry-After")).hasValue("1");
    JsonNode problem = json(failed);
    assertThat(problem.get("detail").asString())
        .contains("'flaky' version 1 failed to load")
        .contains("native allocation failed")
        .contains("tried again in 1 s");
    assertThat(cache.isLoaded("flaky", 1)).isFalse();

    // within the backoff: answered at once, not loaded again
    HttpResponse<String> again = predict(client, "flaky");
    assertThat(again.statusCode()).isEqualTo(429);
    assertThat(again.headers().firstValue("Retry-After")).hasValue("1");
    Mockito.verify(registry, Mockito.times(1)).load("flaky", 1);

    // neighbours are not affected: loaded ones answer, others load
    assertThat(predict(client, "steady").statusCode()).isEqualTo(200);
    client.importVersion("neighbour", MLP.file());
    assertThat(predict(client, "neighbour").statusCode()).isEqualTo(200);

    // after the backoff the version is loaded again and serves
    Thread.sleep(1100);
    HttpResponse<String> retried = predict(client, "flaky");
    assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
    assertThat(json(retried).get("model").asString()).isEqualTo("flaky");
    Mockito.verify(registry, Mockito.times(2)).load("flaky", 1);
    assertThat(cache.isLoaded("flaky", 1)).isTrue();
  }
}

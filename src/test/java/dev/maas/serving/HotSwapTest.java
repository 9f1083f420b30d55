package dev.maas.serving;

import static dev.maas.serving.ServingClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.FullServerTest;
import dev.maas.compute.LinearRegressionSpec;
import dev.maas.serving.ServingFixtures.Fixture;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Many clients predicting while the production alias moves back and forth. */
class HotSwapTest extends FullServerTest {
  private static final String MODEL = "swap";
  private static final int CLIENTS = 12;

  @Autowired MeterRegistry meters;

  /**
   * A request's window, the version that answered it and whether its values were that version's.
   */
  record Call(long start, long end, int status, int version, boolean valuesMatch) {}

  /** An alias move's window and target. */
  record Move(long start, long end, int version) {}

  @Test
  void movingTheAliasFailsNoRequestAndEveryAnswerIsOneTargetOfTheAliasDuringItsRequest()
      throws Exception {
    ServingClient client = new ServingClient(port);
    LinearRegressionSpec spec = new LinearRegressionSpec(LinearRegressionSpec.Solver.LEAST_SQUARES);
    Fixture one = ServingFixtures.regression("linear_regression", spec, new int[] {3}, 1, 1);
    Fixture two = ServingFixtures.regression("linear_regression", spec, new int[] {3}, 1, -2);
    client.importVersion(MODEL, one.file());
    client.importVersion(MODEL, two.file());
    client.setAlias(MODEL, "production", 1);
    Map<Integer, Fixture> byVersion = Map.of(1, one, 2, two);
    double[][] rows = one.rows();
    String body = "{\"instances\": " + PredictionApiTest.rows(rows) + "}";

    ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    List<Move> moves = new ArrayList<>();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    CountDownLatch done = new CountDownLatch(CLIENTS);
    for (int c = 0; c < CLIENTS; c++) {
      pool.submit(
          () -> {
            try {
              while (running.get()) {
                long start = System.nanoTime();
                HttpResponse<String> r = client.post("/api/v1/models/" + MODEL + "/predict", body);
                long end = System.nanoTime();
                if (r.statusCode() != 200) {
                  calls.add(new Call(start, end, r.statusCode(), 0, false));
                  continue;
                }
                JsonNode answer = json(r);
                int version = answer.get("version").asInt();
                calls.add(
                    new Call(
                        start, end, 200, version, matches(byVersion.get(version), rows, answer)));
              }
            } catch (Exception e) {
              calls.add(new Call(0, 0, -1, 0, false));
            } finally {
              done.countDown();
            }
            return null;
          });
    }
    int target = 1;
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while ((moves.size() < 30 || calls.size() < 300) && System.nanoTime() < until) {
      target = 3 - target;
      long start = System.nanoTime();
      client.setAlias(MODEL, "production", target);
      moves.add(new Move(start, System.nanoTime(), target));
      Thread.sleep(15);
    }
    running.set(false);
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    pool.shutdown();

    assertThat(moves.size()).isGreaterThanOrEqualTo(10);
    assertThat(calls.size()).isGreaterThanOrEqualTo(100);
    assertThat(calls).allSatisfy(call -> assertThat(call.status()).isEqualTo(200));
    assertThat(calls).allSatisfy(call -> assertThat(call.valuesMatch()).isTrue());
    assertThat(calls.stream().map(Call::version).distinct()).containsExactlyInAnyOrder(1, 2);
    for (Call call : calls) {
      assertThat(targetsDuring(moves, call.start(), call.end())).contains(call.version());
    }
    double requests =
        meters.find("maas.predictions").tag("model", MODEL).counters().stream()
            .mapToDouble(c -> c.count())
            .sum();
    assertThat(requests).isEqualTo(calls.size());
  }

  /** The versions the alias pointed at some moment between {@code start} and {@code end}. */
  private static List<Integer> targetsDuring(List<Move> moves, long start, long end) {
    List<Integer> targets = new ArrayList<>();
    int before = 1;
    for (Move m : moves) {
      if (m.end() < start) {
        before = m.version();
      } else if (m.start() <= end) {
        targets.add(m.version());
      }
    }
    targets.add(before);
    return targets;
  }

  private static boolean matches(Fixture version, double[][] rows, JsonNode answer) {
    JsonNode predictions = answer.get("predictions");
    if (predictions.size() != rows.length) {
      return false;
    }
    for (int r = 0; r < rows.length; r++) {
      double want = version.model().predict(rows[r], 1).value(0, 0);
      if (Math.abs(predictions.get(r).get("value").asDouble() - want) > 1e-9) {
        return false;
      }
    }
    return true;
  }
}

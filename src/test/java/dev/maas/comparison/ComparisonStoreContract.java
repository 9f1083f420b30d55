package dev.maas.comparison;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What every {@link ComparisonStore} does: {@link EmbeddedComparisonStoreTest} runs it on files,
 * {@link SharedComparisonStoreTest} on PostgreSQL; {@link #open()} opens another store over the
 * same data (a restart, or another replica).
 */
abstract class ComparisonStoreContract {

  abstract ComparisonStore open();

  static ComparisonRecord record(String id, String state, Instant created, String slotState) {
    ObjectNode request = JsonNodeFactory.instance.objectNode();
    request.put("dataset", "ds-1").put("target", "y").put("family", "mlp").put("model", "m-0");
    request.putObject("spec").putArray("hiddenLayers").addObject().put("units", 16);
    return new ComparisonRecord(
        id,
        "alice",
        "accuracy",
        0.01,
        "USD",
        new ComparisonView.Budget(3, null, 60.0),
        state,
        created,
        "running".equals(state) ? null : created.plusSeconds(5),
        1,
        0.002,
        "running".equals(state) ? null : 5.0,
        List.of("#1 rnn (m-1): budget.maxJobs = 1 jobs reached"),
        List.of(
            new ComparisonRecord.Slot(
                "mlp",
                "m-0",
                request,
                slotState,
                "job-1",
                "succeeded".equals(slotState) ? 1 : null,
                null,
                "succeeded".equals(slotState) ? 0.93 : null,
                2.5,
                0.002,
                new ComparisonView.Value(0.004, "measured"),
                new ComparisonView.Value(0.05, "measured"),
                new ComparisonView.Value(0.2, "measured"),
                4096L),
            new ComparisonRecord.Slot(
                "rnn",
                "m-1",
                request,
                "skipped",
                null,
                null,
                "budget.maxJobs = 1 jobs reached",
                null,
                null,
                null,
                null,
                null,
                null,
                null)));
  }

  @Test
  void aRecordRoundTripsAndASaveReplacesIt() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    ComparisonStore store = open();
    store.save(record("cmp-a", "running", t, "running"));
    store.save(record("cmp-a", "finished", t, "succeeded"));

    ComparisonRecord back = open().load("cmp-a").orElseThrow();

    assertThat(back).isEqualTo(record("cmp-a", "finished", t, "succeeded"));
    assertThat(
            back.slots()
                .get(0)
                .request()
                .get("spec")
                .get("hiddenLayers")
                .get(0)
                .get("units")
                .asInt())
        .isEqualTo(16);
    assertThat(new Comparison(back).view().candidates().get(0).recommended()).isTrue();
    assertThat(open().load("cmp-none")).isEmpty();
  }

  @Test
  void everyComparisonIsListedTheNewestFirst() {
    ComparisonStore store = open();
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    store.save(record("cmp-old", "finished", t, "succeeded"));
    store.save(record("cmp-new", "running", t.plusSeconds(60), "running"));
    store.save(record("cmp-mid", "cancelled", t.plusSeconds(30), "cancelled"));

    assertThat(open().loadAll())
        .extracting(ComparisonRecord::id)
        .containsExactly("cmp-new", "cmp-mid", "cmp-old");
  }

  @Test
  void aCancelMarkIsSeenByAnotherStoreAndKeptBySaves() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    ComparisonStore runner = open();
    runner.save(record("cmp-c", "running", t, "running"));
    assertThat(runner.cancelRequested("cmp-c")).isFalse();

    open().requestCancel("cmp-c");
    runner.save(record("cmp-c", "running", t, "running"));

    assertThat(runner.cancelRequested("cmp-c")).isTrue();
    assertThat(open().cancelRequested("cmp-c")).isTrue();
  }

  @Test
  void aRunningComparisonCanBeClaimedToCarryItOn() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    ComparisonStore store = open();
    store.save(record("cmp-r", "running", t, "running"));
    store.save(record("cmp-f", "finished", t, "succeeded"));

    assertThat(store.claim("cmp-r")).isTrue();
    assertThat(store.orphans()).doesNotContain("cmp-f");
  }
}

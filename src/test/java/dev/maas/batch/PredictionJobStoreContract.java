package dev.maas.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PredictionJobStore} does: {@link EmbeddedPredictionJobStoreTest} runs it on
 * files, {@link SharedPredictionJobStoreTest} on PostgreSQL and S3; {@link #open()} opens another
 * store over the same data (a restart, or another replica).
 */
abstract class PredictionJobStoreContract {

  abstract PredictionJobStore open();

  static PredictionJobRecord record(String id, PredictionJobState state, String key) {
    return new PredictionJobRecord(
        new PredictionJobView(
            id,
            state,
            "churn",
            new PredictionJobView.VersionRef("churn", 2),
            "ds-1",
            List.of("id"),
            null,
            new PredictionJobView.Progress(10, 100, null, null),
            null,
            null,
            null,
            Instant.parse("2026-01-01T00:00:00Z"),
            null,
            null),
        key,
        "alice");
  }

  @Test
  void recordsRoundTripAndASaveReplacesTheRecord() {
    PredictionJobStore store = open();
    store.save(record("pjob-a", PredictionJobState.QUEUED, "k1"));
    store.save(record("pjob-b", PredictionJobState.FAILED, null));
    store.save(record("pjob-a", PredictionJobState.RUNNING, "k1"));
    List<PredictionJobRecord> all = open().loadAll();
    assertThat(all).hasSize(2);
    PredictionJobRecord a =
        all.stream().filter(r -> r.job().id().equals("pjob-a")).findFirst().orElseThrow();
    assertThat(a.job().state()).isEqualTo(PredictionJobState.RUNNING);
    assertThat(a.idempotencyKey()).isEqualTo("k1");
    assertThat(a.owner()).isEqualTo("alice");
    assertThat(a.job().passThrough()).containsExactly("id");
  }

  @Test
  void chunksAreCommittedInOrderReadBackAndRemoved() throws IOException {
    PredictionJobStore store = open();
    assertThat(store.committedChunks("pjob-a")).isZero();
    store.writeChunk("pjob-a", 0, 2, 3, new double[] {1, 2, 3, 4, 5, 6});
    store.writeChunk("pjob-a", 1, 1, 3, new double[] {7, 8, 9});
    store.writeChunk("pjob-b", 0, 1, 1, new double[] {42});

    PredictionJobStore other = open();
    assertThat(other.committedChunks("pjob-a")).isEqualTo(2);
    assertThat(other.committedRows("pjob-a")).isEqualTo(3);
    assertThat(other.readChunk("pjob-a", 0, 3)).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(other.readChunk("pjob-a", 1, 3)).containsExactly(7, 8, 9);
    assertThatThrownBy(() -> other.readChunk("pjob-a", 1, 2))
        .as("read with another width")
        .isInstanceOf(IOException.class);

    store.writeChunk("pjob-a", 1, 1, 3, new double[] {10, 11, 12});
    assertThat(other.readChunk("pjob-a", 1, 3))
        .as("a chunk written again replaces the one before")
        .containsExactly(10, 11, 12);

    store.deleteChunks("pjob-a");
    assertThat(other.committedChunks("pjob-a")).isZero();
    assertThat(other.committedRows("pjob-a")).isZero();
    assertThat(other.committedChunks("pjob-b")).isEqualTo(1);
    store.deleteChunks("pjob-a");
  }
}

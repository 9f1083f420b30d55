package dev.maas.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every {@link JobStore} and {@link CheckpointStore} does: {@link EmbeddedTrainingStoresTest}
 * runs it on files, {@link SharedTrainingStoresTest} on PostgreSQL and S3. The {@code open} methods
 * open another store over the same data (a restart, or another replica).
 */
abstract class TrainingStoresContract {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  abstract JobStore openJobs();

  abstract CheckpointStore openCheckpoints();

  /** Flips one byte of a stored checkpoint, behind the store's back. */
  abstract void flipAByteOf(String jobId, int epoch) throws Exception;

  static JobRecord record(String id, JobState state, String idempotencyKey, String owner) {
    JobView view =
        new JobView(
            id,
            state,
            "m",
            new JobView.Progress(1, 10, 3.0),
            List.of(new JobView.CurvePoint(1, 0.5, null)),
            state == JobState.SUCCEEDED ? Map.of("accuracy", 0.9) : null,
            state == JobState.SUCCEEDED ? new JobView.VersionRef("m", 1) : null,
            null,
            null,
            null,
            List.of(),
            Instant.parse("2026-01-01T00:00:00Z").plusSeconds(id.hashCode() & 0xff),
            null);
    return new JobRecord(
        view,
        JSON.readTree("{\"model\": \"m\", \"dataset\": \"ds-1\", \"target\": \"y\"}"),
        idempotencyKey,
        owner);
  }

  @Test
  void jobRecordsRoundTripAndASaveReplacesTheRecord() {
    JobStore store = openJobs();
    JobRecord queued = record("job-a", JobState.QUEUED, "key-1", "alice");
    store.save(queued);
    store.save(record("job-b", JobState.SUCCEEDED, null, null));
    JobRecord done = record("job-a", JobState.SUCCEEDED, "key-1", "alice");
    store.save(done);

    List<JobRecord> all = openJobs().loadAll();
    assertThat(all).hasSize(2);
    JobRecord a = all.stream().filter(r -> r.job().id().equals("job-a")).findFirst().orElseThrow();
    assertThat(a.job().state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(a.idempotencyKey()).isEqualTo("key-1");
    assertThat(a.owner()).isEqualTo("alice");
    assertThat(a.request().get("dataset").asString()).isEqualTo("ds-1");
    assertThat(a.job().metrics()).containsEntry("accuracy", 0.9);
  }

  @Test
  void keepsTheTwoLatestCheckpointsOfEachJobAndRemovesThemAll() throws Exception {
    CheckpointStore store = openCheckpoints();
    assertThat(store.epochs("job-a")).isEmpty();
    for (int epoch = 1; epoch <= 12; epoch += 3) {
      store.save("job-a", epoch, new byte[] {(byte) epoch});
    }
    store.save("job-b", 2, new byte[] {2});
    CheckpointStore other = openCheckpoints();
    assertThat(other.epochs("job-a")).containsExactly(10, 7);
    assertThat(other.read("job-a", 10)).containsExactly(10);
    assertThat(other.read("job-a", 7)).containsExactly(7);
    assertThat(other.jobs()).containsExactly("job-a", "job-b");
    store.discard("job-a", 10);
    assertThat(other.epochs("job-a")).containsExactly(7);
    store.delete("job-a");
    assertThat(other.epochs("job-a")).isEmpty();
    assertThat(other.jobs()).containsExactly("job-b");
    store.delete("job-a");
    store.discard("job-b", 99);
  }

  @Test
  void aLargeCheckpointRoundTripsAndADamagedOneIsRefused() throws Exception {
    byte[] large = new byte[11 * 1024 * 1024];
    new Random(3).nextBytes(large);
    openCheckpoints().save("job-c", 4, large);
    assertThat(openCheckpoints().read("job-c", 4)).isEqualTo(large);
    openCheckpoints().save("job-c", 5, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    flipAByteOf("job-c", 5);
    assertThatThrownBy(() -> openCheckpoints().read("job-c", 5))
        .isInstanceOf(java.io.IOException.class);
  }

  @Test
  void refusesANameThatIsNotAJobId() {
    CheckpointStore store = openCheckpoints();
    assertThatThrownBy(() -> store.save("../x", 1, new byte[] {1}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

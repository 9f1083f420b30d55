package dev.maas.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.maas.dataset.Datasets;
import dev.maas.registry.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class JobRecoveryTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Path storage = Path.of("target", "test-data", "job-recovery-" + UUID.randomUUID());

  @Test
  void afterARestartRunningJobsFailFinishedOnesAreListedAndQueuedOnesAreTriedAgain()
      throws Exception {
    JobStore store = new JobStore(storage);
    store.save(stored("job-running", JobState.RUNNING));
    store.save(stored("job-done", JobState.SUCCEEDED));
    store.save(stored("job-waiting", JobState.QUEUED));
    Files.writeString(storage.resolve("jobs").resolve("job-x.json.123.tmp"), "half");
    Datasets datasets = mock(Datasets.class);
    when(datasets.find(anyString())).thenReturn(Optional.empty());

    try (TrainingJobs jobs = open(datasets)) {
      jobs.recover();

      JobView running = jobs.get("job-running").view();
      assertThat(running.state()).isEqualTo(JobState.FAILED);
      assertThat(running.error()).isEqualTo("interrupted by restart");
      assertThat(running.learningCurve()).hasSize(1);
      assertThat(jobs.get("job-done").view().state()).isEqualTo(JobState.SUCCEEDED);
      JobView waiting = jobs.get("job-waiting").view();
      assertThat(waiting.state()).isEqualTo(JobState.FAILED);
      assertThat(waiting.error()).startsWith("cannot run after restart: dataset 'ds-1'");
      assertThat(jobs.list(null, "m")).hasSize(3);
      assertThat(jobs.inUse("ds-1")).isFalse();
    }
    try (TrainingJobs again = open(datasets)) {
      again.recover();
      assertThat(again.get("job-running").view().error()).isEqualTo("interrupted by restart");
    }
    try (var files = Files.list(storage.resolve("jobs"))) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("job-done.json", "job-running.json", "job-waiting.json");
    }
  }

  private TrainingJobs open(Datasets datasets) {
    return new TrainingJobs(
        new JobStore(storage),
        new RequestParser(datasets),
        new InlineDatasets(datasets),
        new JobRunner(datasets, mock(ModelRegistry.class), 0, Long.MAX_VALUE),
        1,
        4,
        4);
  }

  private static JobRecord stored(String id, JobState state) {
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
            Instant.parse("2026-01-01T00:00:00Z"),
            null);
    return new JobRecord(
        view,
        JSON.readTree(
            "{\"model\": \"m\", \"family\": \"mlp\", \"dataset\": \"ds-1\", \"target\": \"y\"}"),
        null,
        null);
  }
}

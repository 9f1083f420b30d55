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
  void afterARestartFinishedJobsAreListedAndRunningAndQueuedOnesAreTriedAgain() throws Exception {
    JobStore store = new FileJobStore(storage);
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
      assertThat(running.error()).startsWith("cannot run after restart: dataset 'ds-1'");
      assertThat(running.attempts())
          .singleElement()
          .extracting(JobView.Attempt::endedBy)
          .isEqualTo("restart");
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
      assertThat(again.get("job-running").view().error()).startsWith("cannot run after restart");
    }
    try (var files = Files.list(storage.resolve("jobs"))) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("job-done.json", "job-running.json", "job-waiting.json");
    }
  }

  @Test
  void aJobWhoseProcessDiedMaxAttemptsTimesInARowWithoutANewCheckpointIsFailed() throws Exception {
    JobStore store = new FileJobStore(storage);
    CheckpointStore checkpoints = new FileCheckpointStore(storage);
    // Three attempts from the start, the last one running when the process died: 3 in a row.
    store.save(
        stored(
            "job-stuck",
            JobState.RUNNING,
            List.of(attempt(null, "restart"), attempt(null, "restart"), attempt(null, null))));
    // Two attempts: not yet 3.
    store.save(
        stored(
            "job-twice", JobState.RUNNING, List.of(attempt(null, "restart"), attempt(null, null))));
    // Resumed from epoch 4 twice, then died again after writing the checkpoint of epoch 6.
    store.save(
        stored(
            "job-progressing",
            JobState.RUNNING,
            List.of(attempt(4, "restart"), attempt(4, "restart"), attempt(4, null))));
    checkpoints.save("job-progressing", 4, new byte[] {1});
    checkpoints.save("job-progressing", 6, new byte[] {2});
    // Same, but nothing newer than epoch 4: stuck.
    store.save(
        stored(
            "job-stuck-at-4",
            JobState.RUNNING,
            List.of(
                attempt(null, "restart"),
                attempt(4, "restart"),
                attempt(4, "restart"),
                attempt(4, null))));
    checkpoints.save("job-stuck-at-4", 4, new byte[] {1});
    Datasets datasets = mock(Datasets.class);
    when(datasets.find(anyString())).thenReturn(Optional.empty());

    try (TrainingJobs jobs = open(datasets)) {
      jobs.recover();

      JobView stuck = jobs.get("job-stuck").view();
      assertThat(stuck.state()).isEqualTo(JobState.FAILED);
      assertThat(stuck.error())
          .isEqualTo(
              "the server stopped 3 times in a row while this job ran, without the job writing a"
                  + " new checkpoint in between (maas.training.max-attempts = 3): it is not tried"
                  + " again");
      assertThat(stuck.attempts()).hasSize(3).allMatch(a -> "restart".equals(a.endedBy()));
      assertThat(jobs.get("job-stuck-at-4").view().error()).contains("3 times in a row");
      assertThat(checkpoints.jobs()).doesNotContain("job-stuck-at-4");
      // Tried again (and refused here only because the mock has no dataset).
      assertThat(jobs.get("job-twice").view().error()).startsWith("cannot run after restart");
      assertThat(jobs.get("job-progressing").view().error()).startsWith("cannot run after restart");
    }
  }

  @Test
  void aJobCancelledWhileItRanIsNotResumedAfterARestart() throws Exception {
    JobStore store = new FileJobStore(storage);
    CheckpointStore checkpoints = new FileCheckpointStore(storage);
    JobRecord running = stored("job-cancelled", JobState.RUNNING);
    store.save(
        new JobRecord(
            running.job(), running.request(), running.idempotencyKey(), running.owner(), true));
    checkpoints.save("job-cancelled", 3, new byte[] {1});
    Datasets datasets = mock(Datasets.class);
    when(datasets.find(anyString())).thenReturn(Optional.empty());

    try (TrainingJobs jobs = open(datasets)) {
      jobs.recover();
      JobView view = jobs.get("job-cancelled").view();
      assertThat(view.state()).isEqualTo(JobState.CANCELLED);
      assertThat(view.error()).isNull();
      assertThat(checkpoints.jobs()).isEmpty();
    }
  }

  @Test
  void restartsInARowCountOnlyThoseAfterWhichNoNewCheckpointWasWritten() {
    TrainingJob job =
        new TrainingJob(
            stored(
                "job-a",
                JobState.QUEUED,
                List.of(
                    attempt(null, "restart"),
                    attempt(3, "restart"),
                    attempt(3, "restart"),
                    attempt(7, "restart"))));
    assertThat(job.restartsWithoutProgress(7)).isEqualTo(1);
    assertThat(job.restartsWithoutProgress(9)).isZero();
    TrainingJob fallen =
        new TrainingJob(
            stored(
                "job-b",
                JobState.QUEUED,
                List.of(attempt(5, "restart"), attempt(3, "restart"), attempt(3, "restart"))));
    assertThat(fallen.restartsWithoutProgress(3)).isEqualTo(3);
    TrainingJob failedItself =
        new TrainingJob(
            stored(
                "job-c",
                JobState.QUEUED,
                List.of(attempt(null, "restart"), attempt(null, null), attempt(null, "restart"))));
    assertThat(failedItself.restartsWithoutProgress(0)).isEqualTo(1);
  }

  @Test
  void aResumedAttemptDoesNotRepeatTheNotesOfTheFirst() {
    TrainingJob job = new TrainingJob(stored("job-n", JobState.QUEUED));
    job.note("2 rows of dataset ds-1 have no value of the target 'y'");
    job.note("2 rows of dataset ds-1 have no value of the target 'y'");
    assertThat(job.view().notes()).hasSize(1);
  }

  private TrainingJobs open(Datasets datasets) {
    CheckpointStore checkpoints = new FileCheckpointStore(storage);
    return new TrainingJobs(
        new FileJobStore(storage),
        new RequestParser(datasets),
        new InlineDatasets(datasets),
        new JobRunner(
            datasets,
            mock(ModelRegistry.class),
            0,
            Long.MAX_VALUE,
            checkpoints,
            java.time.Duration.ofSeconds(30)),
        checkpoints,
        1,
        4,
        4,
        3);
  }

  private static JobView.Attempt attempt(Integer from, String endedBy) {
    return new JobView.Attempt(Instant.parse("2026-01-01T00:00:00Z"), from, endedBy);
  }

  private static JobRecord stored(String id, JobState state) {
    return stored(id, state, state == JobState.RUNNING ? List.of(attempt(null, null)) : List.of());
  }

  private static JobRecord stored(String id, JobState state, List<JobView.Attempt> attempts) {
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
            attempts,
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

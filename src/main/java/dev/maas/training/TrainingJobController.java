package dev.maas.training;

import dev.maas.errors.InvalidException;
import dev.maas.web.Callers;
import dev.maas.web.JobEvents;
import dev.maas.web.Paging;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.JsonNode;

/** {@code /api/v1/training-jobs}: submit, list, get, cancel and watch training jobs. */
@RestController
@RequestMapping("/api/v1/training-jobs")
class TrainingJobController implements DisposableBean {
  private final TrainingJobs jobs;
  private final JobEvents events = new JobEvents("training-events");

  TrainingJobController(TrainingJobs jobs) {
    this.jobs = jobs;
  }

  @Override
  public void destroy() {
    events.close();
  }

  /** A page of jobs, newest first. */
  record JobPage(List<JobView> jobs, int offset, int limit, int total) {}

  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<JobView> submit(
      @RequestBody JsonNode body,
      @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
    TrainingJob job = jobs.submit(body, idempotencyKey, Callers.current().orElse(null));
    return ResponseEntity.accepted()
        .location(URI.create("/api/v1/training-jobs/" + job.id()))
        .body(job.view());
  }

  @GetMapping
  JobPage list(
      @RequestParam(required = false) String state,
      @RequestParam(required = false) String model,
      @RequestParam(defaultValue = "0") int offset,
      @RequestParam(defaultValue = Paging.DEFAULT_LIMIT_TEXT) int limit) {
    Paging page = new Paging(offset, limit);
    JobState wanted = null;
    if (state != null) {
      try {
        wanted = JobState.of(state);
      } catch (IllegalArgumentException e) {
        throw new InvalidException(
            "'state' must be one of "
                + Arrays.stream(JobState.values()).map(JobState::wireName).toList()
                + ", not '"
                + state
                + "'");
      }
    }
    List<TrainingJob> all = jobs.list(wanted, model);
    return new JobPage(
        page.of(all).stream().map(TrainingJob::view).toList(), offset, limit, all.size());
  }

  @GetMapping("/{id}")
  JobView get(@PathVariable String id) {
    return jobs.get(id).view();
  }

  @PostMapping("/{id}/cancel")
  JobView cancel(@PathVariable String id) {
    return jobs.cancel(id).view();
  }

  /**
   * Server-sent events: a {@code job} event with the job whenever it changes (checked every 200
   * ms), the last one when it reaches a final state; then the stream ends.
   */
  @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  SseEmitter events(@PathVariable String id) {
    return events.stream(jobs.follow(id), view -> view.state().finished());
  }
}

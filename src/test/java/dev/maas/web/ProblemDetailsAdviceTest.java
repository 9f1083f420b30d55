package dev.maas.web;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.maas.errors.BusyException;
import dev.maas.errors.ConflictException;
import dev.maas.errors.InvalidException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

class ProblemDetailsAdviceTest {

  @RestController
  static class Failing {
    @GetMapping("/conflict")
    String conflict() {
      throw new ConflictException("version 3 is the target of alias production");
    }

    @GetMapping("/invalid")
    String invalid() {
      throw InvalidException.listing(
          List.of("training.epochs must be at least 1", "spec.units must be at least 1"));
    }

    @GetMapping("/busy")
    String busy() {
      throw new BusyException("the queue is full", java.time.Duration.ofSeconds(7));
    }

    @GetMapping("/bug")
    String bug() {
      throw new IllegalStateException("secret internal state at dev.maas.Something");
    }

    @GetMapping("/count")
    String count(@RequestParam int n) {
      return "n=" + n;
    }

    @PostMapping(path = "/echo", consumes = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> echo(@RequestBody Map<String, Object> body) {
      return body;
    }
  }

  private final MockMvc mvc =
      MockMvcBuilders.standaloneSetup(new Failing())
          .setControllerAdvice(new ProblemDetailsAdvice())
          .build();

  @Test
  void anApiExceptionAnswersItsStatusWithItsMessageAsDetail() throws Exception {
    mvc.perform(get("/conflict"))
        .andExpect(status().isConflict())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.status").value(409))
        .andExpect(jsonPath("$.title").value("Conflict"))
        .andExpect(jsonPath("$.detail").value("version 3 is the target of alias production"));
  }

  @Test
  void tooManyRequestsIs429WithRetryAfterInSeconds() throws Exception {
    mvc.perform(get("/busy"))
        .andExpect(status().isTooManyRequests())
        .andExpect(header().string("Retry-After", "7"))
        .andExpect(jsonPath("$.detail").value("the queue is full"));
  }

  @Test
  void anInvalidRequestListsEveryProblem() throws Exception {
    mvc.perform(get("/invalid"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.title").value("Bad Request"))
        .andExpect(jsonPath("$.problems.length()").value(2))
        .andExpect(jsonPath("$.problems[0]").value("training.epochs must be at least 1"));
  }

  @Test
  void anUnexpectedExceptionIsA500ThatRevealsNothing() throws Exception {
    mvc.perform(get("/bug"))
        .andExpect(status().isInternalServerError())
        .andExpect(jsonPath("$.title").value("Internal Server Error"))
        .andExpect(jsonPath("$.detail").value(not(containsString("secret"))))
        .andExpect(content().string(not(containsString("IllegalStateException"))));
  }

  @Test
  void aMissingOrMistypedParameterIs400() throws Exception {
    mvc.perform(get("/count"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.detail").value(containsString("'n'")));
    mvc.perform(get("/count").param("n", "many"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.detail").value("'n' must be an integer, not 'many'"));
  }

  @Test
  void aMalformedOrMissingBodyIs400AndAnotherMediaTypeIs415() throws Exception {
    mvc.perform(post("/echo").contentType(MediaType.APPLICATION_JSON).content("{\"a\": "))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.detail").value(containsString("not valid JSON")));
    mvc.perform(post("/echo").contentType(MediaType.APPLICATION_JSON))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.detail").value("the request body is missing"));
    mvc.perform(post("/echo").contentType(MediaType.TEXT_PLAIN).content("a"))
        .andExpect(status().isUnsupportedMediaType())
        .andExpect(jsonPath("$.title").value("Unsupported Media Type"));
  }

  @Test
  void anUnsupportedMethodIs405() throws Exception {
    mvc.perform(post("/conflict"))
        .andExpect(status().isMethodNotAllowed())
        .andExpect(jsonPath("$.status").value(405))
        .andExpect(jsonPath("$.detail").value(containsString("POST")));
  }
}

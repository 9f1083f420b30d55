package dev.maas.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The container's error page ({@code /error}), reached when an error happens outside Spring MVC
 * (e.g. a request body cut short): problem details like every other error, or {@code {"error"}} for
 * a {@code /v2} request, instead of Boot's default body. It reveals nothing of the cause.
 */
@RestController
class ErrorPageController implements ErrorController {

  @RequestMapping("${server.error.path:/error}")
  ResponseEntity<Object> error(HttpServletRequest request) {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    HttpStatus status = HttpStatus.resolve(code instanceof Integer i ? i : 500);
    if (status == null || !status.isError()) {
      status = HttpStatus.INTERNAL_SERVER_ERROR;
    }
    Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
    String path = uri == null ? "" : uri.toString();
    String detail =
        status == HttpStatus.BAD_REQUEST
            ? "the request cannot be read (a malformed request, or a body cut short)"
            : status.getReasonPhrase();
    if (ErrorResponses.isV2Path(path)) {
      return ResponseEntity.status(status)
          .contentType(MediaType.APPLICATION_JSON)
          .body(Map.of("error", detail));
    }
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setTitle(status.getReasonPhrase());
    return ResponseEntity.status(status)
        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .body(problem);
  }
}

package dev.maas.web;

import dev.maas.errors.BusyException;
import dev.maas.errors.ConflictException;
import dev.maas.errors.DomainException;
import dev.maas.errors.InvalidException;
import dev.maas.errors.NotFoundException;
import dev.maas.errors.TooLargeException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.apache.catalina.connector.ClientAbortException;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;

/**
 * Maps every error to an RFC 9457 problem details body ({@code application/problem+json}): the
 * features' {@link DomainException}s (the only place they become HTTP), Spring MVC's client errors
 * (through {@link ResponseEntityExceptionHandler}) and, as a last resort, anything unexpected as a
 * 500 that reveals nothing of the server's insides. Client errors are logged at debug, server
 * errors at error with the method and path.
 */
@RestControllerAdvice
public class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

  /**
   * The features' own failures, each to its status: not found 404, conflict 409, invalid 400 (with
   * a {@code problems} array when a validation listed them), too large 413, busy 429 with {@code
   * Retry-After}. The message is the detail.
   */
  @ExceptionHandler(DomainException.class)
  ResponseEntity<Object> domain(DomainException e, WebRequest request) {
    HttpStatus status = status(e);
    ProblemDetail body = problem(status, e.getMessage());
    HttpHeaders headers = new HttpHeaders();
    if (e instanceof InvalidException invalid && invalid.listsProblems()) {
      body.setProperty("problems", invalid.problems());
    } else if (e instanceof BusyException busy) {
      headers.set(
          HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, busy.retryAfter().toSeconds())));
    }
    return handleExceptionInternal(e, body, headers, status, request);
  }

  /** The HTTP status of each domain failure; the one place that knows them. */
  public static HttpStatus status(DomainException e) {
    if (e instanceof NotFoundException) {
      return HttpStatus.NOT_FOUND;
    } else if (e instanceof ConflictException) {
      return HttpStatus.CONFLICT;
    } else if (e instanceof TooLargeException) {
      return HttpStatus.CONTENT_TOO_LARGE;
    } else if (e instanceof BusyException) {
      return HttpStatus.TOO_MANY_REQUESTS;
    }
    return HttpStatus.BAD_REQUEST; // InvalidException, the one left
  }

  /** A query string the container could not decode (e.g. {@code %ff}): 400. */
  @ExceptionHandler(InvalidParameterException.class)
  ResponseEntity<Object> undecodable(InvalidParameterException e, WebRequest request) {
    HttpStatus status = HttpStatus.BAD_REQUEST;
    return handleExceptionInternal(
        e,
        problem(status, "the query string is not valid percent-encoded UTF-8"),
        new HttpHeaders(),
        status,
        request);
  }

  /** A multipart body that cannot be parsed (no boundary, cut short): 400; too large: 413. */
  @ExceptionHandler(MultipartException.class)
  ResponseEntity<Object> multipart(MultipartException e, WebRequest request) {
    HttpStatus status =
        e instanceof MaxUploadSizeExceededException
            ? HttpStatus.CONTENT_TOO_LARGE
            : HttpStatus.BAD_REQUEST;
    String detail =
        status == HttpStatus.CONTENT_TOO_LARGE
            ? "the multipart body is over its size limit"
            : "the multipart body cannot be read (a missing boundary, or cut short)";
    return handleExceptionInternal(e, problem(status, detail), new HttpHeaders(), status, request);
  }

  /**
   * The client closed its side or sent less than its Content-Length: 400 (if the connection still
   * takes an answer), never a 500.
   */
  @ExceptionHandler(ClientAbortException.class)
  ResponseEntity<Object> aborted(ClientAbortException e, WebRequest request) {
    HttpStatus status = HttpStatus.BAD_REQUEST;
    return handleExceptionInternal(
        e,
        problem(status, "the request body ended before its declared length"),
        new HttpHeaders(),
        status,
        request);
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<Object> unexpected(Exception e, WebRequest request) {
    HttpStatus status = HttpStatus.INTERNAL_SERVER_ERROR;
    return handleExceptionInternal(
        e,
        problem(status, "the server failed to answer this request; the error is in its log"),
        new HttpHeaders(),
        status,
        request);
  }

  @Override
  protected ResponseEntity<Object> handleHttpMessageNotReadable(
      HttpMessageNotReadableException e,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    return handleExceptionInternal(e, problem(status, unreadableBody(e)), headers, status, request);
  }

  @Override
  protected ResponseEntity<Object> handleTypeMismatch(
      TypeMismatchException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    String what = e.getPropertyName() == null ? "a parameter" : "'" + e.getPropertyName() + "'";
    Class<?> type = e.getRequiredType();
    String expected =
        type == null
            ? "of another type"
            : (type == int.class
                    || type == Integer.class
                    || type == long.class
                    || type == Long.class)
                ? "an integer"
                : "a " + type.getSimpleName();
    return handleExceptionInternal(
        e,
        problem(status, what + " must be " + expected + ", not '" + e.getValue() + "'"),
        headers,
        status,
        request);
  }

  /** Every problem goes through here: fills in the title and logs by status. */
  @Override
  protected ResponseEntity<Object> handleExceptionInternal(
      Exception e, Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    if (body == null && e instanceof ErrorResponse framework) {
      body = framework.updateAndGetBody(getMessageSource(), LocaleContextHolder.getLocale());
    }
    if (body == null) {
      body = problem(status, reasonPhrase(status));
    }
    if (body instanceof ProblemDetail problem && problem.getTitle() == null) {
      problem.setTitle(reasonPhrase(status));
    }
    String where = where(request);
    if (status.is5xxServerError()) {
      log.error("{} failed with {}", where, status.value(), e);
    } else if (log.isDebugEnabled()) {
      log.debug("{} answered {}: {}", where, status.value(), e.toString());
    }
    if (isV2(request) && body instanceof ProblemDetail problem) {
      // The Open Inference Protocol's error shape.
      String detail = problem.getDetail() == null ? problem.getTitle() : problem.getDetail();
      HttpHeaders v2 = new HttpHeaders();
      v2.putAll(headers);
      v2.setContentType(MediaType.APPLICATION_JSON);
      return ResponseEntity.status(status).headers(v2).body(Map.of("error", detail));
    }
    return super.handleExceptionInternal(e, body, headers, status, request);
  }

  private static ProblemDetail problem(HttpStatusCode status, String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setTitle(reasonPhrase(status));
    return problem;
  }

  private static String reasonPhrase(HttpStatusCode status) {
    HttpStatus known = HttpStatus.resolve(status.value());
    return known == null ? "HTTP " + status.value() : known.getReasonPhrase();
  }

  /** Says what is wrong with a body without quoting the server's code (Spring's messages do). */
  private static String unreadableBody(HttpMessageNotReadableException e) {
    Throwable cause = e.getCause();
    if (cause instanceof JacksonException jackson) {
      StringBuilder detail = new StringBuilder("the request body is not valid JSON");
      TokenStreamLocation at = jackson.getLocation();
      if (at != null && at.getLineNr() > 0) {
        detail.append(" at line ").append(at.getLineNr()).append(", column ");
        detail.append(at.getColumnNr());
      }
      String why = jackson.getOriginalMessage();
      if (why != null && !why.isBlank()) {
        int nl = why.indexOf('\n');
        detail.append(": ").append(nl < 0 ? why : why.substring(0, nl));
      }
      return detail.toString();
    }
    String message = e.getMessage();
    if (message != null && message.startsWith("Required request body is missing")) {
      return "the request body is missing";
    }
    return "the request body cannot be read";
  }

  private static boolean isV2(WebRequest request) {
    if (request instanceof NativeWebRequest nativeRequest) {
      HttpServletRequest servlet = nativeRequest.getNativeRequest(HttpServletRequest.class);
      return servlet != null && ErrorResponses.isV2(servlet);
    }
    return false;
  }

  private static String where(WebRequest request) {
    if (request instanceof NativeWebRequest nativeRequest) {
      HttpServletRequest servlet = nativeRequest.getNativeRequest(HttpServletRequest.class);
      if (servlet != null) {
        return servlet.getMethod() + " " + servlet.getRequestURI();
      }
    }
    return request.getDescription(false);
  }
}

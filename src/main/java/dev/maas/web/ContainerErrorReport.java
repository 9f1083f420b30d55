package dev.maas.web;

import java.io.IOException;
import java.io.Writer;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.http.HttpStatus;

/**
 * Tomcat's own error report, for requests it refuses before any servlet sees them (an encoded slash
 * or a bad escape in the path, an invalid header): problem details (or {@code {"error"}} under
 * {@code /v2}) instead of an HTML page. Installed on the host by {@link
 * ContainerErrorsConfiguration}.
 */
public class ContainerErrorReport extends ErrorReportValve {

  @Override
  protected void report(Request request, Response response, Throwable throwable) {
    int code = response.getStatus();
    if (code < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
      return;
    }
    HttpStatus status = HttpStatus.resolve(code);
    String reason = status == null ? "HTTP " + code : status.getReasonPhrase();
    String detail =
        code == 400 ? "the request cannot be read (a malformed path, query or header)" : reason;
    String uri = request.getRequestURI() == null ? "" : request.getRequestURI();
    boolean v2 = ErrorResponses.isV2Path(uri);
    String body =
        v2
            ? "{\"error\":" + ErrorResponses.quote(detail) + "}"
            : "{\"type\":\"about:blank\",\"title\":"
                + ErrorResponses.quote(reason)
                + ",\"status\":"
                + code
                + ",\"detail\":"
                + ErrorResponses.quote(detail)
                + "}";
    try {
      response.setContentType(v2 ? "application/json" : "application/problem+json");
      response.setCharacterEncoding("UTF-8");
      Writer writer = response.getReporter();
      if (writer != null) {
        writer.write(body);
        response.finishResponse();
      }
    } catch (IOException | IllegalStateException e) {
      // The connection is gone; nothing more to tell.
    }
  }
}

package dev.maas.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;

/**
 * Writes an error from a servlet filter, where no controller advice applies, in the shape the path
 * speaks: problem details ({@code application/problem+json}) under {@code /api} and elsewhere, and
 * {@code {"error": "..."}} under the Open Inference Protocol's {@code /v2}.
 */
public final class ErrorResponses {
  private ErrorResponses() {}

  /** Whether {@code request} is one of the Open Inference Protocol's paths. */
  public static boolean isV2(HttpServletRequest request) {
    return isV2Path(request.getRequestURI().substring(request.getContextPath().length()));
  }

  /**
   * Whether {@code path} (after the context path) is under {@code /v2}, the Open Inference
   * Protocol's prefix: the one place the web layer spells it.
   */
  static boolean isV2Path(String path) {
    return path.equals("/v2") || path.startsWith("/v2/");
  }

  /** Writes {@code status} with {@code detail}; headers set before stay. */
  public static void write(
      HttpServletRequest request, HttpServletResponse response, HttpStatus status, String detail)
      throws IOException {
    String body;
    if (isV2(request)) {
      response.setContentType("application/json");
      body = "{\"error\":" + quote(detail) + "}";
    } else {
      response.setContentType("application/problem+json");
      body =
          "{\"type\":\"about:blank\",\"title\":"
              + quote(status.getReasonPhrase())
              + ",\"status\":"
              + status.value()
              + ",\"detail\":"
              + quote(detail)
              + ",\"instance\":"
              + quote(request.getRequestURI())
              + "}";
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status.value());
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
    response.flushBuffer();
  }

  static String quote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}

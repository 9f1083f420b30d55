package dev.maas.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The body limit of prediction requests ({@code maas.serving.max-request-size}): {@code POST
 * /api/v1/models/{name}/predict} and the v2 {@code infer} calls. A declared length over the limit
 * is refused before anything is read; a chunked body is cut off when it passes the limit, and the
 * reader's {@link BodyTooLargeException} becomes a 413.
 */
final class PredictionBodyLimit extends OncePerRequestFilter {
  private static final Pattern PREDICTION_PATHS =
      Pattern.compile("/api/v1/models/[^/]+/predict|/v2/models/[^/]+(/versions/[^/]+)?/infer");

  private final DataSize limit;

  PredictionBodyLimit(DataSize limit) {
    this.limit = limit;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    return !"POST".equals(request.getMethod()) || !PREDICTION_PATHS.matcher(path).matches();
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    long max = limit.toBytes();
    long declared = request.getContentLengthLong();
    if (declared > max) {
      ErrorResponses.write(request, response, HttpStatus.CONTENT_TOO_LARGE, message(declared));
      return;
    }
    chain.doFilter(new Limited(request, max), response);
  }

  private String message(long declared) {
    return "the prediction request is "
        + (declared >= 0 ? declared + " bytes, " : "")
        + "over the limit of "
        + limit.toBytes()
        + " bytes (maas.serving.max-request-size)";
  }

  private final class Limited extends HttpServletRequestWrapper {
    private final long max;
    private ServletInputStream stream;

    Limited(HttpServletRequest request, long max) {
      super(request);
      this.max = max;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (stream == null) {
        stream = new Counting(super.getInputStream(), max);
      }
      return stream;
    }
  }

  private final class Counting extends ServletInputStream {
    private final ServletInputStream in;
    private final long max;
    private long read;

    Counting(ServletInputStream in, long max) {
      this.in = in;
      this.max = max;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = in.read(buffer, offset, length);
      if (n > 0) {
        count(n);
      }
      return n;
    }

    private void count(int n) throws BodyTooLargeException {
      read += n;
      if (read > max) {
        throw new BodyTooLargeException(message(-1));
      }
    }

    @Override
    public boolean isFinished() {
      return in.isFinished();
    }

    @Override
    public boolean isReady() {
      return in.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
      in.setReadListener(listener);
    }
  }
}

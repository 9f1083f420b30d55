package dev.maas.serving;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Tells the warm-up's own requests from clients' so that the serving meters leave them out: while
 * the warm-up runs, a request whose {@code Authorization} header carries the server's warm-up key
 * runs with a per-thread mark, and every serving meter (predictions, rows, latency, errors, compute
 * and batch figures, the cache's hits and misses) records what happens on a marked thread in its
 * twin ({@link ServingMetrics#synthetic()}), never scraped nor read: the same code runs, so the JIT
 * compiles it before the first client, and no client's figure moves. Once the warm-up has ended
 * ({@link #close()}) the filter only reads one volatile field a request.
 */
final class SyntheticTraffic extends OncePerRequestFilter implements Ordered {
  private static final ThreadLocal<Boolean> MARKED = new ThreadLocal<>();

  /** Set on a warm-up request this filter marked, so that it stays one once the warm-up ended. */
  private static final String ATTRIBUTE = SyntheticTraffic.class.getName();

  /** How many warm-ups are running (one a server): the fast path of {@link #active()}. */
  private static final AtomicInteger OPEN = new AtomicInteger();

  private final Supplier<String> key;
  private volatile boolean open;
  private volatile byte[] bearer;

  SyntheticTraffic(Supplier<String> key) {
    this.key = key;
  }

  /** Just before the lean prediction path ({@link LeanPredictFilter}), which it marks for. */
  @Override
  public int getOrder() {
    return LeanPredictFilter.ORDER - 1;
  }

  /** Starts accepting the warm-up's key; called by the warm-up before its first request. */
  synchronized void open() {
    String k = key.get();
    if (k == null || k.isEmpty()) {
      return;
    }
    bearer = ("Bearer " + k).getBytes(StandardCharsets.UTF_8);
    if (!open) {
      open = true;
      OPEN.incrementAndGet();
    }
  }

  /** Stops accepting the key: from now on every request is a client's. */
  synchronized void close() {
    if (open) {
      open = false;
      OPEN.decrementAndGet();
    }
  }

  /** Whether the current thread serves a warm-up request. */
  static boolean active() {
    return OPEN.get() > 0 && MARKED.get() != null;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (!open || !isWarmupKey(request.getHeader("Authorization"))) {
      chain.doFilter(request, response);
      return;
    }
    request.setAttribute(ATTRIBUTE, Boolean.TRUE);
    MARKED.set(Boolean.TRUE);
    try {
      chain.doFilter(request, response);
    } finally {
      MARKED.remove();
    }
  }

  /**
   * Whether {@code request} is one of the warm-up's (for HTTP observations to leave out), also when
   * asked after the warm-up ended, as its last requests' observations stop.
   */
  boolean marks(HttpServletRequest request) {
    return request != null
        && (request.getAttribute(ATTRIBUTE) != null
            || open && isWarmupKey(request.getHeader("Authorization")));
  }

  private boolean isWarmupKey(String header) {
    byte[] expected = bearer;
    return header != null
        && expected != null
        && MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8), expected);
  }
}

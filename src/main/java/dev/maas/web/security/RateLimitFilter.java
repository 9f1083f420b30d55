package dev.maas.web.security;

import dev.maas.web.Callers;
import dev.maas.web.ErrorResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Counts each request with an API key against its {@link RateLimiter} bucket; a request with an
 * empty bucket is answered 429 with {@code Retry-After}. Requests without a key (open endpoints)
 * are not counted.
 */
final class RateLimitFilter extends OncePerRequestFilter {
  private final RateLimiter limiter;

  RateLimitFilter(RateLimiter limiter) {
    this.limiter = limiter;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Optional<String> caller = Callers.current();
    if (caller.isPresent() && request.getAttribute(WarmupKey.ATTRIBUTE) == null) {
      long seconds = limiter.take(caller.get());
      if (seconds > 0) {
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        ErrorResponses.write(
            request,
            response,
            HttpStatus.TOO_MANY_REQUESTS,
            limiter.refusal(caller.get(), seconds));
        return;
      }
    }
    chain.doFilter(request, response);
  }
}

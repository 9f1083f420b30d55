package dev.maas.web;

import dev.maas.errors.DomainException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers 415 to a request whose {@code Content-Type} is a pattern ({@code application/*}, {@code
 * *}{@code /*}) rather than the body's type. Spring MVC's request wrapper refuses such a header
 * with an {@code IllegalArgumentException} as soon as anything reads the request's headers, which
 * the functional routes' mapping does for every request, so without this filter any endpoint
 * answered 500. It runs after Spring Security (a caller without a key still gets 401 first) and
 * before the dispatcher.
 */
@Component
@Order(0)
final class WildcardContentTypes extends OncePerRequestFilter {
  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String header = request.getContentType();
    if (header != null && header.indexOf('*') >= 0 && isPattern(header)) { // parsed only then
      ErrorResponses.write(
          request,
          response,
          HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          "the Content-Type '"
              + DomainException.abbreviate(header)
              + "' is a wildcard: name the body's media type, such as application/json");
      return;
    }
    chain.doFilter(request, response);
  }

  private static boolean isPattern(String header) {
    try {
      MediaType type = MediaType.parseMediaType(header);
      return type.isWildcardType() || type.isWildcardSubtype();
    } catch (InvalidMediaTypeException unreadable) { // the endpoints' own checks answer these
      return false;
    }
  }
}

package dev.maas.web.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer <key>}: a known key makes the request its caller, with
 * the key's roles. Without one the request stays anonymous and the authorization rules decide; an
 * unknown key is remembered so that a 401 can say so.
 */
final class ApiKeyFilter extends OncePerRequestFilter {
  static final String INVALID_KEY = ApiKeyFilter.class.getName() + ".invalid";
  private static final String BEARER = "bearer ";

  private final ApiKeys keys;
  private final WarmupKey warmup;

  ApiKeyFilter(ApiKeys keys, WarmupKey warmup) {
    this.keys = keys;
    this.warmup = warmup;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      String presented = header.substring(BEARER.length()).trim();
      Optional<ApiKey> key = presented.isEmpty() ? Optional.empty() : keys.authenticate(presented);
      if (key.isEmpty() && !presented.isEmpty() && warmup.open()) {
        key = warmup.authenticate(presented);
        key.ifPresent(k -> request.setAttribute(WarmupKey.ATTRIBUTE, Boolean.TRUE));
      }
      if (key.isPresent()) {
        List<SimpleGrantedAuthority> authorities =
            key.get().roles().stream().map(r -> new SimpleGrantedAuthority(r.authority())).toList();
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(
            UsernamePasswordAuthenticationToken.authenticated(key.get().name(), null, authorities));
        SecurityContextHolder.setContext(context);
      } else {
        request.setAttribute(INVALID_KEY, Boolean.TRUE);
      }
    } else if (header != null) {
      request.setAttribute(INVALID_KEY, Boolean.TRUE);
    }
    chain.doFilter(request, response);
  }
}

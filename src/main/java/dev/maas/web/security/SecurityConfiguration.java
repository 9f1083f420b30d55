package dev.maas.web.security;

import dev.maas.storage.SharedStore;
import dev.maas.storage.StorageProperties;
import dev.maas.web.ErrorResponses;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.header.HeaderWriter;
import org.springframework.security.web.header.writers.CompositeHeaderWriter;
import org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter;
import org.springframework.security.web.header.writers.StaticHeadersWriter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Who may call what. Keys come from {@link KeySources}; each request's key is checked by {@link
 * ApiKeyFilter} and counted by {@link RateLimitFilter}. Roles per endpoint:
 *
 * <ul>
 *   <li>open: health probes, {@code /actuator/info}, and {@code /actuator/prometheus} unless {@code
 *       maas.security.scrape-open=false} (then admin); the contract and Swagger UI; the web
 *       console's files ({@code GET /}, {@code /console/**}), which carry their own
 *       Content-Security-Policy and ask for the key in the page;
 *   <li>predict: {@code POST /api/v1/models/{name}/predict}, every {@code GET} of model metadata
 *       under {@code /api/v1/models}, and all of {@code /v2};
 *   <li>train: datasets (their downloads too), training jobs, comparisons (which train jobs),
 *       prediction jobs and model artifact downloads (and what predict may). Prediction jobs take
 *       {@code train} rather than a role of their own: scoring a stored dataset reads and writes
 *       datasets, which {@code train} already may, and a key that only predicts online must not
 *       read stored data;
 *   <li>admin: everything else: imports, aliases, tags, deletes of models and versions, capacity.
 * </ul>
 *
 * <p>401 (with {@code WWW-Authenticate: Bearer}) and 403 are problem details, or {@code {"error"}}
 * under {@code /v2}. With {@code maas.security.enabled=false} every endpoint is open and a warning
 * is logged at each start.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
class SecurityConfiguration {
  private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

  /** The web console's pages and files, open to GET and HEAD. */
  private static final RequestMatcher CONSOLE =
      new OrRequestMatcher(
          Stream.of(HttpMethod.GET, HttpMethod.HEAD)
              .flatMap(
                  m ->
                      Stream.of("/", "/console", "/console/", "/console/**")
                          .map(p -> (RequestMatcher) PathPatternRequestMatcher.pathPattern(m, p)))
              .toList());

  /**
   * The console's own policy: its scripts, styles and images come from this server only (no inline
   * script or style, no eval), it talks to this server only, and no other site may frame it.
   */
  static final String CONSOLE_CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none';"
          + " form-action 'self'; frame-ancestors 'none'";

  private static final List<HeaderWriter> CONSOLE_HEADERS =
      List.of(
          new StaticHeadersWriter("Content-Security-Policy", CONSOLE_CSP),
          new StaticHeadersWriter("Referrer-Policy", "no-referrer"),
          new StaticHeadersWriter("Cross-Origin-Opener-Policy", "same-origin"),
          new StaticHeadersWriter("Cross-Origin-Resource-Policy", "same-origin"),
          new StaticHeadersWriter(
              "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"));

  /**
   * The configured keys (loaded once; with none, the generated admin key) and the per-key rate
   * limit, shared by the HTTP filters and the gRPC server.
   */
  @Bean
  ApiKeyCheck apiKeyCheck(
      SecurityProperties security, StorageProperties storage, ObjectProvider<SharedStore> shared) {
    if (!security.enabled()) {
      return new ApiKeyCheck(false, null, null);
    }
    ApiKeys keys = KeySources.load(security, storage.path(), shared.getIfAvailable());
    log.info("API keys: {} configured", keys.size());
    RateLimiter limiter =
        security.requestsPerSecond() > 0
            ? new RateLimiter(security.requestsPerSecond(), security.burst())
            : null;
    return new ApiKeyCheck(true, keys, limiter);
  }

  @Bean
  SecurityFilterChain apiSecurity(
      HttpSecurity http, SecurityProperties security, ApiKeyCheck check, WarmupKey warmupKey)
      throws Exception {
    http.csrf(AbstractHttpConfigurer::disable)
        .formLogin(AbstractHttpConfigurer::disable)
        .httpBasic(AbstractHttpConfigurer::disable)
        .logout(AbstractHttpConfigurer::disable)
        .requestCache(AbstractHttpConfigurer::disable)
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .headers(
            h ->
                h.addHeaderWriter(
                    new DelegatingRequestMatcherHeaderWriter(
                        CONSOLE, new CompositeHeaderWriter(CONSOLE_HEADERS))));
    if (!security.enabled()) {
      log.warn(
          "maas.security.enabled=false: every endpoint is open to anyone who can reach this"
              + " server. Use this for local tinkering only.");
      return http.authorizeHttpRequests(a -> a.anyRequest().permitAll()).build();
    }
    ApiKeyFilter authentication = new ApiKeyFilter(check.keys(), warmupKey);
    http.addFilterBefore(authentication, AnonymousAuthenticationFilter.class);
    if (check.limiter() != null) {
      http.addFilterAfter(new RateLimitFilter(check.limiter()), ApiKeyFilter.class);
    }
    http.exceptionHandling(
        e ->
            e.authenticationEntryPoint(SecurityConfiguration::unauthorized)
                .accessDeniedHandler(SecurityConfiguration::forbidden));
    String predict = Role.PREDICT.name();
    String train = Role.TRAIN.name();
    String admin = Role.ADMIN.name();
    http.authorizeHttpRequests(
        a -> {
          a.dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.ASYNC).permitAll();
          // The prediction endpoints first: every request walks the rules in order until one
          // matches, and these are the busiest. None of the open paths below is under them, so
          // the order changes no answer.
          a.requestMatchers(HttpMethod.POST, "/api/v1/models/*/predict").hasRole(predict);
          a.requestMatchers("/v2", "/v2/**").hasRole(predict);
          a.requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info")
              .permitAll();
          // The contract and Swagger UI are public documentation, and a browser cannot send a
          // Bearer header to open them; the UI's Authorize button takes the key for its calls.
          a.requestMatchers(
                  HttpMethod.GET,
                  "/openapi.yaml",
                  "/swagger-ui",
                  "/swagger-ui/**",
                  "/swagger-ui.html",
                  "/v3/api-docs/swagger-config")
              .permitAll();
          // The web console's files: the page asks for the key and sends it with each API call.
          a.requestMatchers(CONSOLE).permitAll();
          if (security.scrapeOpen()) {
            a.requestMatchers("/actuator/prometheus").permitAll();
          }
          a.requestMatchers(HttpMethod.GET, "/api/v1/models/*/versions/*/artifact").hasRole(train);
          a.requestMatchers(HttpMethod.GET, "/api/v1/models", "/api/v1/models/**").hasRole(predict);
          a.requestMatchers(
                  "/api/v1/datasets",
                  "/api/v1/datasets/**",
                  "/api/v1/training-jobs",
                  "/api/v1/training-jobs/**",
                  "/api/v1/prediction-jobs",
                  "/api/v1/prediction-jobs/**",
                  "/api/v1/comparisons",
                  "/api/v1/comparisons/**")
              .hasRole(train);
          a.anyRequest().hasRole(admin);
        });
    return http.build();
  }

  /** The key the server's own warm-up sends, valid until the application is ready. */
  @Bean
  WarmupKey warmupKey() {
    return new WarmupKey();
  }

  /**
   * A request the firewall refuses (encoded slashes, {@code ..}, control characters in the path):
   * 400 with a body, instead of the container's bare error page.
   */
  @Bean
  RequestRejectedHandler requestRejectedHandler() {
    return (HttpServletRequest request,
        HttpServletResponse response,
        RequestRejectedException e) -> {
      if (!response.isCommitted()) {
        ErrorResponses.write(
            request,
            response,
            HttpStatus.BAD_REQUEST,
            "the request path or headers are not allowed: " + e.getMessage());
      }
    };
  }

  private static void unauthorized(
      HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
      throws IOException {
    boolean invalid = request.getAttribute(ApiKeyFilter.INVALID_KEY) != null;
    response.setHeader(
        HttpHeaders.WWW_AUTHENTICATE,
        invalid ? "Bearer realm=\"maas\", error=\"invalid_token\"" : "Bearer realm=\"maas\"");
    ErrorResponses.write(
        request,
        response,
        HttpStatus.UNAUTHORIZED,
        invalid
            ? "the API key is not valid; send 'Authorization: Bearer <key>' with a configured key"
            : "an API key is required: send 'Authorization: Bearer <key>'");
  }

  private static void forbidden(
      HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
      throws IOException {
    var authentication = SecurityContextHolder.getContext().getAuthentication();
    String name = authentication == null ? "?" : authentication.getName();
    String roles =
        authentication == null
            ? ""
            : authentication.getAuthorities().stream()
                .map(a -> a.getAuthority().replace("ROLE_", "").toLowerCase())
                .sorted()
                .collect(Collectors.joining(", "));
    ErrorResponses.write(
        request,
        response,
        HttpStatus.FORBIDDEN,
        "API key '"
            + name
            + "' (roles: "
            + roles
            + ") may not "
            + request.getMethod()
            + " "
            + request.getRequestURI());
  }
}

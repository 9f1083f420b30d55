package dev.maas.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Hands clients' keep-alive connections back before the server stops taking requests.
 *
 * <p>Spring's graceful shutdown pauses Tomcat's connector: from then on a request that arrives on a
 * connection already open is answered 503 (Tomcat refuses it), however healthy the other replicas
 * are. Kubernetes' Service routing (kube-proxy) and any TCP load balancer keep an open connection
 * on the pod it was opened to, even after the pod's endpoint was removed, so a client that keeps
 * its connections open would see those 503s at every rolling restart.
 *
 * <p>So, when the server is asked to stop, and before the graceful shutdown pauses the connector,
 * every response carries {@code Connection: close} (readiness already answers 503 then): a client's
 * next request opens a new connection, which goes to a replica that is not stopping. The drain
 * lasts until no request has arrived for {@link #QUIET_MILLIS} ms, {@link #MAX_MILLIS} ms at most;
 * a server nobody called in the last {@link #QUIET_MILLIS} ms stops at once.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
final class KeepAliveDrain extends OncePerRequestFilter implements SmartLifecycle {
  static final long QUIET_MILLIS = 250;
  static final long MAX_MILLIS = 3000;
  private static final Logger log = LoggerFactory.getLogger(KeepAliveDrain.class);

  private volatile boolean running;
  private volatile boolean draining;
  private volatile long lastRequest = System.nanoTime();

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    lastRequest = System.nanoTime();
    if (draining) {
      response.setHeader("Connection", "close");
    }
    chain.doFilter(request, response);
  }

  @Override
  protected boolean shouldNotFilterAsyncDispatch() {
    return false;
  }

  @Override
  protected boolean shouldNotFilterErrorDispatch() {
    return false;
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    long start = System.nanoTime();
    draining = true;
    int waited = 0;
    try {
      while (System.nanoTime() - lastRequest < QUIET_MILLIS * 1_000_000
          && System.nanoTime() - start < MAX_MILLIS * 1_000_000) {
        Thread.sleep(20);
        waited += 20;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    running = false;
    log.info("shutdown: keep-alive connections handed back in {} ms", waited);
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Stopped just before the web server's graceful shutdown (a higher phase stops earlier). */
  @Override
  public int getPhase() {
    return WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE + 1;
  }
}

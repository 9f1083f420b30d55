package dev.maas.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.MaasApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A server stopped while clients keep their connections open and send requests on them without a
 * pause, as clients do through Kubernetes' kube-proxy (which keeps a connection on its pod after
 * the pod's endpoint is gone): every client's last answer on its connection is a normal answer that
 * says {@code Connection: close}, so it opens its next connection elsewhere; no request sent on an
 * open connection is lost or refused. Without {@link KeepAliveDrain} this test fails: at least half
 * the clients lose a request sent on their open connection ("header parser received no bytes"; a
 * 400 was seen too).
 */
class KeepAliveDrainTest {

  @Test
  void everyClientOnAKeptConnectionIsToldToCloseItBeforeTheServerStops() throws Exception {
    Path data = Path.of("target", "test-data", "keep-alive-" + UUID.randomUUID());
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(MaasApplication.class)
            .properties(
                "server.port=0",
                "maas.grpc.port=0",
                "maas.security.enabled=false",
                "maas.security.requests-per-second=0",
                "maas.storage.path=" + data,
                "spring.main.banner-mode=off")
            .run();
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/models")).build();
    ConcurrentLinkedQueue<String> outcomes = new ConcurrentLinkedQueue<>();
    AtomicBoolean stopping = new AtomicBoolean();
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      HttpClient http = HttpClient.newHttpClient(); // one connection, kept open between requests
      Thread t =
          new Thread(
              () -> {
                while (true) {
                  try {
                    HttpResponse<String> r =
                        http.send(request, HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                      outcomes.add("status " + r.statusCode());
                      return;
                    }
                    if (r.headers().firstValue("Connection").orElse("").equals("close")
                        && stopping.get()) {
                      // Its next request would go to a new connection: to another replica.
                      outcomes.add("told to close");
                      return;
                    }
                    // Before the stop, Tomcat closes a connection after its 100th request
                    // (server.tomcat.max-keep-alive-requests); the client opens a new one.
                  } catch (Exception e) {
                    outcomes.add(e.toString());
                    return;
                  }
                }
              });
      t.setDaemon(true);
      t.start();
      clients.add(t);
    }
    Thread.sleep(1000);
    assertThat(outcomes).as("the clients' requests before the stop").isEmpty();
    stopping.set(true);
    context.close();
    for (Thread t : clients) {
      t.join(10_000);
    }
    assertThat(outcomes).hasSize(16).containsOnly("told to close");
  }
}

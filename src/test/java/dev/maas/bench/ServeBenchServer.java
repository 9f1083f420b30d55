package dev.maas.bench;

import dev.maas.MaasApplication;
import dev.maas.web.RequestBodies;
import java.nio.charset.StandardCharsets;
import org.springframework.boot.SpringApplication;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.util.unit.DataSize;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The server of {@code bench/serve}: maas as it ships, plus one trivial endpoint, {@code POST
 * /bench/trivial}, that reads the same JSON body the way predict does (through Spring MVC and
 * {@link RequestBodies}) and answers a fixed small JSON. Its throughput is the ceiling of the HTTP
 * stack, which the prediction endpoints are measured against.
 */
public final class ServeBenchServer {
  private static final byte[] ANSWER =
      "{\"model\":\"trivial\",\"version\":1,\"predictions\":[{\"value\":0.0}]}"
          .getBytes(StandardCharsets.UTF_8);

  private ServeBenchServer() {}

  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(MaasApplication.class);
    app.addInitializers(
        context ->
            ((GenericApplicationContext) context)
                .registerBean("trivialEndpoint", RouterFunction.class, ServeBenchServer::trivial));
    app.run(args);
  }

  private static RouterFunction<ServerResponse> trivial() {
    return RouterFunctions.route()
        .POST(
            "/bench/trivial",
            request -> {
              RequestBodies.read(
                  request.servletRequest(), DataSize.ofMegabytes(16), "the trivial request");
              return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).body(ANSWER);
            })
        .build();
  }
}

package dev.maas.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import org.junit.jupiter.api.Test;

/** Swagger UI at /swagger-ui shows the contract file itself, not a spec generated from code. */
class SwaggerUiTest extends ContractServer {
  private final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base() + path)).build(), BodyHandlers.ofString());
  }

  @Test
  void theServedSpecificationIsTheRootOpenapiYaml() throws Exception {
    HttpResponse<String> spec = get("/openapi.yaml");
    assertThat(spec.statusCode()).isEqualTo(200);
    assertThat(spec.body()).isEqualTo(Contract.get().text());
  }

  @Test
  void swaggerUiAnswersAndIsPointedAtTheContract() throws Exception {
    HttpResponse<String> page = get("/swagger-ui");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("swagger-ui");
    HttpResponse<String> init = get("/swagger-ui/swagger-initializer.js");
    assertThat(init.statusCode()).isEqualTo(200);
    assertThat(init.body()).contains("/openapi.yaml");
  }

  @Test
  void springdocGeneratesNoSpecificationOfItsOwn() throws Exception {
    assertThat(get("/v3/api-docs").statusCode()).isEqualTo(404);
  }
}

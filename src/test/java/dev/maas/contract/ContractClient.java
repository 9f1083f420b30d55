package dev.maas.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An HTTP client of the running server that checks every exchange against the contract: the request
 * (unless a case sends an invalid one on purpose, which the contract must then refuse too) and the
 * response, status, headers and body. Every exchange is recorded for the coverage check.
 */
final class ContractClient {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String base;
  private final Contract contract;
  private final Coverage coverage;

  ContractClient(String base, Contract contract, Coverage coverage) {
    this.base = base;
    this.contract = contract;
    this.coverage = coverage;
  }

  /** A response, with the parts the cases look at. */
  record Exchange(int status, Map<String, List<String>> headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonNode json() {
      return JSON.readTree(body);
    }

    Optional<String> header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .flatMap(e -> e.getValue().stream())
          .findFirst();
    }

    /** Asserts the status and returns this exchange. */
    Exchange expect(int expected) {
      assertThat(status).as("status of a response with body %s", text()).isEqualTo(expected);
      return this;
    }

    /** Asserts an RFC 9457 problem with this status and returns its body. */
    JsonNode problem(int expected) {
      expect(expected);
      assertThat(header("Content-Type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
      JsonNode p = json();
      assertThat(p.get("status").asInt()).isEqualTo(expected);
      assertThat(p.get("detail").asString()).isNotBlank();
      return p;
    }

    /** Asserts an Open Inference Protocol error, {@code {"error"}}, with this status. */
    JsonNode error(int expected) {
      expect(expected);
      assertThat(header("Content-Type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
      JsonNode e = json();
      assertThat(e.get("error").asString()).isNotBlank();
      return e;
    }
  }

  Exchange get(String path) {
    return send("GET", path, null, null, Map.of(), true);
  }

  Exchange get(String path, Map<String, String> headers) {
    return send("GET", path, null, null, headers, true);
  }

  Exchange delete(String path) {
    return send("DELETE", path, null, null, Map.of(), true);
  }

  Exchange post(String path, String contentType, byte[] body) {
    return send("POST", path, contentType, body, Map.of(), true);
  }

  Exchange post(String path, String contentType, String body) {
    return post(path, contentType, utf8(body));
  }

  Exchange post(String path, String contentType, String body, Map<String, String> headers) {
    return send("POST", path, contentType, utf8(body), headers, true);
  }

  Exchange postJson(String path, String body) {
    return post(path, "application/json", body);
  }

  Exchange putJson(String path, String body) {
    return send("PUT", path, "application/json", utf8(body), Map.of(), true);
  }

  Exchange patchJson(String path, String body) {
    return send("PATCH", path, "application/json", utf8(body), Map.of(), true);
  }

  /**
   * Sends a request that breaks the contract on purpose: the contract must refuse it as well, and
   * the server's answer must still be a documented response.
   */
  Exchange sendInvalid(String method, String path, String contentType, String body) {
    return send(method, path, contentType, body == null ? null : utf8(body), Map.of(), false);
  }

  /** As {@link #sendInvalid(String, String, String, String)}, with request headers. */
  Exchange sendInvalid(
      String method, String path, String contentType, String body, Map<String, String> headers) {
    return send(method, path, contentType, body == null ? null : utf8(body), headers, false);
  }

  private Exchange send(
      String method,
      String path,
      String contentType,
      byte[] body,
      Map<String, String> headers,
      boolean requestValid) {
    HttpRequest.Builder http =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    SimpleRequest.Builder documented = new SimpleRequest.Builder(method, rawPath(path));
    queryOf(path).forEach(documented::withQueryParam);
    if (contentType != null) {
      http.header("Content-Type", contentType);
      documented.withContentType(contentType);
    }
    headers.forEach(
        (k, v) -> {
          http.header(k, v);
          documented.withHeader(k, v);
        });
    http.method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body));
    if (body != null) {
      documented.withBody(body);
    }
    HttpResponse<byte[]> response;
    try {
      response = this.http.send(http.build(), BodyHandlers.ofByteArray());
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + " failed", e);
    }
    Exchange exchange =
        new Exchange(response.statusCode(), response.headers().map(), response.body());
    check(method, path, documented.build(), exchange, requestValid);
    return exchange;
  }

  private void check(
      String method, String path, Request request, Exchange exchange, boolean requestValid) {
    String what = method + " " + path + " -> " + exchange.status();
    Contract.Operation operation =
        contract
            .operationOf(method, rawPath(path))
            .orElseThrow(() -> new AssertionError(what + ": not an operation of openapi.yaml"));
    SimpleResponse.Builder response = new SimpleResponse.Builder(exchange.status());
    exchange.headers().forEach((k, v) -> response.withHeader(k, v));
    if (exchange.body().length > 0) {
      response.withBody(exchange.body());
    }
    ValidationReport report =
        contract
            .validator()
            .validateResponse(rawPath(path), Request.Method.valueOf(method), response.build());
    assertThat(report.hasErrors())
        .as("%s: the response breaks the contract: %s\nbody: %s", what, report, exchange.text())
        .isFalse();
    ValidationReport requestReport = contract.validator().validateRequest(request);
    if (requestValid) {
      assertThat(requestReport.hasErrors())
          .as("%s: the request breaks the contract: %s", what, requestReport)
          .isFalse();
    } else {
      assertThat(requestReport.hasErrors())
          .as("%s: sent as invalid, but the contract accepts it", what)
          .isTrue();
    }
    coverage.record(operation, exchange.status());
  }

  private static String rawPath(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }

  private static Map<String, String> queryOf(String path) {
    Map<String, String> query = new LinkedHashMap<>();
    int q = path.indexOf('?');
    if (q >= 0) {
      for (String pair : path.substring(q + 1).split("&")) {
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        query.put(decode(key), decode(value));
      }
    }
    return query;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

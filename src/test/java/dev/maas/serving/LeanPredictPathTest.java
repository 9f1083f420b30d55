package dev.maas.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.FullServerTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The lean path of predict and infer ({@link LeanPredictFilter}) answers exactly as the regular
 * path (Spring MVC's route and controller) does: for a set of good and bad requests to models of
 * every family, the same status, headers (but the date) and body byte for byte, and the same
 * meters: every count of the serving meters and of {@code http_server_requests}, tags included
 * ({@code uri} is the endpoint's template). The good requests are answered by the lean path itself.
 */
class LeanPredictPathTest extends FullServerTest {
  @Autowired LeanPredictFilter lean;

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** A request of the set: method, path, Content-Type, Accept, body (null: none). */
  record Call(String method, String path, String type, String accept, String body, boolean good) {
    static Call post(String path, String body) {
      return new Call("POST", path, "application/json", null, body, true);
    }

    Call bad() {
      return new Call(method, path, type, accept, body, false);
    }

    Call type(String t) {
      return new Call(method, path, t, accept, body, good);
    }

    Call accept(String a) {
      return new Call(method, path, type, a, body, good);
    }
  }

  /** What a client sees of an answer: status, headers but Date, body. */
  record Seen(int status, Map<String, List<String>> headers, String body) {}

  @Test
  void theLeanPathAnswersGoodAndBadRequestsAsTheRegularPathDoes() throws Exception {
    ServingClient client = new ServingClient(port);
    List<Call> calls = new ArrayList<>();
    String first = null;
    for (ServingFixtures.Fixture f : ServingFixtures.everyFamily()) {
      String name = "lean-" + f.family().replace('_', '-');
      int version = client.importVersion(name, f.file());
      String predict = "/api/v1/models/" + name + "/predict";
      String one = "{\"instances\": [" + row(f.rows()[0]) + "]}";
      StringBuilder all = new StringBuilder("{\"instances\": [");
      for (int r = 0; r < f.rows().length; r++) {
        all.append(r == 0 ? "" : ", ").append(row(f.rows()[r]));
      }
      all.append("]}");
      calls.add(Call.post(predict, one));
      calls.add(Call.post(predict, all.toString()));
      calls.add(Call.post(predict + "?version=" + version, one));
      calls.add(Call.post("/v2/models/" + name + "/infer", infer(f, null)));
      calls.add(
          Call.post("/v2/models/" + name + "/versions/" + version + "/infer", infer(f, "r-1")));
      if (first == null) {
        first = name;
        client.setAlias(name, "staging", version);
        calls.add(Call.post(predict + "?alias=staging", one));
        calls.add(Call.post(predict, one).type("application/json;charset=UTF-8"));
        calls.add(Call.post(predict, one).accept("*/*"));
        // handed to the regular path: every kind of refusal, and what the lean path leaves alone
        calls.add(Call.post(predict, "{").bad());
        calls.add(Call.post(predict, "{\"instances\": [[1, 2]]}").bad());
        calls.add(Call.post(predict, "").bad());
        calls.add(Call.post(predict, "{\"rows\": []}").bad());
        calls.add(Call.post(predict + "?version=abc", one).bad());
        calls.add(Call.post(predict + "?version=99", one).bad());
        calls.add(Call.post(predict + "?version=1&alias=staging", one).bad());
        calls.add(Call.post(predict + "?alias=nope", one).bad());
        calls.add(Call.post(predict, one).type("text/plain").bad());
        // the native predict route answers JSON whatever the Accept (so does the lean path)
        calls.add(Call.post(predict, one).accept("text/plain"));
        calls.add(Call.post(predict, one).accept("application/json, text/plain"));
        calls.add(Call.post("/api/v1/models/lean-nothing/predict", one).bad());
        calls.add(Call.post("/api/v1/models/Lean-Upper/predict", one).bad());
        calls.add(Call.post(predict + "/", one).bad());
        calls.add(new Call("GET", predict, null, null, null, false));
        StringBuilder many = new StringBuilder("{\"instances\": [");
        for (int r = 0; r <= MAX_INSTANCES; r++) {
          many.append(r == 0 ? "" : ", ").append(row(f.rows()[0]));
        }
        calls.add(Call.post(predict, many.append("]}").toString()).bad());
        String v2 = "/v2/models/" + name;
        calls.add(Call.post(v2 + "/infer", "{\"inputs\": []}").bad());
        calls.add(Call.post(v2 + "/infer", "[]").bad());
        calls.add(
            Call.post(
                    v2 + "/infer",
                    infer(f, null).replace("}]}", "}], \"outputs\": [{\"name\":" + " \"nope\"}]}"))
                .bad());
        calls.add(Call.post(v2 + "/versions/0/infer", infer(f, null)).bad());
        calls.add(Call.post(v2 + "/versions/07/infer", infer(f, null)).bad());
        calls.add(Call.post(v2 + "/versions/abc/infer", infer(f, null)).bad());
        calls.add(Call.post(v2 + "/versions/42/infer", infer(f, null)).bad());
        calls.add(Call.post("/v2/models/lean-nothing/infer", infer(f, null)).bad());
        calls.add(Call.post(v2 + "/infer", infer(f, null)).type("text/plain").bad());
        calls.add(Call.post(v2 + "/infer", infer(f, null)).accept("text/csv").bad());
        calls.add(Call.post(v2 + "/infer", "").bad());
      }
    }
    // every version loaded, the cache's misses behind: both passes see the same cache
    lean.enabled(false);
    try {
      send(calls);
      String before = client.get("/actuator/prometheus").body();
      List<Seen> regular = send(calls);
      String between = client.get("/actuator/prometheus").body();
      lean.enabled(true);
      long answeredBefore = lean.answered();
      List<Seen> leanly = send(calls);
      String after = client.get("/actuator/prometheus").body();

      for (int i = 0; i < calls.size(); i++) {
        assertThat(leanly.get(i)).as("%s", calls.get(i)).isEqualTo(regular.get(i));
        assertThat(regular.get(i).status() == 200)
            .as("%s: %s", calls.get(i), regular.get(i))
            .isEqualTo(calls.get(i).good());
      }
      assertThat(lean.answered() - answeredBefore)
          .as("the good requests were answered by the lean path")
          .isEqualTo(calls.stream().filter(Call::good).count());
      Map<String, Double> regularCounts = counts(before, between);
      Map<String, Double> leanCounts = counts(between, after);
      assertThat(leanCounts).isEqualTo(regularCounts);
      assertThat(regularCounts)
          .containsKey(
              "http_server_requests_seconds_count{error=\"none\",exception=\"none\","
                  + "method=\"POST\",outcome=\"SUCCESS\",status=\"200\","
                  + "uri=\"/v2/models/{name}/versions/{version}/infer\"}");
    } finally {
      lean.enabled(true);
    }
  }

  private List<Seen> send(List<Call> calls) throws Exception {
    List<Seen> out = new ArrayList<>();
    for (Call c : calls) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create("http://localhost:" + port + c.path()));
      if (c.type() != null) {
        b.header("Content-Type", c.type());
      }
      if (c.accept() != null) {
        b.header("Accept", c.accept());
      }
      b.method(
          c.method(),
          c.body() == null ? BodyPublishers.noBody() : BodyPublishers.ofString(c.body()));
      HttpResponse<String> r = http.send(b.build(), BodyHandlers.ofString());
      Map<String, List<String>> headers = new TreeMap<>(r.headers().map());
      headers.remove("date");
      out.add(new Seen(r.statusCode(), headers, r.body()));
    }
    return out;
  }

  /**
   * The counts that moved between two scrapes: every {@code _total} and {@code _count} series of
   * the serving meters and of {@code http_server_requests}, by its full name and tags.
   */
  private static Map<String, Double> counts(String from, String to) {
    Map<String, Double> a = series(from);
    Map<String, Double> out = new TreeMap<>();
    series(to)
        .forEach(
            (k, v) -> {
              double d = v - a.getOrDefault(k, 0.0);
              if (d != 0) {
                out.put(k, d);
              }
            });
    return out;
  }

  private static Map<String, Double> series(String scrape) {
    Matcher m =
        Pattern.compile(
                "^((?:maas_|http_server_requests)[a-z_]*(?:_total|_count)(?:\\{.*\\})?) (\\S+)$",
                Pattern.MULTILINE)
            .matcher(scrape);
    Map<String, Double> out = new TreeMap<>();
    while (m.find()) {
      out.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return out;
  }

  private static String row(double[] values) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      b.append(i == 0 ? "" : ", ").append(values[i]);
    }
    return b.append(']').toString();
  }

  private static String infer(ServingFixtures.Fixture f, String id) {
    StringBuilder b = new StringBuilder("{");
    if (id != null) {
      b.append("\"id\": \"").append(id).append("\", ");
    }
    b.append("\"inputs\": [{\"name\": \"input\", \"shape\": [1");
    for (int d : f.shape()) {
      b.append(", ").append(d);
    }
    b.append("], \"datatype\": \"FP64\", \"data\": ").append(row(f.rows()[0])).append("}]}");
    return b.toString();
  }
}

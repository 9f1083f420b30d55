package dev.maas.robustness;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The corpus of bad requests, as compact tables crossed with the endpoints of openapi.yaml: bodies
 * that are not JSON or not the right JSON, wrong content types, odd names in paths, bad query
 * parameters, oversized and truncated uploads. Model {@code m} version 1 (aliased {@code staging})
 * exists when they run, so requests naming it reach past the lookup into the feature's own checks.
 */
final class BadRequests {
  private BadRequests() {}

  /**
   * One bad request.
   *
   * @param target path and query, sent as is
   * @param declaredLength a Content-Length to declare instead of the body's (a truncated body), -1
   *     for the body's own, or {@link RawHttp#CHUNKED}
   * @param mayPass true when the request is odd but may be accepted (e.g. an unknown field): then
   *     only "no 5xx, and an error is a proper error body" is asserted
   */
  record Case(
      String name,
      String method,
      String target,
      String contentType,
      byte[] body,
      long declaredLength,
      boolean mayPass) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** The endpoints that take a JSON body, each a method and target. */
  private static final String[][] JSON_ENDPOINTS = {
    {"POST", "/api/v1/datasets?name=c"},
    {"POST", "/api/v1/training-jobs"},
    {"PATCH", "/api/v1/models/m"},
    {"PATCH", "/api/v1/models/m/versions/1"},
    {"PUT", "/api/v1/models/m/aliases/prod"},
    {"POST", "/api/v1/models/m/predict"},
    {"POST", "/v2/models/m/infer"},
  };

  /** Bodies that no JSON endpoint accepts: label, body. */
  private static final String[][] BAD_JSON = {
    {"empty body", ""},
    {"whitespace only", "   \n"},
    {"truncated object", "{\"model\": \"m\", "},
    {"truncated string", "{\"model\": \"m"},
    {"bare word", "nul"},
    {"a number", "123"},
    {"a string", "\"text\""},
    {"null", "null"},
    {"an array", "[1, 2, 3]"},
    {"deeply nested arrays", "[".repeat(20_000) + "]".repeat(20_000)},
    {"deeply nested objects", "{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000)},
    {"NaN literal", "{\"value\": NaN, \"instances\": [[NaN]]}"},
    {"Infinity literal", "{\"instances\": [[Infinity, -Infinity]]}"},
    {"huge exponent", "{\"version\": 1e999999, \"instances\": [[1e999999]]}"},
    {"a million digits", "{\"version\": " + "9".repeat(1_000_000) + "}"},
    {"huge integer", "{\"version\": 99999999999999999999999999, \"epochs\": 99999999999999999999}"},
    {"trailing garbage", "{} {} garbage"},
    {"single quotes", "{'model': 'm'}"},
    {"comments", "/* hi */ {\"model\": \"m\"}"},
    {"control character in string", "{\"model\": \"a\u0001b\", \"description\": \"x\u0000y\"}"},
    {"lone surrogate escape", "{\"model\": \"\\ud800\", \"description\": \"\\udfff\"}"},
    {"duplicate keys", "{\"model\": \"a\", \"model\": \"b\", \"version\": 1, \"version\": 2}"},
    {
      "wrong types everywhere",
      "{\"model\": [], \"family\": {}, \"dataset\": 7, \"version\": \"one\","
          + " \"tags\": [1], \"description\": {}, \"instances\": \"rows\", \"inputs\": 3}"
    },
    {
      "nulls everywhere",
      "{\"model\": null, \"family\": null, \"version\": null, \"tags\": null,"
          + " \"instances\": null, \"inputs\": null}"
    },
    {"a 1 MB string", "{\"model\": \"" + "x".repeat(1 << 20) + "\"}"},
    {"a key of 100 kB", "{\"" + "k".repeat(100_000) + "\": 1}"},
  };

  /** Prediction bodies of the maas shape and of KServe v2 that are wrong for model m. */
  private static final String[][] BAD_PREDICTIONS = {
    {"instances missing", "{}"},
    {"instances empty", "{\"instances\": []}"},
    {"instances a string", "{\"instances\": \"1,2\"}"},
    {"instances a row of strings", "{\"instances\": [[\"a\", \"b\"]]}"},
    {"instances too few values", "{\"instances\": [[1]]}"},
    {"instances too many values", "{\"instances\": [[1, 2, 3, 4, 5, 6]]}"},
    {"instances ragged", "{\"instances\": [[1, 2], [1]]}"},
    {"instances nested too deep", "{\"instances\": [[[[[[1]]]]]]}"},
    {"instances a gap and text", "{\"instances\": [[null, \"x\"]]}"},
    {"instances of objects", "{\"instances\": [{\"a\": 1}, 2]}"},
    {"instances huge values", "{\"instances\": [[1e308, -1e308], [1e309, 1]]}"},
    {"instances 100k empty rows", "{\"instances\": [" + "[],".repeat(100_000) + "[]]}"},
    {"inputs missing", "{\"outputs\": []}"},
    {"inputs not a list", "{\"inputs\": {\"name\": \"x\"}}"},
    {"inputs empty", "{\"inputs\": []}"},
    {
      "inputs without data",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 2], \"datatype\": \"FP32\"}]}"
    },
    {
      "inputs shape and data disagree",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [3, 2],"
          + " \"datatype\": \"FP32\", \"data\": [1, 2]}]}"
    },
    {
      "inputs negative shape",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [-1, 2],"
          + " \"datatype\": \"FP32\", \"data\": [1, 2]}]}"
    },
    {
      "inputs huge shape",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1000000000, 1000000000],"
          + " \"datatype\": \"FP32\", \"data\": [1, 2]}]}"
    },
    {
      "inputs unknown datatype",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 2],"
          + " \"datatype\": \"COMPLEX128\", \"data\": [1, 2]}]}"
    },
    {
      "inputs data of strings",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 2],"
          + " \"datatype\": \"FP32\", \"data\": [\"a\", \"b\"]}]}"
    },
    {
      "inputs shape of strings",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [\"1\", \"two\"],"
          + " \"datatype\": \"FP32\", \"data\": [1, 2]}]}"
    },
    {
      "inputs wrong feature count",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 5],"
          + " \"datatype\": \"FP64\", \"data\": [1, 2, 3, 4, 5]}]}"
    },
    {
      "inputs NaN in data",
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 2],"
          + " \"datatype\": \"FP32\", \"data\": [NaN, 1]}]}"
    },
  };

  /** Names that are not model names, dataset ids or job ids, as they appear in a raw path. */
  private static final String[] ODD_NAMES = {
    "..",
    "%2e%2e",
    "a%2Fb",
    "a%252Fb",
    "a%00b",
    "%ff%fe",
    "%C3%BC-model",
    "%E5%90%8D%E5%89%8D",
    "%F0%9F%A4%96",
    "%E2%80%AE-rtl",
    "a%20b",
    "a;jsessionid=1",
    "-leading",
    "UPPER",
    "x".repeat(5000),
    "a%5Cb",
    "con",
    "%0d%0aX-Injected:%201",
  };

  /** Paths with one odd segment: method, path with {} for the name. */
  private static final String[][] NAMED_PATHS = {
    {"GET", "/api/v1/models/{}"},
    {"GET", "/api/v1/models/{}/versions"},
    {"DELETE", "/api/v1/models/{}"},
    {"GET", "/api/v1/models/m/aliases/{}"},
    {"GET", "/api/v1/datasets/{}"},
    {"GET", "/api/v1/datasets/{}/rows"},
    {"GET", "/api/v1/training-jobs/{}"},
    {"GET", "/v2/models/{}"},
  };

  private static final String[] ODD_VERSIONS = {
    "0", "-1", "abc", "1.5", "99999999999999999999", "%20", "1e3", "1.0.0"
  };

  private static final String[] VERSIONED_PATHS = {
    "GET /api/v1/models/m/versions/{}",
    "GET /api/v1/models/m/versions/{}/artifact",
    "DELETE /api/v1/models/m/versions/{}",
  };

  private static final String[][] WRONG_CONTENT_TYPES = {
    {"no content type", null},
    {"text/plain", "text/plain"},
    {"xml", "application/xml"},
    {"garbage type", "not a type"},
    {"multipart without boundary", "multipart/form-data"},
    {"json with a bogus charset", "application/json; charset=bogus-1"},
    {"wildcard subtype", "application/*"},
    {"wildcard type", "*/*"},
  };

  private static final String[][] BODY_ENDPOINTS = {
    {"POST", "/api/v1/datasets?name=c"},
    {"POST", "/api/v1/training-jobs"},
    {"PATCH", "/api/v1/models/m"},
    {"PUT", "/api/v1/models/m/aliases/prod"},
    {"POST", "/api/v1/models/m/versions"},
    {"POST", "/api/v1/models/m/predict"},
    {"POST", "/v2/models/m/infer"},
  };

  /** Bad query strings: method, target. */
  private static final String[][] BAD_QUERIES = {
    {"GET", "/api/v1/models?limit=-1"},
    {"GET", "/api/v1/models?limit=abc"},
    {"GET", "/api/v1/models?limit=100000"},
    {"GET", "/api/v1/models?offset=99999999999999"},
    {"GET", "/api/v1/models?offset=-5"},
    {"GET", "/api/v1/datasets?limit=0"},
    {"GET", "/api/v1/datasets?offset=%ff"},
    {"GET", "/api/v1/datasets/ds-nope/rows?limit=0"},
    {"GET", "/api/v1/datasets/ds-nope/rows?limit=100000"},
    {"GET", "/api/v1/datasets/ds-nope/rows?offset=-1"},
    {"GET", "/api/v1/datasets/ds-nope/rows?limit=abc"},
    {"GET", "/api/v1/training-jobs?state=bogus"},
    {"GET", "/api/v1/training-jobs?limit=1e3"},
    {"GET", "/api/v1/models?limit=NaN"},
    {"POST", "/api/v1/training-jobs/job-nope/cancel"},
    {"GET", "/api/v1/training-jobs/job-nope/events"},
  };

  /** Methods the API does not have on a path. */
  private static final String[][] WRONG_METHODS = {
    {"PUT", "/api/v1/datasets"},
    {"DELETE", "/api/v1/training-jobs"},
    {"POST", "/api/v1/models/m"},
    {"PATCH", "/api/v1/models/m/aliases/staging"},
    {"GET", "/api/v1/models/m/predict"},
    {"PUT", "/api/v1/training-jobs/job-1/cancel"},
  };

  static List<Case> all() {
    List<Case> cases = new ArrayList<>();
    for (String[] endpoint : JSON_ENDPOINTS) {
      for (String[] body : BAD_JSON) {
        cases.add(json(endpoint[0], endpoint[1], body[0], body[1], false));
      }
      cases.add(
          json(
              endpoint[0],
              endpoint[1],
              "only unknown fields",
              "{\"bogus\": 1, \"x\": [1]}",
              false));
    }
    for (String[] endpoint : new String[][] {JSON_ENDPOINTS[5], JSON_ENDPOINTS[6]}) {
      for (String[] body : BAD_PREDICTIONS) {
        cases.add(json(endpoint[0], endpoint[1], body[0], body[1], false));
      }
    }
    cases.add(
        json(
            "PUT",
            "/api/v1/models/m/aliases/prod",
            "alias to a missing version",
            "{\"version\": 9}",
            false));
    cases.add(
        json("PUT", "/api/v1/models/m/aliases/prod", "alias version 0", "{\"version\": 0}", false));
    cases.add(
        json(
            "PUT",
            "/api/v1/models/m/aliases/prod",
            "alias version -1",
            "{\"version\": -1}",
            false));
    cases.add(
        json(
            "PUT",
            "/api/v1/models/m/aliases/prod",
            "alias version 1.5",
            "{\"version\": 1.5}",
            false));
    cases.add(
        json(
            "PATCH",
            "/api/v1/models/m",
            "unknown field beside a valid one",
            "{\"description\": \"d\", \"bogus\": true}",
            true));
    cases.add(
        json("PATCH", "/api/v1/models/m", "10k tags", "{\"tags\": {" + tags(10_000) + "}}", false));
    for (String name : ODD_NAMES) {
      for (String[] path : NAMED_PATHS) {
        cases.add(
            new Case(
                path[0] + " " + path[1].replace("{}", shorten(name)),
                path[0],
                path[1].replace("{}", name),
                null,
                null,
                -1,
                false));
      }
      cases.add(
          json(
              "POST",
              "/api/v1/models/" + name + "/predict",
              "predict on an odd name",
              "{\"instances\": [[1, 2]]}",
              false));
      cases.add(
          json(
              "PUT", "/api/v1/models/m/aliases/" + name, "an odd alias", "{\"version\": 1}", true));
      cases.add(
          new Case(
              "upload named " + shorten(name),
              "POST",
              "/api/v1/datasets?name=" + name,
              "text/csv",
              bytes("a,b\n1,2\n"),
              -1,
              true));
    }
    for (String version : ODD_VERSIONS) {
      for (String path : VERSIONED_PATHS) {
        String[] p = path.split(" ");
        cases.add(
            new Case(
                path.replace("{}", version),
                p[0],
                p[1].replace("{}", version),
                null,
                null,
                -1,
                false));
      }
    }
    for (String[] endpoint : BODY_ENDPOINTS) {
      for (String[] type : WRONG_CONTENT_TYPES) {
        cases.add(
            new Case(
                endpoint[0] + " " + endpoint[1] + " as " + type[0],
                endpoint[0],
                endpoint[1],
                type[1],
                bytes("{\"x\": 1}"),
                -1,
                false));
      }
    }
    for (String[] q : BAD_QUERIES) {
      cases.add(new Case(q[0] + " " + q[1], q[0], q[1], null, null, -1, false));
    }
    for (String[] m : WRONG_METHODS) {
      cases.add(
          new Case(m[0] + " " + m[1] + " (no such method)", m[0], m[1], null, null, -1, false));
    }
    uploads(cases);
    return cases;
  }

  private static void uploads(List<Case> cases) {
    String csv = "x1,x2,y\n" + "1,2,3\n".repeat(20_000); // ~120 kB, over the test's 64 kB limit
    cases.add(
        new Case(
            "oversized CSV upload",
            "POST",
            "/api/v1/datasets?name=big",
            "text/csv",
            bytes(csv),
            -1,
            false));
    cases.add(
        new Case(
            "oversized JSON upload",
            "POST",
            "/api/v1/datasets?name=big",
            "application/json",
            bytes("[" + "{\"a\": 1},".repeat(10_000) + "{\"a\": 1}]"),
            -1,
            false));
    cases.add(
        new Case(
            "oversized model import",
            "POST",
            "/api/v1/models/m/versions",
            "application/octet-stream",
            new byte[100_000],
            -1,
            false));
    cases.add(
        new Case(
            "oversized prediction",
            "POST",
            "/api/v1/models/m/predict",
            "application/json",
            bytes("{\"instances\": [" + "[1, 2],".repeat(20_000) + "[1, 2]]}"),
            -1,
            false));
    cases.add(
        new Case(
            "oversized infer",
            "POST",
            "/v2/models/m/infer",
            "application/json",
            bytes(
                "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 2], \"datatype\": \"FP32\","
                    + " \"data\": ["
                    + "1,".repeat(40_000)
                    + "1]}]}"),
            -1,
            false));
    String chunkedRows = "{\"instances\": [" + "[1, 2],".repeat(20_000) + "[1, 2]]}";
    cases.add(
        new Case(
            "oversized chunked prediction",
            "POST",
            "/api/v1/models/m/predict",
            "application/json",
            bytes(chunkedRows),
            RawHttp.CHUNKED,
            false));
    cases.add(
        new Case(
            "oversized chunked infer",
            "POST",
            "/v2/models/m/infer",
            "application/json",
            bytes(
                "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 2], \"datatype\": \"FP32\","
                    + " \"data\": ["
                    + "1,".repeat(40_000)
                    + "1]}]}"),
            RawHttp.CHUNKED,
            false));
    cases.add(
        new Case(
            "oversized chunked CSV upload",
            "POST",
            "/api/v1/datasets?name=big",
            "text/csv",
            bytes("x1,x2,y\n" + "1,2,3\n".repeat(20_000)),
            RawHttp.CHUNKED,
            false));
    cases.add(
        new Case(
            "truncated CSV upload",
            "POST",
            "/api/v1/datasets?name=cut",
            "text/csv",
            bytes("x1,x2,y\n1,2,3\n4,5"),
            1000,
            false));
    cases.add(
        new Case(
            "truncated JSON upload",
            "POST",
            "/api/v1/datasets?name=cut",
            "application/json",
            bytes("[{\"a\": 1}, {\"a\""),
            1000,
            false));
    cases.add(
        new Case(
            "truncated model import",
            "POST",
            "/api/v1/models/m/versions",
            "application/octet-stream",
            new byte[100],
            5000,
            false));
    cases.add(
        new Case(
            "truncated training job",
            "POST",
            "/api/v1/training-jobs",
            "application/json",
            bytes("{\"model\": \"m\", \"family\""),
            500,
            false));
    cases.add(
        new Case(
            "truncated prediction",
            "POST",
            "/api/v1/models/m/predict",
            "application/json",
            bytes("{\"instances\": [[1,"),
            500,
            false));
    cases.add(
        new Case(
            "truncated infer",
            "POST",
            "/v2/models/m/infer",
            "application/json",
            bytes("{\"inputs\": [{\"name\""),
            500,
            false));
    cases.add(
        new Case(
            "CSV that is binary",
            "POST",
            "/api/v1/datasets?name=bin",
            "text/csv",
            new byte[] {0, 1, 2, (byte) 0xff, (byte) 0xfe, 10, 0, 0, 10},
            -1,
            true));
    cases.add(
        new Case(
            "CSV with ragged rows",
            "POST",
            "/api/v1/datasets?name=rag",
            "text/csv",
            bytes("a,b\n1,2,3\n4\n"),
            -1,
            false));
    cases.add(
        new Case(
            "CSV with a header only",
            "POST",
            "/api/v1/datasets?name=hdr",
            "text/csv",
            bytes("a,b\n"),
            -1,
            false));
    cases.add(
        new Case(
            "CSV with an unterminated quote",
            "POST",
            "/api/v1/datasets?name=q",
            "text/csv",
            bytes("a,b\n\"1,2\n3,4\n"),
            -1,
            false));
    cases.add(
        new Case(
            "model import of garbage",
            "POST",
            "/api/v1/models/m/versions",
            "application/octet-stream",
            bytes("this is not a model"),
            -1,
            false));
    cases.add(
        new Case(
            "model import of a zip bomb header",
            "POST",
            "/api/v1/models/m/versions",
            "application/octet-stream",
            new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0},
            -1,
            false));
    String boundary = "b0undary";
    cases.add(
        new Case(
            "NPY upload with a broken header",
            "POST",
            "/api/v1/datasets?name=n&target=x0",
            "multipart/form-data; boundary=" + boundary,
            bytes(
                "--"
                    + boundary
                    + "\r\nContent-Disposition: form-data; name=\"features\";"
                    + " filename=\"f.npy\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    + "\u0093NUMPY\u0001\u0000{'descr': '<f8', 'shape': (99999999999, 99999999999), }"
                    + "\r\n--"
                    + boundary
                    + "--\r\n"),
            -1,
            false));
    cases.add(
        new Case(
            "NPY upload without parts",
            "POST",
            "/api/v1/datasets?name=n",
            "multipart/form-data; boundary=" + boundary,
            bytes("--" + boundary + "--\r\n"),
            -1,
            false));
    cases.add(
        new Case(
            "multipart truncated",
            "POST",
            "/api/v1/datasets?name=n&target=x0",
            "multipart/form-data; boundary=" + boundary,
            bytes("--" + boundary + "\r\nContent-Disposition: form-data; name=\"features\""),
            -1,
            false));
  }

  private static Case json(
      String method, String target, String label, String body, boolean mayPass) {
    return new Case(
        method + " " + target + ": " + label,
        method,
        target,
        "application/json",
        bytes(body),
        -1,
        mayPass);
  }

  private static String tags(int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      s.append(i == 0 ? "" : ",").append("\"t").append(i).append("\": \"v\"");
    }
    return s.toString();
  }

  private static String shorten(String name) {
    return name.length() > 20 ? name.substring(0, 8) + "...(" + name.length() + ")" : name;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

package dev.maas.serving;

import dev.maas.registry.ModelVersion;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.springframework.core.Ordered;
import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * The lean path of the two prediction endpoints, {@code POST /api/v1/models/{name}/predict} and the
 * Open Inference Protocol's {@code POST /v2/models/{name}[/versions/{version}]/infer}: a servlet
 * filter, the last of the chain (after Spring Security's filters, the HTTP observation and the
 * warm-up's marking), that answers a request on the happy path itself, without Spring MVC's
 * dispatcher, handler mapping, argument resolution and message converters, with the same serving
 * code as the controllers ({@link Predictor}, {@link InstancesReader}, {@link InferRequest}, their
 * writers). Those frameworks' per-request code was over half of what the JIT still compiled after
 * ready (bench/README.md), and part of every request's CPU.
 *
 * <p>It answers only what it can answer exactly as the regular path would, and hands everything
 * else to the rest of the chain (the {@link PredictController} route and the {@link
 * InferenceController}, whose errors {@code ProblemDetailsAdvice} answers), with the body it read
 * replayed, having metered nothing: another method, path, Content-Type or Accept than the plain
 * JSON ones, a body over the size limit or empty, a version or alias that does not resolve, a
 * version that is not loaded (loads, their failures and their waits stay on the regular path),
 * instances that cannot be read, and any failure of the prediction. A request it answers is metered
 * as the regular path meters it: the cache hit, rows, latency and success of the serving meters,
 * and the HTTP observation (its {@code uri} tag is the endpoint's template, set here as the handler
 * mapping would). Security (401, 403, 429), the keep-alive drain and the warm-up's marking are
 * filters before it, so they see its requests as any other.
 */
final class LeanPredictFilter implements Filter, Ordered {
  /** The last filter of the chain: {@link SyntheticTraffic} runs just before it. */
  static final int ORDER = Ordered.LOWEST_PRECEDENCE;

  static final String INFER_PATH = "/v2/models/{name}/infer";
  static final String INFER_VERSION_PATH = "/v2/models/{name}/versions/{version}/infer";

  private static final String PREDICT_PREFIX = "/api/v1/models/";
  private static final String PREDICT_SUFFIX = "/predict";
  private static final String INFER_PREFIX = "/v2/models/";
  private static final String INFER_SUFFIX = "/infer";
  private static final String VERSIONS = "/versions/";

  private final Predictor predictor;
  private final ServingProperties limits;
  private final LongAdder answered = new LongAdder();
  private volatile boolean enabled = true;

  LeanPredictFilter(Predictor predictor, ServingProperties limits) {
    this.predictor = predictor;
    this.limits = limits;
  }

  @Override
  public int getOrder() {
    return ORDER;
  }

  /** Turns the lean path on or off (tests compare it with the regular path). */
  void enabled(boolean on) {
    enabled = on;
  }

  /** How many requests the lean path answered itself. */
  long answered() {
    return answered.sum();
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!enabled
        || !(req instanceof HttpServletRequest request)
        || !(res instanceof HttpServletResponse response)
        || request.getDispatcherType() != DispatcherType.REQUEST
        || !"POST".equals(request.getMethod())) {
      chain.doFilter(req, res);
      return;
    }
    String path = request.getRequestURI();
    int from = request.getContextPath().length();
    if (path.startsWith(PREDICT_PREFIX, from)) {
      String name = segment(path, from + PREDICT_PREFIX.length(), PREDICT_SUFFIX);
      if (name != null && plain(request, false)) {
        predict(request, response, chain, name);
        return;
      }
    } else if (path.startsWith(INFER_PREFIX, from)) {
      int start = from + INFER_PREFIX.length();
      String name = segment(path, start, INFER_SUFFIX);
      if (name != null && plain(request, true)) {
        infer(request, response, chain, name, null, INFER_PATH);
        return;
      }
      int slash = path.indexOf('/', start);
      if (slash > start && path.startsWith(VERSIONS, slash) && plain(request, true)) {
        name = path.substring(start, slash);
        String version = segment(path, slash + VERSIONS.length(), INFER_SUFFIX);
        if (validName(name) && version != null && digits(version)) {
          infer(request, response, chain, name, version, INFER_VERSION_PATH);
          return;
        }
      }
    }
    chain.doFilter(req, res);
  }

  private void predict(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain, String name)
      throws IOException, ServletException {
    int max = limits.maxInstances();
    serve(
        request,
        response,
        chain,
        PredictController.PATH,
        () ->
            predictor.resolveUnmetered(
                name, RequestArguments.integer(request, "version"), request.getParameter("alias")),
        (model, bytes) -> {
          InstancesReader reader = new InstancesReader(model.layout(), max);
          Batcher.Answer answer =
              predictor.predictUnmeteredFailure(Protocol.REST, model, () -> reader.read(bytes));
          return PredictController.write(model, answer.predictions());
        });
  }

  private void infer(
      HttpServletRequest request,
      HttpServletResponse response,
      FilterChain chain,
      String name,
      String number,
      String pattern)
      throws IOException, ServletException {
    int max = limits.maxInstances();
    serve(
        request,
        response,
        chain,
        pattern,
        () ->
            predictor.resolveUnmetered(name, number == null ? null : Integer.valueOf(number), null),
        (model, bytes) -> {
          InferRequest[] parsed = new InferRequest[1];
          Batcher.Answer answer =
              predictor.predictUnmeteredFailure(
                  Protocol.REST,
                  model,
                  () -> {
                    parsed[0] = InferRequest.read(bytes, model.layout(), max);
                    InferenceController.checkOutputs(model.model(), parsed[0].outputs());
                    return parsed[0].rows();
                  });
          return InferenceController.write(model, parsed[0], answer.predictions());
        });
  }

  /** Scores a loaded model on a request's body: the JSON answer. */
  private interface Scoring {
    byte[] answer(LoadedModel model, byte[] body);
  }

  /**
   * Reads the body, resolves the version and, when it is loaded, scores it and answers 200 metered
   * as the regular path meters it; anything else (a body it may not use, a version that does not
   * resolve or is not loaded, any failure) goes on to the regular path with the body replayed and
   * nothing metered.
   */
  private void serve(
      HttpServletRequest request,
      HttpServletResponse response,
      FilterChain chain,
      String pattern,
      Supplier<ModelVersion> resolve,
      Scoring scoring)
      throws IOException, ServletException {
    long start = System.nanoTime();
    Body body = read(request);
    if (body.failed()) {
      chain.doFilter(body.replay(request), response);
      return;
    }
    byte[] json = null;
    try (ModelCache.Lease lease = predictor.leaseIfLoaded(resolve.get())) {
      if (lease != null) {
        LoadedModel model = lease.model();
        json = scoring.answer(model, body.bytes);
        predictor.countHit();
        predictor.succeeded(Protocol.REST, model, start);
      }
    } catch (RuntimeException | Error e) {
      json = null; // the regular path answers it, and meters it
    }
    if (json == null) {
      chain.doFilter(body.replay(request), response);
      return;
    }
    answer(request, response, pattern, json);
  }

  /** 200 with the JSON, as the regular path writes it, observed under the endpoint's template. */
  private void answer(
      HttpServletRequest request, HttpServletResponse response, String pattern, byte[] json)
      throws IOException {
    ServerHttpObservationFilter.findObservationContext(request)
        .ifPresent(context -> context.setPathPattern(pattern));
    response.setStatus(HttpServletResponse.SC_OK);
    response.setContentType("application/json");
    response.setContentLength(json.length);
    ServletOutputStream out = response.getOutputStream();
    out.write(json);
    out.flush();
    answered.increment();
  }

  /**
   * The request's body, read as {@code RequestBodies} reads it (at most the limit and one byte);
   * {@link Body#failed} when the regular path must answer it: over the limit (told by its
   * Content-Length, then not read at all, or found while reading), empty, or a read that failed.
   */
  private Body read(HttpServletRequest request) {
    long max = limits.maxRequestSize().toBytes();
    if (request.getContentLengthLong() > max) {
      return new Body(null, null, null, false);
    }
    InputStream in = null;
    try {
      in = request.getInputStream();
      byte[] bytes = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
      return new Body(bytes, in, null, bytes.length > 0 && bytes.length <= max);
    } catch (IOException e) {
      return new Body(null, in, e, false);
    }
  }

  /**
   * A body read (or not: {@code bytes} null), the stream it came from, what failed reading it, and
   * whether the lean path may use it.
   */
  private record Body(byte[] bytes, InputStream rest, IOException error, boolean usable) {
    boolean failed() {
      return !usable;
    }

    /** The request as the regular path must see it: its body again, from the first byte. */
    HttpServletRequest replay(HttpServletRequest request) {
      if (bytes == null && error == null) {
        return request; // nothing was read
      }
      return new Replayed(request, this);
    }
  }

  /**
   * The plain JSON request the lean path answers: other types go the regular way, and so do other
   * Accepts when {@code accept} (infer's mapping produces JSON only, and answers 406 to a client
   * that takes none; the predict route answers JSON whatever the Accept).
   */
  private static boolean plain(HttpServletRequest request, boolean accept) {
    String type = request.getContentType();
    if (type == null
        || !(type.equalsIgnoreCase("application/json")
            || type.equalsIgnoreCase("application/json;charset=UTF-8")
            || type.equalsIgnoreCase("application/json; charset=UTF-8"))) {
      return false;
    }
    if (!accept) {
      return true;
    }
    String accepted = request.getHeader("Accept");
    return accepted == null || accepted.equals("*/*") || accepted.equals("application/json");
  }

  /**
   * The path segment from {@code start} to {@code suffix}, which must end the path, when it is a
   * plain one (a valid model name or version: nothing to decode); null otherwise.
   */
  private static String segment(String path, int start, String suffix) {
    if (!path.endsWith(suffix)) {
      return null;
    }
    int end = path.length() - suffix.length();
    if (end <= start || path.indexOf('/', start) != end) {
      return null;
    }
    String s = path.substring(start, end);
    return validName(s) ? s : null;
  }

  /** The characters of a model name (registry.Names): what needs no decoding. */
  private static boolean validName(String s) {
    if (s.isEmpty() || s.length() > 63) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** A version the regular path reads as a whole number from 1 (longer ones go its way). */
  private static boolean digits(String s) {
    if (s.isEmpty() || s.length() > 9 || s.charAt(0) == '0') {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** The request with its body replayed: the bytes read, then the rest of the stream. */
  private static final class Replayed extends HttpServletRequestWrapper {
    private final ServletInputStream stream;
    private BufferedReader reader;

    Replayed(HttpServletRequest request, Body body) {
      super(request);
      this.stream = new ReplayStream(body);
    }

    @Override
    public ServletInputStream getInputStream() {
      return stream;
    }

    @Override
    public BufferedReader getReader() {
      if (reader == null) {
        String encoding = getCharacterEncoding();
        Charset charset =
            encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
        reader = new BufferedReader(new InputStreamReader(stream, charset));
      }
      return reader;
    }
  }

  /** The bytes already read, then the original stream (or the failure that ended reading it). */
  private static final class ReplayStream extends ServletInputStream {
    private final byte[] head;
    private final InputStream rest;
    private final IOException error;
    private int at;

    ReplayStream(Body body) {
      this.head = body.bytes == null ? new byte[0] : body.bytes;
      this.rest = body.rest;
      this.error = body.error;
    }

    @Override
    public int read() throws IOException {
      if (at < head.length) {
        return head[at++] & 0xff;
      }
      return restRead(null, 0, 1);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (at < head.length) {
        int n = Math.min(len, head.length - at);
        System.arraycopy(head, at, b, off, n);
        at += n;
        return n;
      }
      return restRead(b, off, len);
    }

    private int restRead(byte[] b, int off, int len) throws IOException {
      if (error != null) {
        throw error;
      }
      if (rest == null) {
        return -1;
      }
      return b == null ? rest.read() : rest.read(b, off, len);
    }

    @Override
    public boolean isFinished() {
      return at >= head.length && (rest == null || available() == 0);
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public int available() {
      try {
        return head.length - at + (rest == null ? 0 : rest.available());
      } catch (IOException e) {
        return 0;
      }
    }

    @Override
    public void setReadListener(ReadListener listener) {
      throw new UnsupportedOperationException(
          "the prediction endpoints read their bodies blocking");
    }

    @Override
    public void close() throws IOException {
      if (rest != null) {
        rest.close();
      }
    }
  }
}

package dev.maas.comparison;

import dev.maas.capacity.Prices;
import dev.maas.compute.Predictions;
import dev.maas.compute.Task;
import dev.maas.compute.TrainedModel;
import dev.maas.errors.DomainException;
import dev.maas.errors.InvalidException;
import dev.maas.errors.NotFoundException;
import dev.maas.registry.ModelRegistry;
import dev.maas.registry.Names;
import dev.maas.training.JobOutcome;
import dev.maas.training.TrainingJobs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Comparisons: each trains its candidates one after another as ordinary training jobs (visible,
 * cancellable and metered as any), measures each trained model's single-row prediction time, and
 * keeps the leaderboard. Comparisons are stored ({@link ComparisonStore}) at every change: a
 * restarted server carries on those that were running (a candidate whose job was running follows
 * that job, which carries on from its checkpoint), and in shared mode every replica sees every
 * comparison, and one carries on a comparison whose replica stopped.
 */
public final class Comparisons implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Comparisons.class);
  static final int MAX_CANDIDATES = 12;
  static final double DEFAULT_TOLERANCE = 0.01;
  private static final Set<String> PASSED_ON =
      Set.of("dataset", "testDataset", "testFraction", "target", "features", "inputShape", "task");
  private static final Set<String> FIELDS =
      Set.of(
          "dataset",
          "testDataset",
          "testFraction",
          "target",
          "features",
          "inputShape",
          "task",
          "model",
          "candidates",
          "budget",
          "tolerance");
  // Single-row predictions timed per candidate, after as many untimed.
  static final int LOAD_CALLS = 300;

  private final TrainingJobs jobs;
  private final ModelRegistry registry;
  private final Prices prices;
  // The comparisons this replica runs (started here, or carried on after a restart).
  private final Map<String, Comparison> comparisons = new ConcurrentHashMap<>();
  private final ComparisonStore store;
  private final long renewMillis;
  private volatile java.util.concurrent.ScheduledExecutorService adopter;
  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "comparisons");
            t.setDaemon(true);
            return t;
          });
  private final long pollMillis;

  /**
   * @param renewMillis how often a running comparison is saved (renewing this replica's lease on
   *     it, in shared mode) while nothing changes
   */
  Comparisons(
      TrainingJobs jobs,
      ModelRegistry registry,
      Prices prices,
      ComparisonStore store,
      long pollMillis,
      long renewMillis) {
    this.jobs = jobs;
    this.store = store;
    this.renewMillis = renewMillis;
    this.registry = registry;
    this.prices = prices;
    this.pollMillis = pollMillis;
  }

  /**
   * Validates a comparison request, and starts it.
   *
   * @throws InvalidException naming each problem of the request
   */
  Comparison start(JsonNode body, String owner) {
    if (body == null || !body.isObject()) {
      throw new InvalidException("the body must be a JSON object");
    }
    List<String> problems = new ArrayList<>();
    for (String name : body.propertyNames()) {
      if (!FIELDS.contains(name)) {
        problems.add("'" + name + "' is not a field of a comparison; fields: " + FIELDS);
      }
    }
    if (body.has("testFraction")
        && !(body.get("testFraction").isNumber() && body.get("testFraction").asDouble() > 0)) {
      problems.add("'testFraction' must be above 0: candidates are judged on held-out rows");
    }
    double tolerance = DEFAULT_TOLERANCE;
    if (body.has("tolerance")) {
      JsonNode t = body.get("tolerance");
      if (!t.isNumber() || !(t.asDouble() >= 0) || t.asDouble() > 1) {
        problems.add("'tolerance' must be a number from 0 to 1");
      } else {
        tolerance = t.asDouble();
      }
    }
    ComparisonView.Budget budget = budget(body.get("budget"), problems);
    String id = "cmp-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    String prefix = "cmp-" + id.substring(4, 12);
    if (body.has("model")) {
      JsonNode m = body.get("model");
      if (!m.isString() || !Names.isModel(m.asString()) || m.asString().length() > 50) {
        problems.add(
            "'model' must be a model name of at most 50 characters matching " + Names.RULE);
      } else {
        prefix = m.asString();
      }
    }
    if (!problems.isEmpty()) {
      throw InvalidException.listing(problems);
    }
    ObjectNode base = JsonNodeFactory.instance.objectNode();
    for (String name : PASSED_ON) {
      if (body.has(name)) {
        base.set(name, body.get(name).deepCopy());
      }
    }
    // The data must make sense before any candidate runs: checked as an MLP's training request.
    ObjectNode probe = base.deepCopy();
    probe.put("model", prefix);
    probe.put("family", "mlp");
    TrainingJobs.DataShape shape = jobs.shapeOf(probe);
    List<Comparison.Slot> slots = candidates(body.get("candidates"), base, prefix, shape);
    Comparison c =
        new Comparison(
            id,
            owner,
            shape.task() == Task.CLASSIFICATION ? "accuracy" : "r2",
            tolerance,
            prices.currency(),
            budget,
            slots);
    comparisons.put(id, c);
    store.save(c.record());
    executor.execute(() -> run(c));
    return c;
  }

  /** The comparison: as this replica runs it, else as stored. */
  Comparison get(String id) {
    Comparison c = comparisons.get(id);
    if (c != null) {
      return c;
    }
    return store
        .load(id)
        .map(Comparison::new)
        .orElseThrow(() -> new NotFoundException("comparison '" + id + "' does not exist"));
  }

  /** The newest {@code limit} comparisons, the newest first. */
  List<ComparisonView> list(int limit) {
    List<ComparisonView> out = new ArrayList<>();
    for (ComparisonRecord r : store.loadAll()) {
      if (out.size() >= limit) {
        break;
      }
      Comparison live = comparisons.get(r.id());
      out.add(live != null ? live.view() : new Comparison(r).view());
    }
    return out;
  }

  /**
   * Carries on the stored comparisons that were running (called once, when every bean exists): all
   * of them in embedded mode; in shared mode those no live replica holds.
   */
  void recover() {
    for (ComparisonRecord r : store.loadAll()) {
      if ("running".equals(r.state())) {
        resume(r.id());
      }
    }
  }

  /**
   * Looks every {@code every} for comparisons whose replica stopped (shared mode), until closed.
   */
  synchronized void adoptEvery(java.time.Duration every) {
    if (adopter != null) {
      return;
    }
    adopter =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "comparison-takeover");
              t.setDaemon(true);
              return t;
            });
    adopter.scheduleWithFixedDelay(
        () -> {
          try {
            // Renews this replica's lease on its comparisons, those waiting for the executor too.
            comparisons.keySet().forEach(store::claim);
            store.orphans().forEach(this::resume);
          } catch (RuntimeException e) {
            log.warn("cannot look for comparisons to take over: {}", e.toString());
          }
        },
        every.toMillis(),
        every.toMillis(),
        java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  private void resume(String id) {
    if (comparisons.containsKey(id) || !store.claim(id)) {
      return;
    }
    store
        .load(id)
        .filter(r -> "running".equals(r.state()))
        .ifPresent(
            r -> {
              Comparison c = new Comparison(r);
              if (store.cancelRequested(id)) {
                c.requestCancel();
              }
              log.info("comparison {}: carried on here after its server stopped", id);
              comparisons.put(id, c);
              executor.execute(() -> run(c));
            });
  }

  /** Stops the comparison: cancels the running job and skips the rest. */
  Comparison cancel(String id) {
    Comparison c = get(id);
    if (!comparisons.containsKey(id) && !"running".equals(c.view().state())) {
      return c;
    }
    store.requestCancel(id);
    c.requestCancel();
    for (Comparison.Slot s : c.slots) {
      String jobId;
      synchronized (c) {
        jobId = "running".equals(s.state) || "queued".equals(s.state) ? s.jobId : null;
      }
      if (jobId != null) {
        try {
          jobs.cancelJob(jobId);
        } catch (DomainException e) {
          log.debug("comparison {}: cannot cancel {}: {}", id, jobId, e.getMessage());
        }
      }
    }
    return c;
  }

  private static ComparisonView.Budget budget(JsonNode b, List<String> problems) {
    if (b == null || b.isNull()) {
      return new ComparisonView.Budget(null, null, null);
    }
    if (!b.isObject()) {
      problems.add("'budget' must be an object {maxJobs, maxCost, maxWallSeconds}");
      return null;
    }
    Integer maxJobs = null;
    Double maxCost = null;
    Double maxWall = null;
    for (String name : b.propertyNames()) {
      JsonNode v = b.get(name);
      switch (name) {
        case "maxJobs" -> {
          if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > MAX_CANDIDATES) {
            problems.add("'budget.maxJobs' must be an integer from 1 to " + MAX_CANDIDATES);
          } else {
            maxJobs = v.asInt();
          }
        }
        case "maxCost" -> {
          if (!v.isNumber() || !(v.asDouble() >= 0) || Double.isInfinite(v.asDouble())) {
            problems.add("'budget.maxCost' must be a finite number, 0 or more");
          } else {
            maxCost = v.asDouble();
          }
        }
        case "maxWallSeconds" -> {
          if (!v.isNumber() || !(v.asDouble() > 0) || Double.isInfinite(v.asDouble())) {
            problems.add("'budget.maxWallSeconds' must be a finite number above 0");
          } else {
            maxWall = v.asDouble();
          }
        }
        default ->
            problems.add(
                "'budget."
                    + name
                    + "' is not a budget field; fields: maxJobs, maxCost, maxWallSeconds");
      }
    }
    return new ComparisonView.Budget(maxJobs, maxCost, maxWall);
  }

  private static List<Comparison.Slot> candidates(
      JsonNode given, ObjectNode base, String prefix, TrainingJobs.DataShape shape) {
    List<ObjectNode> specs = new ArrayList<>();
    if (given == null
        || given.isNull()
        || (given.isString() && "default".equals(given.asString()))) {
      specs.addAll(defaults(shape));
    } else if (given.isArray() && !given.isEmpty() && given.size() <= MAX_CANDIDATES) {
      List<String> problems = new ArrayList<>();
      for (int i = 0; i < given.size(); i++) {
        JsonNode c = given.get(i);
        if (!c.isObject() || !c.has("family") || !c.get("family").isString()) {
          problems.add("'candidates[" + i + "]' must be an object with a 'family'");
          continue;
        }
        for (String name : c.propertyNames()) {
          if (!Set.of("family", "spec", "training", "model").contains(name)) {
            problems.add(
                "'candidates["
                    + i
                    + "]."
                    + name
                    + "' is not a candidate field; fields: family,"
                    + " spec, training, model");
          }
        }
        if (c.has("model")
            && !(c.get("model").isString() && Names.isModel(c.get("model").asString()))) {
          problems.add("'candidates[" + i + "].model' must match " + Names.RULE);
        }
        specs.add((ObjectNode) c.deepCopy());
      }
      if (!problems.isEmpty()) {
        throw InvalidException.listing(problems);
      }
    } else {
      throw new InvalidException(
          "'candidates' must be \"default\" or an array of 1 to "
              + MAX_CANDIDATES
              + " objects {family, spec, training}");
    }
    List<Comparison.Slot> slots = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      ObjectNode c = specs.get(i);
      String family = c.get("family").asString();
      String model =
          c.has("model")
              ? c.get("model").asString()
              : prefix + "-" + i + "-" + family.replace('_', '-');
      ObjectNode request = base.deepCopy();
      request.put("model", model);
      request.put("family", family);
      if (c.has("spec")) {
        request.set("spec", c.get("spec"));
      }
      if (c.has("training")) {
        request.set("training", c.get("training"));
      }
      slots.add(new Comparison.Slot(family, model, request));
    }
    return slots;
  }

  /**
   * The default candidates for the data: the linear model of the task, a small and a larger MLP,
   * and for images a CNN, for sequences an RNN.
   */
  static List<ObjectNode> defaults(TrainingJobs.DataShape shape) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    List<ObjectNode> out = new ArrayList<>();
    out.add(
        f.objectNode()
            .put(
                "family",
                shape.task() == Task.CLASSIFICATION ? "logistic_regression" : "linear_regression"));
    ObjectNode small = f.objectNode().put("family", "mlp");
    small.putObject("spec").putArray("hiddenLayers").addObject().put("units", 16);
    out.add(small);
    ObjectNode large = f.objectNode().put("family", "mlp");
    var layers = large.putObject("spec").putArray("hiddenLayers");
    layers.addObject().put("units", 64);
    layers.addObject().put("units", 32);
    out.add(large);
    if (shape.inputShape().length == 3) {
      out.add(f.objectNode().put("family", "cnn"));
    } else if (shape.inputShape().length == 2) {
      out.add(f.objectNode().put("family", "rnn"));
    }
    return out;
  }

  /** The server is stopping: the comparison stays running in the store, to be carried on. */
  private static final class Stopping extends RuntimeException {
    Stopping() {
      super("the server is stopping", null, false, false);
    }
  }

  private void run(Comparison c) {
    boolean stopping = false;
    try {
      for (Comparison.Slot s : c.slots) {
        String jobId;
        synchronized (c) {
          if (s.done()) {
            continue;
          }
          jobId = s.jobId;
        }
        if (jobId != null) {
          follow(c, s, jobId); // submitted before a restart
          continue;
        }
        String why = overBudget(c);
        if (why != null) {
          c.skip(s, why);
          save(c);
          continue;
        }
        train(c, s);
      }
    } catch (Stopping e) {
      stopping = true;
      save(c);
    } catch (RuntimeException e) {
      log.error("comparison {} stopped by an internal error", c.id, e);
    } finally {
      if (!stopping) {
        c.finish();
        save(c);
        comparisons.remove(c.id);
      }
    }
  }

  /** Stores the comparison as it is now; a store failure is logged, and the comparison goes on. */
  private void save(Comparison c) {
    try {
      store.save(c.record());
    } catch (RuntimeException e) {
      log.warn("comparison {}: cannot store it: {}", c.id, e.toString());
    }
  }

  /** Whether a cancel was asked for, here or (shared mode) on another replica. */
  private boolean cancelled(Comparison c) {
    if (c.cancelRequested()) {
      return true;
    }
    try {
      if (store.cancelRequested(c.id)) {
        c.requestCancel();
        return true;
      }
    } catch (RuntimeException e) {
      log.debug("comparison {}: cannot read its cancel mark: {}", c.id, e.toString());
    }
    return false;
  }

  /** Why the next candidate may not start, or null. */
  private String overBudget(Comparison c) {
    ComparisonView.Budget b = c.budget;
    if (cancelled(c)) {
      return "the comparison was cancelled";
    }
    if (b.maxJobs() != null && c.jobs() >= b.maxJobs()) {
      return "budget.maxJobs = " + b.maxJobs() + " jobs reached";
    }
    if (b.maxCost() != null && c.cost() >= b.maxCost()) {
      return String.format(
          java.util.Locale.ROOT,
          "budget.maxCost = %s %s reached (%.6g spent)",
          b.maxCost(),
          c.currency,
          c.cost());
    }
    if (b.maxWallSeconds() != null && c.elapsedSeconds() >= b.maxWallSeconds()) {
      return "budget.maxWallSeconds = " + b.maxWallSeconds() + " s reached";
    }
    return null;
  }

  private void train(Comparison c, Comparison.Slot s) {
    String jobId;
    try {
      jobId = jobs.submitJob(s.request, c.owner);
    } catch (InvalidException e) {
      synchronized (c) {
        s.state = "failed";
        s.error = "the training request was refused: " + String.join("; ", e.problems());
      }
      return;
    } catch (DomainException e) {
      synchronized (c) {
        s.state = "failed";
        s.error = "the training request was refused: " + e.getMessage();
      }
      return;
    }
    c.started();
    synchronized (c) {
      s.jobId = jobId;
      s.state = "queued";
    }
    save(c);
    follow(c, s, jobId);
  }

  /** Waits for the candidate's job to end, then records and measures what it trained. */
  private void follow(Comparison c, Comparison.Slot s, String jobId) {
    JobOutcome o;
    boolean stoppedByBudget = false;
    boolean cancelSent = false;
    long saved = System.nanoTime();
    while (true) {
      try {
        o = jobs.outcome(jobId);
      } catch (NotFoundException e) {
        synchronized (c) {
          s.state = "failed";
          s.error = "its training job " + jobId + " is gone (the server stopped before storing it)";
        }
        save(c);
        return;
      }
      boolean changed;
      synchronized (c) {
        changed = !o.state().equals(s.state);
        s.state = o.state();
      }
      if (o.finished()) {
        break;
      }
      if (changed || System.nanoTime() - saved > renewMillis * 1_000_000) {
        save(c);
        saved = System.nanoTime();
        if (!cancelSent && cancelled(c)) {
          cancelSent = true;
          try {
            jobs.cancelJob(jobId);
          } catch (DomainException e) {
            log.debug("comparison {}: cannot cancel {}: {}", c.id, jobId, e.getMessage());
          }
        }
      }
      ComparisonView.Budget b = c.budget;
      double running = prices.training(o.cpuSeconds(), o.wallSeconds(), o.peakNativeBytes());
      if (!stoppedByBudget
          && ((b.maxWallSeconds() != null && c.elapsedSeconds() > b.maxWallSeconds())
              || (b.maxCost() != null && c.cost() + running > b.maxCost()))) {
        stoppedByBudget = true;
        jobs.cancelJob(jobId);
      }
      try {
        Thread.sleep(pollMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Stopping();
      }
    }
    double cost = prices.training(o.cpuSeconds(), o.wallSeconds(), o.peakNativeBytes());
    c.spend(cost);
    synchronized (c) {
      s.trainingSeconds = o.wallSeconds();
      s.trainingCost = cost;
      s.version = o.version();
      s.error = o.error();
      if (stoppedByBudget && !"succeeded".equals(o.state())) {
        s.error = "stopped by the budget (maxWallSeconds or maxCost)";
      }
      if (o.metrics() != null && o.metrics().get(c.metric) instanceof Number q) {
        s.quality = q.doubleValue();
      }
    }
    if ("succeeded".equals(o.state()) && o.version() != null) {
      measure(c, s, o);
    }
    save(c);
  }

  /**
   * Times {@value #LOAD_CALLS} single-row predictions of the trained model in this process (after
   * as many untimed): measured p50 and p99, and the cost per million predictions from the median.
   * When the model cannot be run so (an input it does not take), the figures are estimated from its
   * FLOPs per prediction at the rate its training achieved, and marked so.
   */
  private void measure(Comparison c, Comparison.Slot s, JobOutcome o) {
    byte[] artifact = registry.artifact(o.model(), o.version());
    try (TrainedModel model = registry.load(o.model(), o.version())) {
      long memory = model.memoryBytes();
      ComparisonView.Value p50;
      ComparisonView.Value p99;
      ComparisonView.Value perMillion;
      double[] times = time(model);
      if (times != null) {
        p50 = new ComparisonView.Value(times[0] * 1e3, "measured");
        p99 = new ComparisonView.Value(times[1] * 1e3, "measured");
        perMillion =
            new ComparisonView.Value(prices.perMillionRows(times[0], 1, memory), "measured");
      } else {
        double flops = model.flopsPerPrediction();
        double rate =
            o.wallSeconds() > 0
                ? (double) model.flopsPerTrainingRow() * 1e3 / o.wallSeconds()
                : 1e9;
        double seconds = 30e-6 + flops / Math.max(rate, 1e6);
        p50 = new ComparisonView.Value(seconds * 1e3, "estimated");
        p99 = new ComparisonView.Value(3 * seconds * 1e3, "estimated");
        perMillion =
            new ComparisonView.Value(prices.perMillionRows(seconds, 1, memory), "estimated");
      }
      synchronized (c) {
        s.modelBytes = (long) artifact.length;
        s.p50Ms = p50;
        s.p99Ms = p99;
        s.perMillion = perMillion;
      }
    } catch (RuntimeException e) {
      log.warn(
          "comparison {}: cannot measure {} v{}: {}", c.id, o.model(), o.version(), e.toString());
      synchronized (c) {
        s.modelBytes = (long) artifact.length;
        s.error = "trained, but its prediction time could not be measured: " + e.getMessage();
      }
    }
  }

  /** {median, p99} seconds of one single-row prediction, or null when the model cannot run. */
  private static double[] time(TrainedModel model) {
    int width = 1;
    if (model.features() != null && !model.features().isEmpty()) {
      width = model.features().size();
    } else {
      for (int d : model.inputShape()) {
        width *= d;
      }
    }
    double[] row = new double[width];
    try {
      Predictions warm = model.predict(row, 1);
      if (warm == null) {
        return null;
      }
    } catch (RuntimeException e) {
      return null;
    }
    for (int i = 0; i < LOAD_CALLS; i++) {
      model.predict(row, 1);
    }
    double[] t = new double[LOAD_CALLS];
    for (int i = 0; i < LOAD_CALLS; i++) {
      long start = System.nanoTime();
      model.predict(row, 1);
      t[i] = (System.nanoTime() - start) / 1e9;
    }
    Arrays.sort(t);
    return new double[] {t[LOAD_CALLS / 2], t[(int) Math.ceil(0.99 * LOAD_CALLS) - 1]};
  }

  @Override
  public void close() {
    if (adopter != null) {
      adopter.shutdownNow();
    }
    executor.shutdownNow();
  }
}

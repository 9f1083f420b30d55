package dev.maas.comparison;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** One comparison's changing state; every method is synchronized on it. */
final class Comparison {
  /** A candidate: what to train and what came of it. */
  static final class Slot {
    final String family;
    final String model;
    final JsonNode request;
    String state = "pending";
    String jobId;
    Integer version;
    String error;
    Double quality;
    Double trainingSeconds;
    Double trainingCost;
    ComparisonView.Value perMillion;
    ComparisonView.Value p50Ms;
    ComparisonView.Value p99Ms;
    Long modelBytes;

    Slot(String family, String model, JsonNode request) {
      this.family = family;
      this.model = model;
      this.request = request;
    }

    /** A candidate as the store kept it. */
    Slot(ComparisonRecord.Slot s) {
      this(s.family(), s.model(), s.request());
      state = s.state();
      jobId = s.jobId();
      version = s.version();
      error = s.error();
      quality = s.quality();
      trainingSeconds = s.trainingSeconds();
      trainingCost = s.trainingCost();
      perMillion = s.perMillion();
      p50Ms = s.p50Ms();
      p99Ms = s.p99Ms();
      modelBytes = s.modelBytes();
    }

    ComparisonRecord.Slot record() {
      return new ComparisonRecord.Slot(
          family,
          model,
          request,
          state,
          jobId,
          version,
          error,
          quality,
          trainingSeconds,
          trainingCost,
          perMillion,
          p50Ms,
          p99Ms,
          modelBytes);
    }

    /**
     * Whether nothing is left to do for it: it ended without a version, or its version's serving
     * figures were measured (or could not be).
     */
    boolean done() {
      return switch (state) {
        case "failed", "cancelled", "skipped" -> true;
        case "succeeded" -> perMillion != null || error != null || version == null;
        default -> false;
      };
    }
  }

  final String id;
  final String owner;
  final String metric;
  final double tolerance;
  final String currency;
  final ComparisonView.Budget budget;
  final List<Slot> slots;
  final Instant createdAt;
  private final List<String> skipped = new ArrayList<>();
  private String state = "running";
  private Instant finishedAt;
  private Double wallSeconds;
  private int jobs;
  private double cost;
  private volatile boolean cancelRequested;

  Comparison(
      String id,
      String owner,
      String metric,
      double tolerance,
      String currency,
      ComparisonView.Budget budget,
      List<Slot> slots) {
    this.id = id;
    this.owner = owner;
    this.metric = metric;
    this.tolerance = tolerance;
    this.currency = currency;
    this.budget = budget;
    this.slots = List.copyOf(slots);
    this.createdAt = Instant.now();
  }

  /** The comparison as the store kept it. */
  Comparison(ComparisonRecord r) {
    this.id = r.id();
    this.owner = r.owner();
    this.metric = r.metric();
    this.tolerance = r.tolerance();
    this.currency = r.currency();
    this.budget = r.budget() == null ? new ComparisonView.Budget(null, null, null) : r.budget();
    this.slots = r.slots().stream().map(Slot::new).toList();
    this.createdAt = r.createdAt();
    this.skipped.addAll(r.skipped());
    this.state = r.state();
    this.finishedAt = r.finishedAt();
    this.wallSeconds = r.wallSeconds();
    this.jobs = r.jobs();
    this.cost = r.cost();
  }

  /** What the store keeps of it. */
  synchronized ComparisonRecord record() {
    return new ComparisonRecord(
        id,
        owner,
        metric,
        tolerance,
        currency,
        budget,
        state,
        createdAt,
        finishedAt,
        jobs,
        cost,
        wallSeconds,
        skipped,
        slots.stream().map(Slot::record).toList());
  }

  /** Wall seconds since it was created (across a restart, the downtime counts). */
  double elapsedSeconds() {
    return java.time.Duration.between(createdAt, Instant.now()).toNanos() / 1e9;
  }

  boolean cancelRequested() {
    return cancelRequested;
  }

  synchronized void requestCancel() {
    cancelRequested = true;
  }

  synchronized void started() {
    jobs++;
  }

  synchronized int jobs() {
    return jobs;
  }

  synchronized double cost() {
    return cost;
  }

  synchronized void spend(double value) {
    cost += value;
  }

  synchronized void skip(Slot slot, String why) {
    slot.state = "skipped";
    slot.error = why;
    skipped.add("#" + slots.indexOf(slot) + " " + slot.family + " (" + slot.model + "): " + why);
  }

  synchronized void finish() {
    state = cancelRequested ? "cancelled" : "finished";
    finishedAt = Instant.now();
    wallSeconds = elapsedSeconds();
  }

  synchronized boolean finished() {
    return finishedAt != null;
  }

  synchronized ComparisonView view() {
    List<Leaderboard.Entry> entries = new ArrayList<>();
    for (int i = 0; i < slots.size(); i++) {
      Slot s = slots.get(i);
      if ("succeeded".equals(s.state) && s.quality != null && s.perMillion != null) {
        entries.add(
            new Leaderboard.Entry(
                i,
                "#" + i + " " + s.family + " (" + s.model + ")",
                s.quality,
                s.perMillion.value(),
                s.trainingCost == null ? 0 : s.trainingCost));
      }
    }
    boolean[] front = Leaderboard.paretoFront(entries);
    boolean[] onFront = new boolean[slots.size()];
    for (int i = 0; i < entries.size(); i++) {
      onFront[entries.get(i).index()] = front[i];
    }
    Leaderboard.Recommendation r = Leaderboard.recommend(entries, tolerance, metric);
    List<ComparisonView.Candidate> rows = new ArrayList<>();
    for (int i = 0; i < slots.size(); i++) {
      Slot s = slots.get(i);
      rows.add(
          new ComparisonView.Candidate(
              i,
              s.family,
              s.model,
              s.state,
              s.jobId,
              s.version,
              s.error,
              s.quality,
              s.trainingSeconds,
              s.trainingCost,
              s.perMillion,
              s.p50Ms,
              s.p99Ms,
              s.modelBytes,
              onFront[i],
              r != null && r.index() == i));
    }
    return new ComparisonView(
        id,
        state,
        metric,
        tolerance,
        currency,
        budget,
        new ComparisonView.Spent(
            jobs,
            cost,
            wallSeconds != null ? wallSeconds : finishedAt == null ? elapsedSeconds() : wall()),
        rows,
        r == null
            ? null
            : new ComparisonView.Recommendation(r.index(), slots.get(r.index()).model, r.reason()),
        List.copyOf(skipped),
        createdAt,
        finishedAt);
  }

  private double wall() {
    return java.time.Duration.between(createdAt, finishedAt).toNanos() / 1e9;
  }
}

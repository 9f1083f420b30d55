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
  }

  final String id;
  final String owner;
  final String metric;
  final double tolerance;
  final String currency;
  final ComparisonView.Budget budget;
  final List<Slot> slots;
  final Instant createdAt = Instant.now();
  final long startNanos = System.nanoTime();
  private final List<String> skipped = new ArrayList<>();
  private String state = "running";
  private Instant finishedAt;
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
  }

  double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
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
        new ComparisonView.Spent(jobs, cost, finishedAt == null ? elapsedSeconds() : wall()),
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

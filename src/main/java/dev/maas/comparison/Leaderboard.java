package dev.maas.comparison;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The rules a comparison's leaderboard follows, on figures alone: the Pareto front of quality
 * (higher is better) against serving cost (lower is better), and the recommendation: the candidate
 * cheapest to serve among those within {@code tolerance} of the best quality (ties: the cheaper to
 * train, then the better quality, then the earlier).
 */
final class Leaderboard {
  private Leaderboard() {}

  /**
   * One finished candidate's figures.
   *
   * @param index the candidate's position in the request (0-based)
   * @param label how the reason names it, e.g. {@code #2 mlp}
   * @param quality its quality on the held-out rows (higher is better)
   * @param servingCost its cost per million predictions
   * @param trainingCost what training it cost
   */
  record Entry(int index, String label, double quality, double servingCost, double trainingCost) {}

  /** The recommended candidate and why. */
  record Recommendation(int index, String reason) {}

  /**
   * Whether each entry is on the Pareto front: no other is at least as good on both, better on one.
   */
  static boolean[] paretoFront(List<Entry> entries) {
    boolean[] front = new boolean[entries.size()];
    for (int i = 0; i < entries.size(); i++) {
      Entry a = entries.get(i);
      boolean dominated = false;
      for (Entry b : entries) {
        if (b != a
            && b.quality() >= a.quality()
            && b.servingCost() <= a.servingCost()
            && (b.quality() > a.quality() || b.servingCost() < a.servingCost())) {
          dominated = true;
          break;
        }
      }
      front[i] = !dominated;
    }
    return front;
  }

  /** The recommendation among {@code entries}, or null when there is none. */
  static Recommendation recommend(List<Entry> entries, double tolerance, String metric) {
    if (entries.isEmpty()) {
      return null;
    }
    Entry best = entries.get(0);
    for (Entry e : entries) {
      if (e.quality() > best.quality()) {
        best = e;
      }
    }
    List<Entry> within = new ArrayList<>();
    for (Entry e : entries) {
      if (e.quality() >= best.quality() - tolerance) {
        within.add(e);
      }
    }
    Entry pick = within.get(0);
    for (Entry e : within) {
      if (e.servingCost() < pick.servingCost()
          || (e.servingCost() == pick.servingCost()
              && (e.trainingCost() < pick.trainingCost()
                  || (e.trainingCost() == pick.trainingCost() && e.quality() > pick.quality())))) {
        pick = e;
      }
    }
    String reason;
    if (pick == best || pick.quality() == best.quality()) {
      reason =
          String.format(
              Locale.ROOT,
              "%s has the best %s (%.4f) and is the cheapest to serve of the %d candidate(s)"
                  + " within %.4f of it (%.4g per million predictions)",
              pick.label(),
              metric,
              pick.quality(),
              within.size(),
              tolerance,
              pick.servingCost());
    } else {
      reason =
          String.format(
              Locale.ROOT,
              "%s is the cheapest to serve (%.4g per million predictions, against %.4g for %s) of"
                  + " the %d candidate(s) within %.4f %s of the best (%s, %.4f); its %s is %.4f",
              pick.label(),
              pick.servingCost(),
              best.servingCost(),
              best.label(),
              within.size(),
              tolerance,
              metric,
              best.label(),
              best.quality(),
              metric,
              pick.quality());
    }
    return new Recommendation(pick.index(), reason);
  }
}

package dev.maas.bench;

import dev.maas.compute.ReferenceTasks;
import dev.maas.compute.ReferenceTasks.Outcome;
import dev.maas.compute.ReferenceTasks.Row;
import dev.maas.compute.Trainer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Trains every row of the peer table and prints {@code family dataset metric value seconds} (median
 * training seconds of {@code --repeat} runs), then, when the peer's Python packages are there, runs
 * shared/peers/reference.py as often and prints the time ratio per row. Run it with {@code
 * bench/train-reference}; see bench/README.md.
 */
public final class TrainReference {
  private TrainReference() {}

  public static void main(String[] args) throws Exception {
    int repeat = 3;
    String only = "";
    String peer = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--repeat" -> repeat = Integer.parseInt(args[++i]);
        case "--rows" -> only = args[++i];
        case "--peer" -> peer = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Trainer trainer = new Trainer();
    Map<String, Result> ours = new LinkedHashMap<>();
    for (Row row : ReferenceTasks.all()) {
      String key = row.family() + " " + row.dataset();
      if (!only.isBlank() && !only.contains(row.family() + "/" + row.dataset())) {
        continue;
      }
      double[] seconds = new double[repeat];
      double value = Double.NaN;
      warmUp(row, trainer);
      for (int r = 0; r < repeat; r++) {
        Outcome outcome = row.measure(trainer);
        seconds[r] = outcome.seconds();
        value = outcome.value();
      }
      Result result = new Result(row.metricName(), value, median(seconds));
      ours.put(key, result);
      System.out.printf(
          Locale.ROOT, "%s %s %.4f %.3f%n", key, result.metric, result.value, result.seconds);
    }
    if (peer != null) {
      Map<String, Result> theirs = PeerReference.run(peer, repeat);
      if (theirs.isEmpty()) {
        System.out.println("# peer: not run (needs /usr/bin/python3 with torch, sklearn, pandas)");
        return;
      }
      System.out.printf(
          Locale.ROOT,
          "# peer: shared/peers/reference.py, median of %d runs; time_ratio = maas / peer%n",
          repeat);
      System.out.println(
          "# ratio family dataset metric maas_value peer_value maas_seconds peer_seconds"
              + " time_ratio");
      for (var e : ours.entrySet()) {
        Result p = theirs.get(e.getKey());
        if (p == null) {
          continue;
        }
        Result m = e.getValue();
        // The peer prints its times to 0.01 s: below that there is no ratio to compute.
        String ratio =
            p.seconds < 0.01
                ? "n/a(peer<0.01s)"
                : String.format(Locale.ROOT, "%.2f", m.seconds / p.seconds);
        System.out.printf(
            Locale.ROOT,
            "ratio %s %s %.4f %.4f %.3f %.2f %s%n",
            e.getKey(),
            m.metric,
            m.value,
            p.value,
            m.seconds,
            p.seconds,
            ratio);
      }
    }
  }

  /** One row's figures. */
  record Result(String metric, double value, double seconds) {}

  /**
   * Runs a row untimed for at least {@link #WARM_UP_SECONDS} (at least once), so that the JIT has
   * compiled its code paths as in a server that has been training for a while. A row that trains in
   * milliseconds would otherwise be timed mostly in the interpreter.
   */
  private static void warmUp(Row row, Trainer trainer) {
    long end = System.nanoTime() + (long) (WARM_UP_SECONDS * 1e9);
    do {
      row.measure(trainer);
    } while (System.nanoTime() < end);
  }

  private static final double WARM_UP_SECONDS = 2;

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}

package dev.maas.capacity;

import dev.maas.compute.Trainer;
import dev.maas.compute.TrainingParams;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Where a larger run's per-row time goes (investigation driver, not a bench): trains one family of
 * bench/forecast-reference at growing multiples of its base size in one JVM and prints, per run,
 * the time per row of the set-up (first epoch above a steady one), of a steady epoch and of the
 * job's own work, on wall and CPU time, the garbage collector's time and the heap committed, beside
 * the data's size (rows x features x 8 bytes, one copy).
 *
 * <pre>probe family rows data_mb wall cpu first steady own gc_s heap_mb steady_ns_row cpu_ns_row
 * </pre>
 */
public final class ForecastProbe {
  private ForecastProbe() {}

  public static void main(String[] args) {
    String family = args[0];
    if (family.equals("memory")) {
      memory();
      return;
    }
    ForecastReference.Setup s = ForecastReference.setup(family);
    int features = 1;
    for (int d : s.shape()) {
      features *= d;
    }
    Trainer trainer = new Trainer();
    TrainingParams params = TrainingParams.defaults().withEpochs(s.epochs()).withBatchSize(32);
    System.out.println(
        "# probe family rows data_mb wall cpu first steady own gc_s heap_mb steady_ns_row"
            + " cpu_steady_ns_row first_minus_steady_ns_row");
    for (int i = 1; i < args.length; i++) {
      double multiple = Double.parseDouble(args[i]);
      int rows = (int) (multiple * s.base());
      double gcBefore = gcSeconds();
      ForecastReference.Run r = ForecastReference.train(trainer, s, params, rows);
      double gc = gcSeconds() - gcBefore;
      List<Double> ends = r.ends();
      List<Double> cpuEnds = r.cpuEnds();
      double steady = ForecastReference.steady(ends);
      double cpuSteady = ForecastReference.steady(cpuEnds);
      System.out.printf(
          "probe %s %d %.1f %.3f %.3f %.3f %.3f %.3f %.3f %.0f %.1f %.1f %.1f%n",
          family,
          rows,
          rows * (double) features * 8 / 1e6,
          r.wall(),
          r.cpu(),
          ends.get(0),
          steady,
          r.wall() - ends.get(ends.size() - 1),
          gc,
          Runtime.getRuntime().totalMemory() / 1e6,
          steady / rows * 1e9,
          cpuSteady / rows * 1e9,
          (ends.get(0) - steady) / rows * 1e9);
    }
  }

  /**
   * Per size of array: the ns per byte to allocate and fill a fresh one (first touch), to fill it
   * again, to read it in order, and to gather 256-byte rows of it in a random order.
   */
  private static void memory() {
    System.out.println("# memory mb fresh_ns_b refill_ns_b seq_ns_b gather_ns_b");
    java.util.Random random = new java.util.Random(1);
    double sink = 0;
    for (long kb = 256; kb <= 1 << 20; kb *= 4) {
      int n = (int) (kb * 1024 / 8);
      long t0 = System.nanoTime();
      double[] a = new double[n];
      java.util.Arrays.fill(a, 1.0);
      long t1 = System.nanoTime();
      int reps = (int) Math.max(1, (256L << 20) / (kb * 1024));
      for (int r = 0; r < reps; r++) {
        java.util.Arrays.fill(a, r);
      }
      long t2 = System.nanoTime();
      for (int r = 0; r < reps; r++) {
        for (int i = 0; i < n; i++) {
          sink += a[i];
        }
      }
      long t3 = System.nanoTime();
      int rowLength = 32;
      int rowsN = n / rowLength;
      int[] order = new int[rowsN];
      for (int i = 0; i < rowsN; i++) {
        order[i] = i;
      }
      for (int i = rowsN - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      double[] scratch = new double[rowLength];
      long t4 = System.nanoTime();
      for (int r = 0; r < reps; r++) {
        for (int i = 0; i < rowsN; i++) {
          System.arraycopy(a, order[i] * rowLength, scratch, 0, rowLength);
          sink += scratch[r % rowLength];
        }
      }
      long t5 = System.nanoTime();
      double bytes = n * 8.0;
      System.out.printf(
          "memory %.2f %.3f %.3f %.3f %.3f%n",
          bytes / 1e6,
          (t1 - t0) / bytes,
          (t2 - t1) / bytes / reps,
          (t3 - t2) / bytes / reps,
          (t5 - t4) / bytes / reps);
    }
    System.out.println("# sink " + sink);
  }

  private static double gcSeconds() {
    long ms = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      ms += Math.max(0, b.getCollectionTime());
    }
    return ms / 1e3;
  }
}

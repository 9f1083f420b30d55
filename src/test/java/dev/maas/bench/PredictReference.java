package dev.maas.bench;

import dev.maas.compute.ReferenceTasks;
import dev.maas.compute.ReferenceTasks.Row;
import dev.maas.compute.TrainedModel;
import dev.maas.compute.Trainer;
import java.util.Arrays;
import java.util.Locale;

/**
 * Latency of {@link TrainedModel#predict} without HTTP for the wine MLP of the peer table: one row
 * per call, and 32 rows per call. Prints {@code predict model rows_per_call median_us p99_us
 * calls}. Run it with {@code bench/predict-reference}; see bench/README.md.
 */
public final class PredictReference {
  private PredictReference() {}

  public static void main(String[] args) {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    Row wine =
        ReferenceTasks.all().stream()
            .filter(r -> r.family().equals("mlp") && r.dataset().equals("wine"))
            .findFirst()
            .orElseThrow();
    try (TrainedModel model = wine.train(new Trainer())) {
      double[] rows = wine.data().get().test().featuresCopy();
      int width = model.inputShape()[0];
      for (int batch : new int[] {1, 32}) {
        double[] input = Arrays.copyOf(rows, batch * width);
        long[] nanos = new long[calls];
        for (int i = 0; i < calls / 5; i++) {
          model.predict(input, batch); // warm-up: JIT and the per-thread buffers
        }
        for (int i = 0; i < calls; i++) {
          long start = System.nanoTime();
          model.predict(input, batch);
          nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        System.out.printf(
            Locale.ROOT,
            "predict mlp-wine %d %.1f %.1f %d%n",
            batch,
            nanos[calls / 2] / 1e3,
            nanos[(int) (calls * 0.99)] / 1e3,
            calls);
      }
    }
  }
}

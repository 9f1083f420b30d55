package dev.maas.bench;

import dev.maas.compute.Cancellation;
import dev.maas.compute.CheckpointCodec;
import dev.maas.compute.CheckpointPolicy;
import dev.maas.compute.CheckpointSink;
import dev.maas.compute.Checkpointing;
import dev.maas.compute.ReferenceData.Split;
import dev.maas.compute.ReferenceTasks;
import dev.maas.compute.ReferenceTasks.Row;
import dev.maas.compute.Trainer;
import dev.maas.compute.TrainingCheckpoint;
import dev.maas.compute.TrainingListener;
import dev.maas.compute.TrainingParams;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What checkpoints cost: for each peer-table row trained by gradient descent, the time of one
 * checkpoint (the trainer's snapshot, encoding, writing a temporary file, fsync and an atomic
 * rename, as a store would), its size, and the training time with and without a checkpoint at every
 * epoch; then the overhead at the default 30 s interval. Run it with {@code bench/checkpoint-cost};
 * see bench/README.md.
 */
public final class CheckpointCost {
  private CheckpointCost() {}

  public static void main(String[] args) throws Exception {
    int repeat = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    Duration interval = Duration.ofSeconds(30);
    Path dir = Files.createTempDirectory("maas-checkpoint-bench");
    Trainer trainer = new Trainer();
    System.out.println(
        "# row params checkpoint_bytes checkpoint_ms_median checkpoint_ms_max epochs"
            + " train_s_plain train_s_every_epoch overhead_every_epoch_pct overhead_30s_pct");
    for (Row row : ReferenceTasks.all()) {
      if (row.family().equals("linear") || row.family().equals("logistic")) {
        continue; // exact solvers: no epochs, no checkpoints
      }
      Split split = row.data().get();
      TrainingParams params = row.params();
      Timed timed = new Timed(dir.resolve("checkpoint"));
      // Warm up the JIT on both paths.
      run(trainer, row, split, params.withEpochs(Math.min(3, params.epochs())), Checkpointing.NONE);
      run(
          trainer,
          row,
          split,
          params.withEpochs(Math.min(3, params.epochs())),
          timed.checkpointing());
      timed.costs.clear();
      double[] plain = new double[repeat];
      double[] every = new double[repeat];
      for (int r = 0; r < repeat; r++) {
        plain[r] = run(trainer, row, split, params, Checkpointing.NONE);
        every[r] = run(trainer, row, split, params, timed.checkpointing());
      }
      double[] costs = timed.costs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double median = costs[costs.length / 2];
      double max = costs[costs.length - 1];
      double plainS = median(plain);
      double everyS = median(every);
      // At an interval, a long run takes one checkpoint per interval: cost / interval. A run
      // shorter than the interval takes none.
      double at30 = median / 1000 / interval.toSeconds() * 100;
      System.out.printf(
          Locale.ROOT,
          "%s %s %d %d %.2f %.2f %d %.3f %.3f %.1f %.4f%n",
          row.family(),
          row.dataset(),
          timed.parameters,
          timed.bytes,
          median,
          max,
          params.epochs(),
          plainS,
          everyS,
          (everyS - plainS) / plainS * 100,
          at30);
    }
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }

  private static double run(
      Trainer trainer, Row row, Split split, TrainingParams params, Checkpointing checkpointing) {
    long start = System.nanoTime();
    trainer
        .train(
            row.spec(),
            params,
            split.train(),
            null,
            TrainingListener.NONE,
            Cancellation.NEVER,
            checkpointing)
        .model()
        .close();
    return (System.nanoTime() - start) / 1e9;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /**
   * Checkpoints at every epoch to a file, as a store would (temporary file, fsync, atomic rename),
   * timing each from the policy's decision (before the trainer's snapshot) to the rename.
   */
  private static final class Timed {
    final Path target;
    final List<Double> costs = new ArrayList<>();
    long decided;
    int bytes;
    int parameters;

    Timed(Path target) {
      this.target = target;
    }

    Checkpointing checkpointing() {
      CheckpointPolicy policy =
          (progress, sinceLast) -> {
            decided = System.nanoTime();
            return true;
          };
      CheckpointSink sink = this::store;
      return Checkpointing.to(sink, policy);
    }

    private void store(TrainingCheckpoint checkpoint) {
      Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
      try (FileChannel channel =
          FileChannel.open(
              temporary,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        OutputStream out = Channels.newOutputStream(channel);
        byte[] encoded = CheckpointCodec.toBytes(checkpoint);
        out.write(encoded);
        channel.force(true);
        bytes = encoded.length;
        parameters = checkpoint.parameterCount();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      try {
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      costs.add((System.nanoTime() - decided) / 1e6);
    }
  }
}

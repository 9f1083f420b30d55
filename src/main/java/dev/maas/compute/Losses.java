package dev.maas.compute;

import dev.maas.compute.nn.FusedDense;
import dev.maas.compute.nn.Head;
import dev.maas.compute.nn.HeapDense;
import dev.maas.compute.nn.LabelBuffers;
import dev.maas.compute.nn.NetworkPass;
import dev.maas.compute.nn.PassCache;
import dev.maas.compute.nn.Workspaces;
import org.nd4j.linalg.api.memory.MemoryWorkspace;

/**
 * Mean loss of a network over a whole split, in inference mode, in chunks: through ND4J's passes
 * and loss, or on the heap ({@link FusedDense} for a network trained there, {@link HeapDense} for
 * an exact solver's single layer), with the same formulas ({@link Head#rowLoss}). On the heap even
 * large splits go faster: ND4J in chunks of 4,096 rows took 1.0 s more CPU than the heap for the
 * three epochs' losses of bench/train-scale's MLP (160,000 rows, 100-64-10).
 */
final class Losses {
  private final Head head;
  private final PassCache passes;
  private final LabelBuffers labels;
  private final FusedDense fused;
  private final HeapDense heap;

  Losses(Head head, PassCache passes, LabelBuffers labels) {
    this(head, passes, labels, null, null);
  }

  /**
   * @param fused the heap step whose parameters are the network's, or null
   * @param heap a heap copy of the network for inference, or null
   */
  Losses(Head head, PassCache passes, LabelBuffers labels, FusedDense fused, HeapDense heap) {
    this.head = head;
    this.passes = passes;
    this.labels = labels;
    this.fused = fused;
    this.heap = heap;
  }

  double mean(EncodedData data) {
    if (fused != null) {
      return fusedMean(data);
    }
    if (heap != null) {
      return heapMean(data);
    }
    int[] order = data.inOrder();
    int chunk = Math.min(Trainer.EVAL_CHUNK, data.rows);
    double[] scratch = new double[chunk * Math.max(data.rowLength, data.units)];
    double total = 0;
    for (int from = 0; from < data.rows; from += chunk) {
      int count = Math.min(chunk, data.rows - from);
      NetworkPass pass = passes.get(count);
      var y = labels.get(count);
      data.writeFeatures(pass.input(), order, from, count, scratch);
      data.writeTargets(y, order, from, count, scratch);
      try (MemoryWorkspace ws = Workspaces.step()) {
        total += head.loss().computeScore(y, pass.forward(), head.activation(), null, false);
      }
    }
    return total / data.rows;
  }

  private double fusedMean(EncodedData data) {
    int[] order = data.inOrder();
    int chunk = fused.maxBatch();
    double total = 0;
    for (int from = 0; from < data.rows; from += chunk) {
      int count = Math.min(chunk, data.rows - from);
      data.writeFeatures(fused.input(), order, from, count);
      data.writeTargets(fused.targets(), order, from, count);
      total += fused.lossSum(count);
    }
    return total / data.rows;
  }

  private double heapMean(EncodedData data) {
    int chunk = Math.min(Trainer.EVAL_CHUNK, data.rows);
    int n = data.rowLength;
    int k = data.units;
    double[] x = new double[chunk * n];
    double[] row = new double[n];
    double[] scores = new double[chunk * k];
    double[] targets = data.targetArray();
    double[] standardized = data.standardizedIfMade();
    double total = 0;
    for (int from = 0; from < data.rows; from += chunk) {
      int count = Math.min(chunk, data.rows - from);
      if (standardized != null) {
        heap.forward(standardized, from * n, count, scores);
      } else {
        for (int i = 0; i < count; i++) {
          data.copyFeatures(from + i, row);
          System.arraycopy(row, 0, x, i * n, n);
        }
        heap.forward(x, 0, count, scores);
      }
      for (int i = 0; i < count; i++) {
        total += head.rowLoss(scores, i * k, targets, (from + i) * k, k);
      }
    }
    return total / data.rows;
  }
}

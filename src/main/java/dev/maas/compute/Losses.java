package dev.maas.compute;

import dev.maas.compute.nn.Head;
import dev.maas.compute.nn.LabelBuffers;
import dev.maas.compute.nn.NetworkPass;
import dev.maas.compute.nn.PassCache;
import dev.maas.compute.nn.Workspaces;
import org.nd4j.linalg.api.memory.MemoryWorkspace;

/** Mean loss of a network over a whole split, in inference mode, in chunks. */
final class Losses {
  private final Head head;
  private final PassCache passes;
  private final LabelBuffers labels;

  Losses(Head head, PassCache passes, LabelBuffers labels) {
    this.head = head;
    this.passes = passes;
    this.labels = labels;
  }

  double mean(EncodedData data) {
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
}

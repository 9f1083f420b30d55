package dev.maas.bench;

import dev.maas.compute.Activation;
import dev.maas.compute.CnnSpec.Padding;
import dev.maas.compute.CnnSpec.PoolType;
import dev.maas.compute.nn.Conv2d;
import dev.maas.compute.nn.Dense;
import dev.maas.compute.nn.Network;
import dev.maas.compute.nn.NetworkPass;
import dev.maas.compute.nn.Pool2d;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The forward and backward pass of bench/train-scale's CNN (1x28x28, conv 8 3x3 same relu, max pool
 * 2, conv 16, max pool 2, dense 10; float, batch 64) alone, without data, loss or updater: the CPU
 * milliseconds of the calling thread per step, for rounds of 100 steps after 4 rounds of warm-up,
 * and their median. Put another build's classes ahead of {@code target/classes} on the class path
 * to compare two builds in one sitting (bench/README.md, "fourth pass").
 *
 * <pre>java -cp target/test-classes:[OTHER:]target/classes:DEPENDENCIES dev.maas.bench.ConvStep
 * [rounds]</pre>
 */
public final class ConvStep {
  private ConvStep() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    Conv2d c1 = new Conv2d(new long[] {1, 28, 28}, 8, 3, 1, Padding.SAME, Activation.RELU);
    Pool2d p1 = new Pool2d(c1.outputShape(), PoolType.MAX, 2, 2);
    Conv2d c2 = new Conv2d(p1.outputShape(), 16, 3, 1, Padding.SAME, Activation.RELU);
    Pool2d p2 = new Pool2d(c2.outputShape(), PoolType.MAX, 2, 2);
    Dense head = new Dense(p2.outputShape(), 10, null, 0);
    var threads = ManagementFactory.getThreadMXBean();
    double[] ms = new double[rounds];
    try (Network network = new Network(List.of(c1, p1, c2, p2, head), DataType.FLOAT, true);
        NetworkPass pass = network.newPass(64, true, null)) {
      network.initialize(1);
      pass.input().assign(Nd4j.rand(DataType.FLOAT, pass.input().shape()).subi(0.5));
      INDArray gradient = Nd4j.rand(DataType.FLOAT, 64, 10).subi(0.5);
      for (int r = -4; r < rounds; r++) {
        long cpu = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < 100; i++) {
          pass.forward();
          pass.backward(gradient);
        }
        if (r >= 0) {
          ms[r] = (threads.getCurrentThreadCpuTime() - cpu) / 100e6;
        }
      }
    }
    StringBuilder line = new StringBuilder("conv-step cpu_ms_per_step");
    for (double m : ms) {
      line.append(String.format(Locale.ROOT, " %.3f", m));
    }
    double[] sorted = ms.clone();
    java.util.Arrays.sort(sorted);
    double median =
        rounds % 2 == 1 ? sorted[rounds / 2] : (sorted[rounds / 2 - 1] + sorted[rounds / 2]) / 2;
    line.append(String.format(Locale.ROOT, " median %.3f", median));
    System.out.println(line);
  }
}

package dev.maas.bench;

import dev.maas.compute.Activation;
import dev.maas.compute.ClassificationMetrics;
import dev.maas.compute.CnnSpec;
import dev.maas.compute.CnnSpec.ConvLayerSpec;
import dev.maas.compute.CnnSpec.Padding;
import dev.maas.compute.CnnSpec.PoolSpec;
import dev.maas.compute.CnnSpec.PoolType;
import dev.maas.compute.DenseLayerSpec;
import dev.maas.compute.Examples;
import dev.maas.compute.LinearRegressionSpec;
import dev.maas.compute.LogisticRegressionSpec;
import dev.maas.compute.Metrics;
import dev.maas.compute.MlpSpec;
import dev.maas.compute.ModelSpec;
import dev.maas.compute.Optimizer;
import dev.maas.compute.RegressionMetrics;
import dev.maas.compute.RnnSpec;
import dev.maas.compute.TrainedModel;
import dev.maas.compute.Trainer;
import dev.maas.compute.TrainingParams;
import dev.maas.compute.TrainingResult;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The large synthetic workloads of bench/train-scale: {@code --generate DIR --scale S} writes each
 * workload's rows (fixed seed) as little-endian float32 features and targets, which both maas and
 * the PyTorch peer (bench/train-scale/peer.py) read; {@code --workload NAME --data DIR} trains one
 * workload in this process and prints
 *
 * <pre>maas NAME rows metric value seconds peak_rss_mb cpu_s</pre>
 *
 * where seconds is the training call alone (not reading the files, not scoring the test rows) and
 * peak_rss_mb the process' high-water mark of resident memory (VmHWM), read at the end, and cpu_s
 * the CPU seconds the process spent in the training call (every thread, the JIT's and collector's
 * included), a figure that other processes on a loaded machine inflate much less than wall time.
 */
public final class TrainScale {
  private TrainScale() {}

  /** Rows, features and classes (0: regression) of a workload at scale 1. */
  record Workload(String name, int rows, int[] shape, int classes) {
    int rowLength() {
      int n = 1;
      for (int d : shape) {
        n *= d;
      }
      return n;
    }
  }

  static final List<Workload> WORKLOADS =
      List.of(
          new Workload("mlp", 200_000, new int[] {100}, 10),
          new Workload("cnn", 20_000, new int[] {1, 28, 28}, 10),
          new Workload("lstm", 20_000, new int[] {50, 8}, 10),
          new Workload("linear", 1_000_000, new int[] {50}, 0),
          new Workload("logistic", 1_000_000, new int[] {50}, 2));

  public static void main(String[] args) throws Exception {
    String workload = null;
    Path data = null;
    Path generate = null;
    double scale = 1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--workload" -> workload = args[++i];
        case "--data" -> data = Path.of(args[++i]);
        case "--generate" -> generate = Path.of(args[++i]);
        case "--scale" -> scale = Double.parseDouble(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (generate != null) {
      Files.createDirectories(generate);
      for (Workload w : WORKLOADS) {
        generate(w, Math.max(100, (int) Math.round(w.rows * scale)), generate);
      }
      return;
    }
    for (Workload w : WORKLOADS) {
      if (w.name.equals(workload)) {
        train(w, data);
        return;
      }
    }
    throw new IllegalArgumentException("unknown workload " + workload);
  }

  // ---- data -------------------------------------------------------------------------------

  /** Writes DIR/NAME.x (float32 rows), DIR/NAME.y (float32 target or class) and DIR/NAME.rows. */
  static void generate(Workload w, int rows, Path dir) throws IOException {
    SplittableRandom random = new SplittableRandom(20_20 + w.name.hashCode());
    int n = w.rowLength();
    float[] row = new float[n];
    Teacher teacher = new Teacher(w, random);
    try (DataOutputStream x = out(dir.resolve(w.name + ".x"));
        DataOutputStream y = out(dir.resolve(w.name + ".y"))) {
      for (int r = 0; r < rows; r++) {
        float target = teacher.next(row, random);
        for (float v : row) {
          x.writeInt(Integer.reverseBytes(Float.floatToRawIntBits(v)));
        }
        y.writeInt(Integer.reverseBytes(Float.floatToRawIntBits(target)));
      }
    }
    Files.writeString(dir.resolve(w.name + ".rows"), rows + "\n");
  }

  private static DataOutputStream out(Path p) throws IOException {
    return new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(p), 1 << 20));
  }

  /** Draws a row and its target: a fixed random model of the workload's kind plus noise. */
  private static final class Teacher {
    private final Workload w;
    private final double[][] weights; // per class (or one row for regression)
    private final double[][] hidden; // mlp: 32 hidden units

    Teacher(Workload w, SplittableRandom random) {
      this.w = w;
      int n = w.rowLength();
      int k = Math.max(1, w.classes);
      weights = new double[k][];
      hidden = new double[32][n];
      for (double[] h : hidden) {
        for (int j = 0; j < n; j++) {
          h[j] = random.nextGaussian() / Math.sqrt(n);
        }
      }
      int inputs = w.name.equals("mlp") ? 32 : n;
      for (int c = 0; c < weights.length; c++) {
        weights[c] = new double[inputs];
        for (int j = 0; j < inputs; j++) {
          weights[c][j] = random.nextGaussian();
        }
      }
    }

    float next(float[] row, SplittableRandom random) {
      return switch (w.name) {
        case "mlp" -> {
          for (int j = 0; j < row.length; j++) {
            row[j] = (float) random.nextGaussian();
          }
          double[] h = new double[hidden.length];
          for (int u = 0; u < h.length; u++) {
            double s = 0;
            for (int j = 0; j < row.length; j++) {
              s += hidden[u][j] * row[j];
            }
            h[u] = Math.tanh(2 * s);
          }
          yield argmax(h, 0.3, random);
        }
        case "cnn" -> {
          // A class is a bright bar at one of ten angles through a random point, plus noise.
          int c = random.nextInt(10);
          double angle = Math.PI * c / 10;
          double cx = 10 + random.nextDouble() * 8;
          double cy = 10 + random.nextDouble() * 8;
          double dx = Math.cos(angle);
          double dy = Math.sin(angle);
          for (int i = 0; i < 28; i++) {
            for (int j = 0; j < 28; j++) {
              double dist = Math.abs((j - cx) * dy - (i - cy) * dx);
              row[i * 28 + j] = (float) (Math.exp(-dist * dist / 2) + 0.3 * random.nextGaussian());
            }
          }
          yield c;
        }
        case "lstm" -> {
          // A class is a channel whose values lean one way (classes 8, 9: channels 0, 1 the other
          // way) under noise twice as strong, so that it shows over the sequence, not in a step.
          int c = random.nextInt(10);
          int channel = c % 8;
          double shift = c < 8 ? 0.5 : -0.5;
          double phase = random.nextDouble() * 2 * Math.PI;
          for (int t = 0; t < 50; t++) {
            for (int f = 0; f < 8; f++) {
              double v = 0.5 * Math.sin(0.3 * t + phase + f) + random.nextGaussian();
              row[t * 8 + f] = (float) (f == channel ? v + shift : v);
            }
          }
          yield c;
        }
        case "linear" -> {
          double s = 0;
          for (int j = 0; j < row.length; j++) {
            row[j] = (float) random.nextGaussian();
            s += weights[0][j] * row[j];
          }
          yield (float) (s + 2 * random.nextGaussian());
        }
        case "logistic" -> {
          double s = 0;
          for (int j = 0; j < row.length; j++) {
            row[j] = (float) random.nextGaussian();
            s += weights[0][j] * row[j] * 0.2;
          }
          yield random.nextDouble() < 1 / (1 + Math.exp(-s)) ? 1 : 0;
        }
        default -> throw new IllegalStateException(w.name);
      };
    }

    private float argmax(double[] h, double noise, SplittableRandom random) {
      int best = 0;
      double top = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < weights.length; c++) {
        double s = noise * random.nextGaussian();
        for (int u = 0; u < h.length; u++) {
          s += weights[c][u] * h[u];
        }
        if (s > top) {
          top = s;
          best = c;
        }
      }
      return best;
    }
  }

  // ---- training -----------------------------------------------------------------------------

  static ModelSpec spec(String name) {
    return switch (name) {
      case "mlp" -> new MlpSpec(List.of(new DenseLayerSpec(64, Activation.RELU, 0)));
      case "cnn" ->
          new CnnSpec(
              List.of(
                  new ConvLayerSpec(
                      8, 3, 1, Padding.SAME, Activation.RELU, new PoolSpec(PoolType.MAX, 2)),
                  new ConvLayerSpec(
                      16, 3, 1, Padding.SAME, Activation.RELU, new PoolSpec(PoolType.MAX, 2))),
              List.of());
      case "lstm" -> new RnnSpec(RnnSpec.Cell.LSTM, 32, 1);
      case "linear" -> new LinearRegressionSpec(LinearRegressionSpec.Solver.LEAST_SQUARES);
      case "logistic" -> new LogisticRegressionSpec();
      default -> throw new IllegalArgumentException(name);
    };
  }

  /** Epochs and batch size, the same as peer.py's. */
  static TrainingParams params(String name) {
    TrainingParams adam = TrainingParams.defaults().withOptimizer(Optimizer.adam(1e-3));
    return switch (name) {
      case "mlp" -> adam.withEpochs(3).withBatchSize(128);
      case "cnn" -> adam.withEpochs(2).withBatchSize(64);
      case "lstm" -> adam.withEpochs(2).withBatchSize(64);
      default -> TrainingParams.defaults();
    };
  }

  static void train(Workload w, Path dir) throws IOException {
    int rows = Integer.parseInt(Files.readString(dir.resolve(w.name + ".rows")).trim());
    int n = w.rowLength();
    int testRows = (rows + 1) / 5;
    int trainRows = rows - testRows;
    double[] trainX = new double[trainRows * n];
    double[] testX = new double[testRows * n];
    float[] y = readFloats(dir.resolve(w.name + ".y"), rows);
    try (FileChannel ch = FileChannel.open(dir.resolve(w.name + ".x"), StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocateDirect(n * 4 * 1024).order(ByteOrder.LITTLE_ENDIAN);
      int r = 0;
      int tr = 0;
      int te = 0;
      while (r < rows) {
        buf.clear();
        int want = Math.min(1024, rows - r) * n * 4;
        buf.limit(want);
        while (buf.hasRemaining()) {
          if (ch.read(buf) < 0) {
            throw new IOException("short file");
          }
        }
        buf.flip();
        for (int k = 0; k < want / (n * 4); k++, r++) {
          boolean test = r % 5 == 4;
          double[] to = test ? testX : trainX;
          int at = (test ? te++ : tr++) * n;
          for (int j = 0; j < n; j++) {
            to[at + j] = buf.getFloat();
          }
        }
      }
    }
    Examples train = examples(w, trainX, y, rows, false);
    Examples test = examples(w, testX, y, rows, true);
    Trainer trainer = new Trainer();
    ModelSpec spec = spec(w.name);
    TrainingParams params = params(w.name);
    // Untimed runs on the first rows for at least three seconds first, so that the timed run runs
    // compiled code as a server that has been training for a while does.
    int warm = Math.min(train.rows(), 2_000);
    int[] first = new int[warm];
    for (int i = 0; i < warm; i++) {
      first[i] = i;
    }
    Examples warmTrain = train.select(first);
    Examples warmTest = test.select(java.util.Arrays.copyOf(first, Math.min(warm, test.rows())));
    long warmEnd = System.nanoTime() + 3_000_000_000L;
    do {
      try (TrainedModel m = trainer.train(spec, params.withEpochs(1), warmTrain).model()) {
        m.evaluate(warmTest);
      }
    } while (System.nanoTime() < warmEnd);
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    java.util.Map<String, Long> threadsBefore = threadTicks();
    long cpuStart = os.getProcessCpuTime();
    long start = System.nanoTime();
    TrainingResult result = trainer.train(spec, params, train);
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpuSeconds = (os.getProcessCpuTime() - cpuStart) / 1e9;
    printThreadCpu(w.name, threadsBefore, threadTicks());
    // -Dtrainscale.fits=N: N more timed training calls in the same process (stderr), each with
    // the last training loss to every digit, for comparing two builds' fits under a noisy load.
    int fits = Integer.getInteger("trainscale.fits", 0);
    for (int i = 0; i < fits; i++) {
      long cpu0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      TrainingResult again = trainer.train(spec, params, train);
      System.err.printf(
          Locale.ROOT,
          "fit %s %.3f s %.3f cpu_s loss %.12g%n",
          w.name,
          (System.nanoTime() - t0) / 1e9,
          (os.getProcessCpuTime() - cpu0) / 1e9,
          again.learningCurve().get(again.learningCurve().size() - 1).trainLoss());
      again.model().close();
    }
    String metric;
    double value;
    try (TrainedModel model = result.model()) {
      Metrics m = model.evaluate(test);
      if (m instanceof ClassificationMetrics c) {
        metric = "accuracy";
        value = c.accuracy();
      } else {
        metric = "r2";
        value = ((RegressionMetrics) m).r2();
      }
    }
    System.out.printf(
        Locale.ROOT,
        "maas %s %d %s %.4f %.3f %.0f %.3f%n",
        w.name,
        rows,
        metric,
        value,
        seconds,
        peakRssMb(),
        cpuSeconds);
  }

  private static Examples examples(Workload w, double[] x, float[] y, int rows, boolean test) {
    List<Integer> picked = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      if ((r % 5 == 4) == test) {
        picked.add(r);
      }
    }
    if (w.classes == 0) {
      double[] t = new double[picked.size()];
      for (int i = 0; i < t.length; i++) {
        t[i] = y[picked.get(i)];
      }
      return Examples.regression(w.shape, x, t, 1);
    }
    int[] c = new int[picked.size()];
    for (int i = 0; i < c.length; i++) {
      c[i] = (int) y[picked.get(i)];
    }
    List<String> labels = new ArrayList<>();
    for (int k = 0; k < w.classes; k++) {
      labels.add(Integer.toString(k));
    }
    return Examples.classification(w.shape, x, c, labels);
  }

  private static float[] readFloats(Path p, int count) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[count];
    b.asFloatBuffer().get(out);
    return out;
  }

  /**
   * CPU clock ticks (user and system) per thread of this process, keyed "name/tid", from
   * /proc/self/task: which threads (the trainer's, OpenMP's or OpenBLAS's, GC, JIT) spend the
   * process' CPU time; empty where /proc is missing.
   */
  static java.util.Map<String, Long> threadTicks() {
    java.util.Map<String, Long> ticks = new java.util.TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String name = Files.readString(task.resolve("comm")).trim();
          String stat = Files.readString(task.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          // Fields 14 and 15 of stat (utime, stime) are 12 and 13 after the name.
          ticks.put(name + "/" + task.getFileName(), Long.parseLong(f[11]) + Long.parseLong(f[12]));
        } catch (IOException | RuntimeException gone) {
          // The thread ended between the listing and the read.
        }
      }
    } catch (IOException | RuntimeException e) {
      return ticks;
    }
    return ticks;
  }

  /**
   * Prints to stderr the CPU seconds each thread spent between two {@link #threadTicks} readings
   * (100 ticks a second), largest first, grouped by thread name without its number.
   */
  static void printThreadCpu(
      String workload, java.util.Map<String, Long> before, java.util.Map<String, Long> after) {
    java.util.Map<String, Long> byName = new java.util.TreeMap<>();
    after.forEach(
        (key, t) -> {
          long spent = t - before.getOrDefault(key, 0L);
          if (spent > 0) {
            String name = key.substring(0, key.lastIndexOf('/')).replaceAll("[#0-9]+$", "");
            byName.merge(name, spent, Long::sum);
          }
        });
    StringBuilder line = new StringBuilder("threads " + workload);
    byName.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .forEach(
            e ->
                line.append(' ')
                    .append(e.getKey().replace(' ', '_'))
                    .append('=')
                    .append(String.format(Locale.ROOT, "%.2f", e.getValue() / 100.0)));
    System.err.println(line);
  }

  static double peakRssMb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      }
    }
    return Double.NaN;
  }
}

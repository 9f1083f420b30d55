package dev.maas;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets ND4J's thread pools from {@code maas.compute.threads} at start: libnd4j's per-op limit, the
 * OpenMP pool and the BLAS library's pool. ND4J otherwise takes its figure from {@code
 * OMP_NUM_THREADS} or the machine's cores when it loads; libnd4j's own pool can only shrink from
 * that figure, so a process started with {@code OMP_NUM_THREADS} below the setting is warned about.
 */
public final class ComputeThreads {
  private static final Logger log = LoggerFactory.getLogger(ComputeThreads.class);

  private final int threads;

  private ComputeThreads(int threads) {
    this.threads = threads;
  }

  /** Applies the setting and logs the figure; the answer holds what was set. */
  public static ComputeThreads apply(ComputeProperties properties) {
    int cores = Runtime.getRuntime().availableProcessors();
    int threads = properties.threadsFor(cores);
    Nd4j.getEnvironment().setMaxMasterThreads(threads);
    Nd4j.getEnvironment().setMaxThreads(threads);
    NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
    Nd4j.factory().blas().setMaxThreads(threads);
    if (threads > cores) {
      log.warn(
          "maas.compute.threads={} is more than the {} cores this process may use", threads, cores);
    }
    int pool = Nd4j.getEnvironment().maxThreads();
    if (pool < threads) {
      // libnd4j sizes its own pool once, as it loads, from OMP_NUM_THREADS or the cores.
      log.warn(
          "ND4J's own thread pool has {} thread(s), fewer than the {} asked: OMP_NUM_THREADS={}"
              + " was set when the process started; unset it to let maas.compute.threads decide",
          pool,
          threads,
          System.getenv("OMP_NUM_THREADS"));
    }
    log.info(
        "ND4J compute threads: {} a call (maas.compute.threads={}, {} cores available);"
            + " OpenMP {}, BLAS {}, ND4J's pool {}",
        threads,
        properties.threads() == 0 ? "auto" : properties.threads(),
        cores,
        NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads(),
        Nd4j.factory().blas().getMaxThreads(),
        pool);
    return new ComputeThreads(threads);
  }

  /** The threads a native call may use, as set. */
  public int threads() {
    return threads;
  }
}

package dev.maas.serving;

import dev.maas.compute.TrainedModel;
import dev.maas.registry.ModelVersion;

/**
 * A model version in memory, warmed up, with its batcher and its meters. Owned by {@link
 * ModelCache}, which closes it once no request uses it.
 */
final class LoadedModel implements AutoCloseable {
  private final ModelVersion version;
  private final TrainedModel model;
  private final Batcher batcher;
  private final VersionMeters meters;
  private final InputLayout layout;
  private final int maxBatchRows;

  LoadedModel(
      ModelVersion version,
      TrainedModel model,
      VersionMeters meters,
      int maxBatchRows,
      long maxBatchWaitNanos) {
    this.version = version;
    this.model = model;
    this.meters = meters;
    this.layout = new InputLayout(model);
    this.maxBatchRows = maxBatchRows;
    this.batcher = new Batcher(model::predict, this::recordCall, maxBatchRows, maxBatchWaitNanos);
  }

  /**
   * Predicts rows of zeros so that the first request finds buffers ready: one row, then for up to
   * {@code nanos} single rows and full batches alternately, so that the JIT compiles the model's
   * calls (at most 2,000 calls).
   */
  void warmUp(long nanos) {
    double[] one = new double[layout.rowLength()];
    model.predict(one, 1);
    if (nanos <= 0) {
      return;
    }
    int batch = Math.max(1, maxBatchRows);
    double[] full = new double[layout.rowLength() * batch];
    long end = System.nanoTime() + nanos;
    for (int i = 0; i < 2000 && System.nanoTime() < end; i++) {
      if (i % 2 == 0) {
        model.predict(one, 1);
      } else {
        model.predict(full, batch);
      }
    }
  }

  String name() {
    return version.name();
  }

  int number() {
    return version.version();
  }

  /** Meters one call of the model, native or on the heap: its rows and how long it ran. */
  void recordCall(int rows, long nanos) {
    meters.call(rows, nanos);
  }

  TrainedModel model() {
    return model;
  }

  InputLayout layout() {
    return layout;
  }

  Batcher batcher() {
    return batcher;
  }

  VersionMeters meters() {
    return meters;
  }

  long memoryBytes() {
    return model.memoryBytes();
  }

  @Override
  public void close() {
    meters.close();
    model.close();
  }
}

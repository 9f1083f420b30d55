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
    this.batcher = new Batcher(model::predict, this::recordCall, maxBatchRows, maxBatchWaitNanos);
  }

  /** Loads nothing: predicts one row of zeros so that the first request finds buffers ready. */
  void warmUp() {
    model.predict(new double[layout.rowLength()], 1);
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

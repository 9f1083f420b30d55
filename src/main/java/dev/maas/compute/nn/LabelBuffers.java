package dev.maas.compute.nn;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Target buffers [rows, units] by batch size, f-ordered like a dense layer's output so the loss'
 * element-wise work needs no reordering. Not thread-safe.
 */
public final class LabelBuffers implements AutoCloseable {
  private final DataType dataType;
  private final int units;
  private final Map<Integer, INDArray> buffers = new HashMap<>();

  public LabelBuffers(DataType dataType, int units) {
    this.dataType = dataType;
    this.units = units;
  }

  /** The buffer for {@code rows} rows. */
  public INDArray get(int rows) {
    INDArray buffer = buffers.get(rows);
    if (buffer == null) {
      try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        buffer = Nd4j.create(dataType, new long[] {rows, units}, 'f');
      }
      buffers.put(rows, buffer);
    }
    return buffer;
  }

  /** Off-heap bytes of the buffers made so far. */
  public long bytes() {
    return HostArrays.bytes(buffers.values().toArray(new INDArray[0]));
  }

  @Override
  public void close() {
    buffers.values().forEach(INDArray::close);
    buffers.clear();
  }
}

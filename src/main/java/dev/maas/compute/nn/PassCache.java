package dev.maas.compute.nn;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Passes of one network by batch size, created on first use outside any workspace (their buffers
 * outlive every step) and closed together. Not thread-safe.
 */
public final class PassCache implements AutoCloseable {
  private final Network network;
  private final boolean training;
  private final Random random;
  private final Map<Integer, NetworkPass> passes = new HashMap<>();

  public PassCache(Network network, boolean training, Random random) {
    this.network = network;
    this.training = training;
    this.random = random;
  }

  /** The pass for {@code batch} examples. */
  public NetworkPass get(int batch) {
    NetworkPass pass = passes.get(batch);
    if (pass == null) {
      try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        pass = network.newPass(batch, training, random);
      }
      passes.put(batch, pass);
    }
    return pass;
  }

  /** Bytes held by all passes. */
  public long bytes() {
    long bytes = 0;
    for (NetworkPass pass : passes.values()) {
      bytes += pass.bytes();
    }
    return bytes;
  }

  @Override
  public void close() {
    passes.values().forEach(NetworkPass::close);
    passes.clear();
  }
}

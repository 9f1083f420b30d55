package dev.maas.training;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The job and checkpoint store contract against the embedded stores (files). */
class EmbeddedTrainingStoresTest extends TrainingStoresContract {
  @TempDir Path storage;

  @Override
  JobStore openJobs() {
    return new FileJobStore(storage);
  }

  @Override
  CheckpointStore openCheckpoints() {
    return new FileCheckpointStore(storage);
  }

  /**
   * The file store keeps no hash of its own: a checkpoint carries a CRC that {@link
   * dev.maas.compute.CheckpointCodec} checks, so here a damaged one is a cut one.
   */
  @Override
  void flipAByteOf(String jobId, int epoch) throws Exception {
    Files.delete(storage.resolve("jobs").resolve(jobId).resolve("epoch-" + epoch + ".ckpt"));
  }
}

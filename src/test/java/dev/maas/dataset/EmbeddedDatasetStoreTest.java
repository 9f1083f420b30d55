package dev.maas.dataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

/** The dataset contract against the embedded store (files under a folder). */
class EmbeddedDatasetStoreTest extends DatasetStoreContract {
  @TempDir Path root;

  @Override
  DatasetStore open() {
    return new FileDatasetStore(root, Clock.systemUTC());
  }

  @Override
  void flipAByteOf(String id) throws Exception {
    Path data = root.resolve("datasets").resolve(id).resolve(FileDatasetStore.DATA_FILE);
    byte[] bytes = Files.readAllBytes(data);
    bytes[20] ^= 1;
    Files.write(data, bytes);
  }
}

package dev.maas.registry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

/** The registry contract against the embedded store (files under a folder). */
class EmbeddedRegistryStoreTest extends RegistryStoreContract {
  @TempDir Path root;

  @Override
  RegistryStore open() {
    return new FileRegistryStore(root, Clock.systemUTC(), Provenance.current());
  }

  @Override
  void flipAByteOf(String name, int version) throws Exception {
    Path artifact = root.resolve("models/" + name + "/" + version + "/model.maas");
    byte[] bytes = Files.readAllBytes(artifact);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(artifact, bytes);
  }
}

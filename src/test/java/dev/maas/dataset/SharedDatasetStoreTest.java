package dev.maas.dataset;

import dev.maas.storage.SharedStack;
import dev.maas.storage.SharedStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The dataset contract against the shared store (a real PostgreSQL and S3Proxy); each {@link
 * #open()} is another replica, with a local cache of its own.
 */
class SharedDatasetStoreTest extends DatasetStoreContract {
  @TempDir Path root;
  private final List<SharedStore> others = new ArrayList<>();
  private String url;
  private dev.maas.storage.StoreProperties.S3 s3;
  private int replicas;

  @BeforeEach
  void start() {
    SharedStack stack = SharedStack.get();
    url = stack.newDatabase();
    s3 = stack.s3Settings(stack.newBucket());
  }

  @AfterEach
  void stop() {
    others.forEach(SharedStore::close);
  }

  @Override
  DatasetStore open() {
    SharedStore store = SharedStore.open(url, "postgres", null, s3);
    others.add(store);
    return new SharedDatasetStore(store, root.resolve("replica-" + replicas++), Clock.systemUTC());
  }

  @Override
  void flipAByteOf(String id) throws Exception {
    try (S3Client client = SharedStack.get().client()) {
      String key = "datasets/" + id + "/data.bin";
      byte[] bytes = client.getObjectAsBytes(g -> g.bucket(s3.bucket()).key(key)).asByteArray();
      bytes[20] ^= 1;
      client.putObject(p -> p.bucket(s3.bucket()).key(key), RequestBody.fromBytes(bytes));
    }
  }
}

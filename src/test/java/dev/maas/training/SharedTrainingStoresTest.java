package dev.maas.training;

import dev.maas.storage.SharedStack;
import dev.maas.storage.SharedStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The job and checkpoint store contract against the shared store (PostgreSQL and S3Proxy). */
class SharedTrainingStoresTest extends TrainingStoresContract {
  private final List<SharedStore> opened = new ArrayList<>();
  private String url;
  private dev.maas.storage.StoreProperties.S3 s3;

  @BeforeEach
  void start() {
    SharedStack stack = SharedStack.get();
    url = stack.newDatabase();
    s3 = stack.s3Settings(stack.newBucket());
  }

  @AfterEach
  void stop() {
    opened.forEach(SharedStore::close);
  }

  private SharedStore shared() {
    SharedStore store = SharedStore.open(url, "postgres", null, s3);
    opened.add(store);
    return store;
  }

  @Override
  JobStore openJobs() {
    return new SharedJobStore(shared());
  }

  @Override
  CheckpointStore openCheckpoints() {
    return new SharedCheckpointStore(shared());
  }

  @Override
  void flipAByteOf(String jobId, int epoch) throws Exception {
    try (S3Client client = SharedStack.get().client()) {
      String key =
          client
              .listObjectsV2(
                  l -> l.bucket(s3.bucket()).prefix("checkpoints/" + jobId + "/" + epoch + "-"))
              .contents()
              .get(0)
              .key();
      byte[] bytes = client.getObjectAsBytes(g -> g.bucket(s3.bucket()).key(key)).asByteArray();
      bytes[3] ^= 1;
      client.putObject(p -> p.bucket(s3.bucket()).key(key), RequestBody.fromBytes(bytes));
    }
  }
}

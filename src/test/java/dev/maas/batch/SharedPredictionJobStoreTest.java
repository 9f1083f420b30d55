package dev.maas.batch;

import dev.maas.storage.SharedStack;
import dev.maas.storage.SharedStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The prediction job store contract against the shared store (PostgreSQL and S3Proxy). */
class SharedPredictionJobStoreTest extends PredictionJobStoreContract {
  private final List<SharedStore> opened = new ArrayList<>();
  private String url;
  private dev.maas.storage.StoreProperties.S3 s3;

  @BeforeEach
  void start() {
    SharedStack stack = SharedStack.get();
    url = stack.newDatabase();
    s3 = stack.s3Settings(stack.newBucket());
  }

  /** The job stores the contract opened: each renews leases on a thread of its own until closed. */
  private final List<SharedPredictionJobStore> jobStores = new ArrayList<>();

  @AfterEach
  void stop() {
    jobStores.forEach(SharedPredictionJobStore::close);
    opened.forEach(SharedStore::close);
  }

  @Override
  PredictionJobStore open() {
    SharedStore store = SharedStore.open(url, "postgres", null, s3);
    opened.add(store);
    SharedPredictionJobStore jobs =
        new SharedPredictionJobStore(store, java.time.Duration.ofSeconds(15));
    jobStores.add(jobs);
    return jobs;
  }
}

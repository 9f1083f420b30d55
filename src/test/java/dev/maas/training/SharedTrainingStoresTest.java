package dev.maas.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.storage.SharedStack;
import dev.maas.storage.SharedStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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

  /** The job stores the contract opened: each renews leases on a thread of its own until closed. */
  private final List<SharedJobStore> jobStores = new ArrayList<>();

  @AfterEach
  void stop() {
    jobStores.forEach(SharedJobStore::close);
    opened.forEach(SharedStore::close);
  }

  private SharedStore shared() {
    SharedStore store = SharedStore.open(url, "postgres", null, s3);
    opened.add(store);
    return store;
  }

  @Override
  JobStore openJobs() {
    SharedJobStore store = new SharedJobStore(shared(), Duration.ofSeconds(15));
    jobStores.add(store);
    return store;
  }

  @Test
  void aLiveReplicaKeepsItsJobsAndADeadOnesJobGoesToExactlyOneOther() throws Exception {
    Duration lease = Duration.ofMillis(600);
    SharedJobStore a = new SharedJobStore(shared(), lease);
    SharedJobStore b = new SharedJobStore(shared(), lease);
    SharedJobStore c = new SharedJobStore(shared(), lease);
    a.save(record("job-1", JobState.QUEUED, null, "alice"));
    a.save(record("job-2", JobState.SUCCEEDED, null, "alice"));
    assertThat(a.claim("job-1")).as("its own job").isTrue();
    assertThat(b.claim("job-1")).as("held by a live replica").isFalse();
    assertThat(b.claim("job-2")).as("a finished job is never claimed").isFalse();
    Thread.sleep(lease.toMillis() * 2);
    assertThat(b.orphans()).as("a renews its lease while it lives").isEmpty();
    assertThat(b.claim("job-1")).isFalse();

    a.close(); // a dies: it renews no more
    Thread.sleep(lease.toMillis() + 300);
    assertThat(b.orphans()).containsExactly("job-1");
    assertThat(c.orphans()).containsExactly("job-1");
    List<Boolean> claims = List.of(b.claim("job-1"), c.claim("job-1"));
    assertThat(claims)
        .as("exactly one replica takes it over")
        .containsExactlyInAnyOrder(true, false);
    SharedJobStore winner = claims.get(0) ? b : c;
    winner.save(record("job-1", JobState.RUNNING, null, "alice"));
    a.save(record("job-1", JobState.FAILED, null, "alice")); // the old holder's late write
    assertThat(c.load("job-1").orElseThrow().job().state())
        .as("the replica that lost the lease writes nothing")
        .isEqualTo(JobState.RUNNING);
    assertThat(b.orphans()).isEmpty();
    b.close();
    c.close();
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

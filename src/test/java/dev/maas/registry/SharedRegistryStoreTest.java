package dev.maas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.storage.SharedStack;
import dev.maas.storage.SharedStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The registry contract against the shared store (a real PostgreSQL and S3Proxy), where {@link
 * #open()} is another replica: a store of its own over the same database and bucket. And what only
 * several replicas can show: gapless numbers when they register at once, and a change made through
 * one seen by the others within a second.
 */
class SharedRegistryStoreTest extends RegistryStoreContract {
  private final List<AutoCloseable> opened = new ArrayList<>();
  private String url;
  private dev.maas.storage.StoreProperties.S3 s3;

  private SharedStore lastShared;

  @Override
  RegistryStore open() {
    SharedStack stack = SharedStack.get();
    if (url == null) {
      url = stack.newDatabase();
      s3 = stack.s3Settings(stack.newBucket());
    }
    SharedStore shared = SharedStore.open(url, "postgres", null, s3);
    lastShared = shared;
    SharedRegistryStore store =
        new SharedRegistryStore(
            shared, Clock.systemUTC(), Provenance.current(), Duration.ofSeconds(1));
    opened.add(shared);
    opened.add(store);
    return store;
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
  }

  @Override
  void flipAByteOf(String name, int version) throws Exception {
    try (S3Client client = SharedStack.get().client()) {
      String prefix = "models/" + name + "/";
      List<String> keys =
          client.listObjectsV2(l -> l.bucket(s3.bucket()).prefix(prefix)).contents().stream()
              .map(o -> o.key())
              .toList();
      assertThat(keys).hasSize(1);
      byte[] bytes =
          client.getObjectAsBytes(g -> g.bucket(s3.bucket()).key(keys.get(0))).asByteArray();
      bytes[bytes.length / 2] ^= 0x10;
      client.putObject(p -> p.bucket(s3.bucket()).key(keys.get(0)), RequestBody.fromBytes(bytes));
    }
  }

  /**
   * What a prediction reads (the model, its aliases, the version) comes from the replica's memory:
   * with its database pool and bucket client closed, the registry still answers.
   */
  @Test
  void thePredictionPathsReadsNeedNeitherTheDatabaseNorTheBucket() {
    ModelRegistry registry = registry(open());
    registry.importVersion("churn", modelFile);
    registry.setAlias("churn", "production", 1);
    lastShared.close();
    assertThat(registry.versionByAlias("churn", "production").version()).isEqualTo(1);
    assertThat(registry.findVersion("churn", 1)).isPresent();
    assertThat(registry.model("churn").latestVersion()).isEqualTo(1);
  }

  @Test
  void threeReplicasRegisteringAtOnceGetGaplessNumbers() throws Exception {
    List<ModelRegistry> replicas = List.of(registry(open()), registry(open()), registry(open()));
    ExecutorService pool = Executors.newFixedThreadPool(6);
    List<Future<List<Integer>>> futures = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      ModelRegistry replica = replicas.get(t % 3);
      Callable<List<Integer>> work =
          () -> {
            List<Integer> mine = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
              mine.add(replica.importVersion("churn", modelFile).version());
            }
            return mine;
          };
      futures.add(pool.submit(work));
    }
    List<Integer> numbers = new ArrayList<>();
    for (Future<List<Integer>> f : futures) {
      numbers.addAll(f.get());
    }
    pool.shutdown();
    assertThat(numbers)
        .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 60).boxed().toList());
    for (ModelRegistry replica : replicas) {
      awaitTrue(() -> replica.findModel("churn").map(m -> m.latestVersion() == 60).orElse(false));
      assertThat(replica.versions("churn")).hasSize(60);
    }
  }

  @Test
  void anAliasMovedThroughOneReplicaIsSeenByAnotherWithinASecond() throws Exception {
    ModelRegistry one = registry(open());
    ModelRegistry two = registry(open());
    one.importVersion("churn", modelFile);
    one.importVersion("churn", modelFile);
    one.setAlias("churn", "production", 1);
    awaitTrue(() -> two.findModel("churn").map(m -> m.aliases().size() == 1).orElse(false));
    List<Long> millis = new ArrayList<>();
    for (int move = 0; move < 10; move++) {
      int target = move % 2 == 0 ? 2 : 1;
      long start = System.nanoTime();
      one.setAlias("churn", "production", target);
      awaitTrue(() -> two.versionByAlias("churn", "production").version() == target);
      millis.add((System.nanoTime() - start) / 1_000_000);
    }
    System.out.println("alias moves seen by another replica after (ms): " + millis);
    assertThat(millis).allMatch(ms -> ms < 1000);
    one.deleteModel("churn");
    awaitTrue(() -> two.findModel("churn").isEmpty());
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not seen within 5 s");
      }
      Thread.sleep(5);
    }
  }
}

package dev.maas.comparison;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.storage.SharedStack;
import dev.maas.storage.SharedStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The comparison store contract against the shared store (PostgreSQL). */
class SharedComparisonStoreTest extends ComparisonStoreContract {
  private final List<SharedStore> opened = new ArrayList<>();
  private String url;
  private dev.maas.storage.StoreProperties.S3 s3;
  private Duration lease = Duration.ofSeconds(15);

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

  @Override
  ComparisonStore open() {
    SharedStore store = SharedStore.open(url, "postgres", null, s3);
    opened.add(store);
    return new SharedComparisonStore(store, lease);
  }

  @Test
  void onlyOneReplicaCarriesOnAComparisonAndOnlyOnceItsRunnersLeaseRanOut() throws Exception {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    lease = Duration.ofMillis(1500);
    ComparisonStore runner = open();
    ComparisonStore other = open();
    ComparisonStore third = open();
    runner.save(record("cmp-l", "running", t, "running"));

    assertThat(other.claim("cmp-l")).as("the runner's lease holds").isFalse();
    assertThat(other.orphans()).isEmpty();
    Thread.sleep(900);
    assertThat(runner.claim("cmp-l")).as("the runner renews its lease").isTrue();
    Thread.sleep(900);
    assertThat(other.claim("cmp-l")).as("renewed 900 ms ago, for 1.5 s").isFalse();

    Thread.sleep(1800);
    assertThat(other.orphans()).containsExactly("cmp-l");
    assertThat(other.claim("cmp-l")).isTrue();
    assertThat(third.claim("cmp-l")).as("claimed once").isFalse();
  }
}

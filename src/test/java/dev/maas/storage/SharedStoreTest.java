package dev.maas.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared store's plumbing against a real PostgreSQL and a real S3 API server (S3Proxy): the
 * schema migrates (again without harm), objects round-trip whole, large ones in parts, and
 * notifications reach subscribers.
 */
class SharedStoreTest {
  private SharedStore store;

  @BeforeEach
  void open() {
    store = SharedStack.get().open();
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void smallAndMultipartObjectsRoundTripAndAreListedAndDeleted(@TempDir Path dir) throws Exception {
    ObjectStore objects = store.objects();
    objects.put("a/small", new byte[] {1, 2, 3});
    byte[] large = new byte[12 * 1024 * 1024 + 17]; // three parts of 5 MB
    new Random(7).nextBytes(large);
    objects.put("a/large", new ByteArrayInputStream(large));

    assertThat(objects.get("a/small")).containsExactly(1, 2, 3);
    assertThat(DurableFiles.sha256(objects.get("a/large"))).isEqualTo(DurableFiles.sha256(large));
    Path down = dir.resolve("down");
    objects.download("a/large", down);
    assertThat(Files.size(down)).isEqualTo(large.length);
    assertThat(objects.list("a/")).containsExactly("a/large", "a/small");
    assertThat(objects.exists("a/small")).isTrue();

    objects.deleteAll("a/");
    assertThat(objects.list("a/")).isEmpty();
    assertThat(objects.exists("a/small")).isFalse();
    assertThatThrownBy(() -> objects.get("a/small")).isInstanceOf(FileNotFoundException.class);
    objects.delete("a/small"); // nothing there: no error
  }

  @Test
  void notificationsReachSubscribers() throws Exception {
    BlockingQueue<String> got = new ArrayBlockingQueue<>(10);
    store.subscribe("maas_test", got::add);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String payload = null;
    while (payload == null && System.nanoTime() < deadline) {
      Sql.transaction(
          store.data(),
          c -> {
            Sql.notify(c, "maas_test", "hello");
            return null;
          });
      payload = got.poll(300, TimeUnit.MILLISECONDS); // the listener may not listen yet
    }
    assertThat(payload).isEqualTo("hello");
  }
}

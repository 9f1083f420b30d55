package dev.maas.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FileCheckpointStoreTest {
  private final Path storage = Path.of("target", "test-data", "checkpoints-" + UUID.randomUUID());

  @Test
  void keepsTheTwoLatestOfEachJobAndRemovesThemAll() throws Exception {
    CheckpointStore store = new FileCheckpointStore(storage);
    assertThat(store.epochs("job-a")).isEmpty();
    for (int epoch = 1; epoch <= 12; epoch += 3) {
      store.save("job-a", epoch, new byte[] {(byte) epoch});
    }
    store.save("job-b", 2, new byte[] {2});
    assertThat(store.epochs("job-a")).containsExactly(10, 7);
    assertThat(store.read("job-a", 10)).containsExactly(10);
    assertThat(store.read("job-a", 7)).containsExactly(7);
    assertThat(store.jobs()).containsExactly("job-a", "job-b");
    store.discard("job-a", 10);
    assertThat(store.epochs("job-a")).containsExactly(7);
    store.delete("job-a");
    assertThat(store.epochs("job-a")).isEmpty();
    assertThat(storage.resolve("jobs").resolve("job-a")).doesNotExist();
    assertThat(store.jobs()).containsExactly("job-b");
    store.delete("job-a");
  }

  @Test
  void removesTheTemporaryFilesACrashLeftWhenItOpens() throws Exception {
    new FileCheckpointStore(storage).save("job-c", 4, new byte[] {4});
    Path folder = storage.resolve("jobs").resolve("job-c");
    Path half = folder.resolve("epoch-5.ckpt.0f1e.tmp");
    Files.write(half, new byte[] {5});
    CheckpointStore store = new FileCheckpointStore(storage);
    assertThat(half).doesNotExist();
    assertThat(store.epochs("job-c")).containsExactly(4);
  }

  @Test
  void refusesANameThatIsNotAJobId() {
    CheckpointStore store = new FileCheckpointStore(storage);
    assertThatThrownBy(() -> store.save("../x", 1, new byte[] {1}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

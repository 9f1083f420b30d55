package dev.maas.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage conventions the registry, dataset and job stores share. */
class DurableFilesTest {
  @TempDir Path root;

  @Test
  void aFolderDeletedByRenameIsGoneWithEverythingInIt() throws Exception {
    Path dir = Files.createDirectories(root.resolve("model-a").resolve("1"));
    Files.writeString(dir.resolve("model.maas"), "bytes");
    DurableFiles.deleteByRename(root.resolve("model-a"));
    try (var left = Files.list(root)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void temporariesAndRenamedAwayFoldersAreLeftoversAndNothingElseIs() throws Exception {
    assertThat(DurableFiles.isLeftover(root.resolve("model.json.1234.tmp"))).isTrue();
    assertThat(DurableFiles.isLeftover(root.resolve("ds-1.tmp"))).isTrue();
    assertThat(DurableFiles.isLeftover(root.resolve(".deleted-churn-5f2c"))).isTrue();
    assertThat(DurableFiles.isLeftover(root.resolve("churn"))).isFalse();
    assertThat(DurableFiles.isLeftover(root.resolve("job-1.json"))).isFalse();
    assertThat(DurableFiles.isLeftover(root.resolve("tmp"))).isFalse();
  }

  @Test
  void anAtomicWriteLeavesOnlyTheTarget() throws Exception {
    Path target = root.resolve("version.json");
    DurableFiles.writeAtomically(target, "{\"v\":1}".getBytes());
    DurableFiles.writeAtomically(target, "{\"v\":2}".getBytes());
    assertThat(Files.readString(target)).isEqualTo("{\"v\":2}");
    try (var left = Files.list(root)) {
      assertThat(left).containsExactly(target);
    }
  }
}

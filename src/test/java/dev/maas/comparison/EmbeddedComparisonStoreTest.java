package dev.maas.comparison;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The comparison store contract against the embedded store (files). */
class EmbeddedComparisonStoreTest extends ComparisonStoreContract {
  @TempDir Path storage;

  @Override
  ComparisonStore open() {
    return new FileComparisonStore(storage);
  }

  @Test
  void anUnreadableFileIsSkippedAndALeftoverTemporaryFileRemoved() throws Exception {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    open().save(record("cmp-ok", "finished", t, "succeeded"));
    Path folder = storage.resolve("comparisons");
    Files.writeString(folder.resolve("cmp-bad.json"), "{not json");
    Files.writeString(folder.resolve("cmp-ok.json.1234.tmp"), "half");

    ComparisonStore store = open();

    assertThat(store.loadAll()).extracting(ComparisonRecord::id).containsExactly("cmp-ok");
    assertThat(folder.resolve("cmp-ok.json.1234.tmp")).doesNotExist();
    assertThat(store.orphans()).isEmpty();
    assertThat(store.load("../etc/passwd")).isEmpty();
  }
}

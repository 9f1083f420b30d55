package dev.maas.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maas.errors.ConflictException;
import dev.maas.errors.InvalidException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

class FileDatasetStoreTest {
  @TempDir Path root;

  private static final byte[] CSV = "x,y\n1,a\n2,b\n3,a\n".getBytes(StandardCharsets.UTF_8);

  private Datasets datasets(DatasetStore store, DatasetUsage usage) {
    return new Datasets(store, usage, DataSize.ofMegabytes(1), 1000, 100);
  }

  private Dataset upload(Datasets datasets) throws IOException {
    return datasets.uploadTable(
        "small", Datasets.Format.CSV, new ByteArrayInputStream(CSV), CSV.length, "y");
  }

  @Test
  void aNewStoreOverTheSameFolderSeesTheDatasetsAndRemovesLeftovers() throws Exception {
    FileDatasetStore first = new FileDatasetStore(root, Clock.systemUTC());
    Dataset d = upload(datasets(first, id -> false));
    Path leftover = root.resolve("datasets").resolve("ds-unfinished.tmp");
    Files.createDirectories(leftover);
    Files.write(leftover.resolve("data.bin"), new byte[] {1, 2});

    FileDatasetStore second = new FileDatasetStore(root, Clock.systemUTC());

    assertThat(second.find(d.id())).hasValue(d);
    assertThat(second.list()).containsExactly(d);
    assertThat(Files.exists(leftover)).isFalse();
    TableData data = second.read(d.id());
    assertThat(data.column("x")).containsExactly(1.0, 2.0, 3.0);
    assertThat(data.stringColumn("y")).containsExactly("a", "b", "a");
    assertThat(data.stringColumn("x")).containsExactly("1", "2", "3");
  }

  @Test
  void aFailedUploadLeavesNothingBehind() throws Exception {
    FileDatasetStore store = new FileDatasetStore(root, Clock.systemUTC());
    byte[] ragged = "x,y\n1\n".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(
            () ->
                datasets(store, id -> false)
                    .uploadTable(
                        "r", Datasets.Format.CSV, new ByteArrayInputStream(ragged), -1, null))
        .isInstanceOf(InvalidException.class)
        .hasMessageContaining("line 2");
    try (var files = Files.list(root.resolve("datasets"))) {
      assertThat(files.toList()).isEmpty();
    }
  }

  /**
   * Slices of a string column with many distinct values, one of them longer than the reader's 64 KB
   * buffer and others straddling its edges, hold what the whole column holds.
   */
  @Test
  void slicesOfAColumnWithManyDistinctStringsReadTheirOwnValues() throws Exception {
    FileDatasetStore store = new FileDatasetStore(root, Clock.systemUTC());
    int rows = 20_000;
    StringBuilder csv = new StringBuilder("id,x\n");
    for (int i = 0; i < rows; i++) {
      String id = i == 7_777 ? "long-" + "y".repeat(100_000) : "id-" + i + "-" + "z".repeat(i % 13);
      csv.append(i % 10 == 3 ? "" : id).append(',').append(i).append('\n');
    }
    byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
    Dataset d =
        new Datasets(store, id -> false, DataSize.ofMegabytes(16), rows, 10)
            .uploadTable("ids", Datasets.Format.CSV, new ByteArrayInputStream(bytes), -1, null);
    String[] all = store.read(d.id()).stringColumn("id");
    assertThat(all[7_777]).hasSize(100_005);
    for (int offset = 0; offset < rows; offset += 4_999) {
      TableData slice = store.readRows(d.id(), offset, 4_999);
      String[] ids = slice.stringColumn("id");
      double[] xs = slice.column("x");
      for (int r = 0; r < slice.rows(); r++) {
        assertThat(ids[r]).as("row %d", offset + r).isEqualTo(all[offset + r]);
        assertThat(xs[r]).isEqualTo(offset + r);
      }
    }
    assertThat(all[3]).isNull();
    assertThat(all[19_999]).isEqualTo("id-19999-" + "z".repeat(19_999 % 13));
  }

  @Test
  void aDatasetInUseCannotBeDeleted() throws Exception {
    FileDatasetStore store = new FileDatasetStore(root, Clock.systemUTC());
    Dataset d = upload(datasets(store, id -> false));
    assertThatThrownBy(() -> datasets(store, id -> true).delete(d.id()))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("used by");
    datasets(store, id -> false).delete(d.id());
    assertThat(store.list()).isEmpty();
  }

  @Test
  void aDataFileThatNoLongerMatchesItsFingerprintIsRefused() throws Exception {
    FileDatasetStore store = new FileDatasetStore(root, Clock.systemUTC());
    Dataset d = upload(datasets(store, id -> false));
    Path data = root.resolve("datasets").resolve(d.id()).resolve(FileDatasetStore.DATA_FILE);
    byte[] bytes = Files.readAllBytes(data);
    bytes[20] ^= 1;
    Files.write(data, bytes);
    assertThatThrownBy(() -> store.read(d.id()))
        .isInstanceOf(CorruptDatasetException.class)
        .hasMessageContaining("SHA-256");
  }

  @Test
  void theSameRowsGiveTheSameBytes() throws Exception {
    FileDatasetStore store = new FileDatasetStore(root, Clock.systemUTC());
    Dataset a = upload(datasets(store, id -> false));
    Dataset b = upload(datasets(store, id -> false));
    assertThat(a.sha256()).isEqualTo(b.sha256());
    assertThat(a.shape()).isEqualTo(List.of(3L, 2L));
  }
}

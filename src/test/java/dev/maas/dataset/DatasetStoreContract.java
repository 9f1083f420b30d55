package dev.maas.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maas.errors.ConflictException;
import dev.maas.errors.InvalidException;
import dev.maas.errors.NotFoundException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/**
 * What every {@link DatasetStore} does: {@link EmbeddedDatasetStoreTest} runs it on files, {@link
 * SharedDatasetStoreTest} on PostgreSQL and S3. {@link #open()} opens another store over the same
 * data (a restart, or another replica).
 */
abstract class DatasetStoreContract {
  static final byte[] CSV = "x,y\n1,a\n2,b\n3,a\n".getBytes(StandardCharsets.UTF_8);

  abstract DatasetStore open();

  /** Flips one byte of a dataset's stored data, behind the store's back. */
  abstract void flipAByteOf(String id) throws Exception;

  static Datasets datasets(DatasetStore store, DatasetUsage usage) {
    return new Datasets(store, usage, DataSize.ofMegabytes(16), 1_000_000, 100);
  }

  static Dataset upload(Datasets datasets) throws IOException {
    return datasets.uploadTable(
        "small", Datasets.Format.CSV, new ByteArrayInputStream(CSV), CSV.length, "y");
  }

  @Test
  void anotherStoreSeesTheDatasetsAndReadsTheirData() throws Exception {
    DatasetStore first = open();
    Dataset d = upload(datasets(first, id -> false));

    DatasetStore second = open();
    assertThat(second.find(d.id())).hasValue(d);
    assertThat(second.list()).containsExactly(d);
    TableData data = second.read(d.id());
    assertThat(data.column("x")).containsExactly(1.0, 2.0, 3.0);
    assertThat(data.stringColumn("y")).containsExactly("a", "b", "a");
    assertThat(second.readRows(d.id(), 1, 5).stringColumn("y")).containsExactly("b", "a");
    assertThat(first.read(d.id()).column("x")).containsExactly(1.0, 2.0, 3.0);
  }

  @Test
  void datasetsAreListedOldestFirst() throws Exception {
    DatasetStore store = open();
    Dataset a = upload(datasets(store, id -> false));
    Thread.sleep(5);
    Dataset b = upload(datasets(store, id -> false));
    assertThat(open().list()).containsExactly(a, b);
  }

  @Test
  void aLargeDatasetRoundTrips() throws Exception {
    StringBuilder csv = new StringBuilder("x,y\n");
    for (int i = 0; i < 400_000; i++) {
      csv.append(i).append(',').append(i * 0.5).append('\n');
    }
    byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
    Dataset d =
        datasets(open(), id -> false)
            .uploadTable("big", Datasets.Format.CSV, new ByteArrayInputStream(bytes), -1, null);
    assertThat(d.sizeBytes()).as("more than one 5 MB part").isGreaterThan(6_000_000);
    TableData data = open().read(d.id());
    assertThat(data.column("x")[399_999]).isEqualTo(399_999.0);
    assertThat(data.column("y")[12]).isEqualTo(6.0);
  }

  @Test
  void aFailedUploadLeavesNothingBehind() throws Exception {
    DatasetStore store = open();
    byte[] ragged = "x,y\n1\n".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(
            () ->
                datasets(store, id -> false)
                    .uploadTable(
                        "r", Datasets.Format.CSV, new ByteArrayInputStream(ragged), -1, null))
        .isInstanceOf(InvalidException.class)
        .hasMessageContaining("line 2");
    assertThat(store.list()).isEmpty();
    assertThat(open().list()).isEmpty();
  }

  @Test
  void aDatasetInUseCannotBeDeletedAndADeletedOneIsGoneEverywhere() throws Exception {
    DatasetStore store = open();
    Dataset d = upload(datasets(store, id -> false));
    assertThatThrownBy(() -> datasets(store, id -> true).delete(d.id()))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("used by");
    datasets(store, id -> false).delete(d.id());
    assertThat(store.list()).isEmpty();
    DatasetStore other = open();
    assertThat(other.find(d.id())).isEmpty();
    assertThat(other.delete(d.id())).isFalse();
    assertThatThrownBy(() -> other.read(d.id())).isInstanceOf(NotFoundException.class);
  }

  @Test
  void dataThatNoLongerMatchesItsFingerprintIsRefused() throws Exception {
    Dataset d = upload(datasets(open(), id -> false));
    flipAByteOf(d.id());
    assertThatThrownBy(() -> open().read(d.id()))
        .isInstanceOf(CorruptDatasetException.class)
        .hasMessageContaining("SHA-256");
  }

  @Test
  void theSameRowsGiveTheSameBytes() throws Exception {
    DatasetStore store = open();
    Dataset a = upload(datasets(store, id -> false));
    Dataset b = upload(datasets(store, id -> false));
    assertThat(a.sha256()).isEqualTo(b.sha256());
    assertThat(a.shape()).isEqualTo(List.of(3L, 2L));
  }
}

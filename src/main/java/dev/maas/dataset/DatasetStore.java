package dev.maas.dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Where datasets live: immutable metadata and columnar data, written atomically and durably. */
public interface DatasetStore {

  /** Writes the data file of a new dataset. */
  interface DataWriter {
    TableLayout write(Path dataFile) throws IOException;
  }

  /**
   * Creates a dataset: {@code writer} writes its data to a fresh file, the store fingerprints it
   * and commits data and metadata together, or nothing when the writer fails.
   */
  default Dataset create(String name, DataWriter writer) throws IOException {
    return create(name, null, writer);
  }

  /** Creates a dataset as {@link #create(String, DataWriter)} does, recording its lineage. */
  Dataset create(String name, Dataset.Lineage lineage, DataWriter writer) throws IOException;

  /** A fresh path for spooling an upload; removed by the caller, and at start if left over. */
  Path scratchFile() throws IOException;

  Optional<Dataset> find(String id);

  /** Every dataset, oldest first. */
  List<Dataset> list();

  /** Deletes a dataset; false when there was none. */
  boolean delete(String id) throws IOException;

  /** The dataset's values, verified against its SHA-256. */
  TableData read(String id) throws IOException;

  /**
   * Rows {@code offset} to {@code offset + limit} of the dataset (fewer at the end), for a preview:
   * the data file's size is checked, not its SHA-256, so a preview does not read the whole file.
   */
  TableData readRows(String id, int offset, int limit) throws IOException;
}

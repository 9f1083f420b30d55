package dev.maas.dataset;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * An uploaded dataset's metadata; the data itself is immutable and stored beside it.
 *
 * @param id {@code ds-} and random hex
 * @param rows the number of rows (examples)
 * @param sha256 the SHA-256 of the stored canonical (columnar) data file
 * @param sizeBytes the size of the stored data file
 * @param shape {@code [rows, columns]} for tables, the feature array's shape {@code [N, ...]} for
 *     NPY
 */
public record Dataset(
    String id,
    String name,
    long rows,
    String sha256,
    long sizeBytes,
    List<Column> columns,
    List<Long> shape,
    Instant createdAt) {

  public Dataset {
    columns = List.copyOf(columns);
    shape = List.copyOf(shape);
  }

  /** A column and its inferred (or declared) type. */
  public record Column(String name, ColumnType type) {}

  /**
   * {@code number}: every value is a finite number, stored as float64; otherwise {@code string}.
   */
  public enum ColumnType {
    @JsonProperty("number")
    NUMBER,
    @JsonProperty("string")
    STRING
  }

  /** The column called {@code name}, or null. */
  public Column column(String name) {
    for (Column c : columns) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    return null;
  }
}

package dev.maas.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
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
 * @param lineage where a dataset that maas computed came from (a prediction job's result), or null
 *     for an upload
 */
public record Dataset(
    String id,
    String name,
    long rows,
    String sha256,
    long sizeBytes,
    List<Column> columns,
    List<Long> shape,
    Instant createdAt,
    @JsonInclude(JsonInclude.Include.NON_NULL) Lineage lineage) {

  public Dataset {
    columns = List.copyOf(columns);
    shape = List.copyOf(shape);
  }

  /** An uploaded dataset: no lineage. */
  public Dataset(
      String id,
      String name,
      long rows,
      String sha256,
      long sizeBytes,
      List<Column> columns,
      List<Long> shape,
      Instant createdAt) {
    this(id, name, rows, sha256, sizeBytes, columns, shape, createdAt, null);
  }

  /**
   * Where a computed dataset came from: the prediction job that wrote it, the model version that
   * scored its rows and the input dataset with the SHA-256 of its data when it was read.
   */
  public record Lineage(
      String predictionJob, String model, int version, String inputDataset, String inputSha256) {}

  /**
   * A column, its inferred (or declared) type and a summary of its values (null in metadata written
   * before summaries existed).
   */
  public record Column(String name, ColumnType type, Summary summary) {
    public Column(String name, ColumnType type) {
      this(name, type, null);
    }
  }

  /**
   * What a column holds, as H2O's frame summary: a {@link NumberSummary} or a {@link TextSummary}.
   */
  @JsonTypeInfo(use = JsonTypeInfo.Id.DEDUCTION)
  @JsonSubTypes({@JsonSubTypes.Type(NumberSummary.class), @JsonSubTypes.Type(TextSummary.class)})
  public sealed interface Summary permits NumberSummary, TextSummary {
    /** How many values are missing. */
    long missing();
  }

  /**
   * A number column's summary: missing values, and the least, greatest and mean of the others (all
   * three null when every value is missing).
   */
  public record NumberSummary(long missing, Double min, Double max, Double mean)
      implements Summary {}

  /**
   * A string column's summary: missing values, how many distinct values the others take, and up to
   * {@link #TOP} of the most frequent, most frequent first (ties in order of first appearance).
   */
  public record TextSummary(long missing, long distinct, List<ValueCount> top) implements Summary {
    public static final int TOP = 5;

    public TextSummary {
      top = List.copyOf(top);
    }
  }

  /** A value and how many rows hold it. */
  public record ValueCount(String value, long count) {}

  /**
   * {@code number}: every value that is not missing is a finite number, stored as float64 (NaN for
   * a missing value); otherwise {@code string}.
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

package dev.maas.dataset;

import dev.maas.dataset.Dataset.Column;
import dev.maas.errors.ConflictException;
import dev.maas.errors.InvalidException;
import dev.maas.errors.NotFoundException;
import dev.maas.errors.TooLargeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.springframework.util.unit.DataSize;

/** Uploads, lists and deletes datasets, keeping the configured limits. */
public class Datasets {
  /** The body formats of an upload. */
  enum Format {
    CSV,
    JSON
  }

  /** One uploaded part: its size (-1 when unknown) and its bytes, opened on demand. */
  record Part(String what, long size, PartStream stream) {}

  interface PartStream {
    InputStream open() throws IOException;
  }

  private final DatasetStore store;
  private final DatasetUsage usage;
  private final DataSize maxUploadSize;
  private final Ingest.Limits limits;

  public Datasets(
      DatasetStore store, DatasetUsage usage, DataSize maxUploadSize, int maxRows, int maxColumns) {
    this.store = store;
    this.usage = usage;
    this.maxUploadSize = maxUploadSize;
    this.limits = new Ingest.Limits(maxRows, maxColumns);
  }

  /** Stores a CSV or JSON table read from {@code body} ({@code declared} bytes, or -1). */
  Dataset uploadTable(String name, Format format, InputStream body, long declared, String target)
      throws IOException {
    return uploadTable(name, format, body, declared, target, null);
  }

  /**
   * Stores a CSV or JSON table, with column types given as {@code "a:number,b:string"} (may be
   * null) winning over inference.
   */
  Dataset uploadTable(
      String name, Format format, InputStream body, long declared, String target, String types)
      throws IOException {
    return uploadTable(name, format, body, declared, target, types, null);
  }

  /**
   * Stores a CSV or JSON table; for CSV, {@code na} (comma-separated, may be null for the defaults)
   * lists the tokens that mean a missing value besides an empty field.
   */
  Dataset uploadTable(
      String name,
      Format format,
      InputStream body,
      long declared,
      String target,
      String types,
      String na)
      throws IOException {
    checkName(name);
    List<String> missing = CsvRows.missingTokens(na);
    java.util.Map<String, Dataset.ColumnType> given = parseTypes(types);
    checkSize("the " + format.name() + " body", declared);
    Path spool = store.scratchFile();
    try {
      long size = spool(body, spool);
      if (size == 0) {
        throw new InvalidException("the " + format.name() + " body is empty");
      }
      Ingest.Opener opener =
          format == Format.CSV
              ? () -> new CsvRows(Files.newInputStream(spool), missing)
              : () -> new JsonRows(Files.newInputStream(spool));
      return store.create(
          name, file -> withTarget(Ingest.table(opener, file, limits, given), target));
    } finally {
      Files.deleteIfExists(spool);
    }
  }

  /**
   * Stores a small table given inside another request (a training job's inline dataset), in the
   * JSON upload's shape: {@code {"columns": [...], "rows": [[...], ...]}} or a list of records.
   */
  public Dataset storeInline(String name, byte[] json) {
    try {
      return uploadTable(
          name, Format.JSON, new java.io.ByteArrayInputStream(json), json.length, null);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot store the inline dataset", e);
    }
  }

  /** Removes a dataset stored by {@link #storeInline} whose request was then refused. */
  public void discardInline(String id) {
    try {
      store.delete(id);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot remove the inline dataset " + id, e);
    }
  }

  /** Stores an NPY feature array with optional labels. */
  Dataset uploadNpy(String name, Part features, Part labels, String target) throws IOException {
    checkName(name);
    checkSize(features.what(), features.size());
    if (labels != null) {
      checkSize(labels.what(), labels.size());
    }
    return store.create(
        name,
        file -> {
          try (NpyArray f = new NpyArray(features.what(), features.stream().open());
              NpyArray l =
                  labels == null ? null : new NpyArray(labels.what(), labels.stream().open())) {
            return withTarget(Ingest.npy(f, l, file, limits), target);
          }
        });
  }

  /** The dataset; throws {@link NotFoundException} when there is none with this id. */
  public Dataset get(String id) {
    return find(id).orElseThrow(() -> notFound(id));
  }

  /** The dataset, or empty when there is none with this id. */
  public Optional<Dataset> find(String id) {
    return store.find(id);
  }

  public List<Dataset> list() {
    return store.list();
  }

  /** The dataset's values, for training. */
  public TableData read(String id) throws IOException {
    get(id);
    return store.read(id);
  }

  /** A page of the dataset's rows, for a preview; 404 when there is no such dataset. */
  TableData rows(String id, int offset, int limit) throws IOException {
    get(id);
    return store.readRows(id, offset, limit);
  }

  /**
   * Rows {@code offset} to {@code offset + limit} of the dataset (fewer at the end), read without
   * reading the rest: what a job reads chunk by chunk. 404 when there is no such dataset.
   */
  public TableData slice(String id, int offset, int limit) throws IOException {
    return rows(id, offset, limit);
  }

  /** Receives the values of a table being written, row by row, column by column. */
  public interface TableSink {
    /** The next value of a number column; NaN is a missing value. */
    void number(int column, double value) throws IOException;

    /** The next value of a string column; null is a missing value. */
    void string(int column, String value) throws IOException;
  }

  /** Writes every row of a table into the sink it is given. */
  public interface TableFiller {
    void fill(TableSink sink) throws IOException;
  }

  /**
   * Stores a table that maas computed (a prediction job's result): {@code rows} rows of {@code
   * columns} (their names and types), written by {@code filler} row by row with constant memory,
   * with its lineage in the metadata. Nothing is stored when the filler fails.
   */
  public Dataset store(
      String name, List<Column> columns, int rows, Dataset.Lineage lineage, TableFiller filler)
      throws IOException {
    checkName(name);
    List<Dataset.ColumnType> types = columns.stream().map(Column::type).toList();
    return store.create(
        name,
        lineage,
        file -> {
          List<Column> summarized = new java.util.ArrayList<>();
          try (TableWriter writer = new TableWriter(file, rows, types)) {
            filler.fill(
                new TableSink() {
                  @Override
                  public void number(int column, double value) throws IOException {
                    writer.number(column, value);
                  }

                  @Override
                  public void string(int column, String value) throws IOException {
                    writer.string(column, value);
                  }
                });
            writer.finish();
            for (int c = 0; c < columns.size(); c++) {
              summarized.add(new Column(columns.get(c).name(), types.get(c), writer.summary(c)));
            }
          }
          return new TableLayout(summarized, rows, List.of((long) rows, (long) columns.size()));
        });
  }

  void delete(String id) throws IOException {
    get(id);
    if (usage.inUse(id)) {
      throw new ConflictException("dataset " + id + " is used by a queued or running job");
    }
    if (!store.delete(id)) {
      throw notFound(id);
    }
  }

  private static NotFoundException notFound(String id) {
    return new NotFoundException("dataset '" + id + "' does not exist");
  }

  private static TableLayout withTarget(TableLayout layout, String target) {
    if (target != null && layout.columns().stream().map(Column::name).noneMatch(target::equals)) {
      throw new InvalidException(
          "the target column '" + target + "' is not among the dataset's columns");
    }
    return layout;
  }

  private static java.util.Map<String, Dataset.ColumnType> parseTypes(String types) {
    java.util.Map<String, Dataset.ColumnType> out = new java.util.LinkedHashMap<>();
    if (types == null || types.isBlank()) {
      return out;
    }
    for (String entry : types.split(",")) {
      int colon = entry.lastIndexOf(':');
      String type = colon < 0 ? "" : entry.substring(colon + 1).trim();
      if (colon <= 0 || !(type.equals("number") || type.equals("string"))) {
        throw new InvalidException("types: '" + entry + "' must be column:number or column:string");
      }
      out.put(
          entry.substring(0, colon).trim(),
          type.equals("number") ? Dataset.ColumnType.NUMBER : Dataset.ColumnType.STRING);
    }
    return out;
  }

  private static void checkName(String name) {
    if (name == null || name.isBlank() || name.length() > 200) {
      throw new InvalidException("'name' must be 1 to 200 characters");
    }
    for (int i = 0; i < name.length(); i++) {
      if (Character.isISOControl(name.charAt(i))) {
        throw new InvalidException("'name' must not hold control characters");
      }
    }
  }

  private void checkSize(String what, long size) {
    if (size > maxUploadSize.toBytes()) {
      throw tooLarge(what + " is " + size + " bytes,");
    }
  }

  private TooLargeException tooLarge(String subject) {
    return new TooLargeException(
        subject
            + " over the limit of "
            + maxUploadSize.toBytes()
            + " bytes ("
            + maxUploadSize
            + ")");
  }

  private long spool(InputStream in, Path target) throws IOException {
    long max = maxUploadSize.toBytes();
    long total = 0;
    byte[] buffer = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        total += n;
        if (total > max) {
          throw tooLarge("the body is");
        }
        out.write(buffer, 0, n);
      }
    }
    return total;
  }
}

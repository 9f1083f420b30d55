package dev.maas.dataset;

import dev.maas.errors.InvalidException;
import dev.maas.web.Paging;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * Datasets over HTTP under /api/v1/datasets: upload (CSV, JSON, NPY), list, get, preview rows,
 * download every row (CSV, JSON Lines), delete.
 */
@RestController
@RequestMapping("/api/v1/datasets")
class DatasetController {
  private final Datasets datasets;
  private final DatasetExport export;

  DatasetController(Datasets datasets) {
    this.datasets = datasets;
    this.export = new DatasetExport(datasets);
  }

  /** A page of datasets, oldest first. */
  record DatasetPage(List<Dataset> datasets, int offset, int limit, int total) {}

  /**
   * A page of a dataset's rows: each row's values in column order, numbers as numbers, strings as
   * strings, null where a value is missing.
   */
  record RowPage(
      List<String> columns, List<List<Object>> rows, int offset, int limit, long total) {}

  @PostMapping(consumes = "text/csv")
  ResponseEntity<Dataset> uploadCsv(
      @RequestParam String name,
      @RequestParam(required = false) String target,
      @RequestParam(required = false) String types,
      @RequestParam(required = false) String na,
      HttpServletRequest request)
      throws IOException {
    return created(
        datasets.uploadTable(
            name,
            Datasets.Format.CSV,
            request.getInputStream(),
            request.getContentLengthLong(),
            target,
            types,
            na));
  }

  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<Dataset> uploadJson(
      @RequestParam String name,
      @RequestParam(required = false) String target,
      HttpServletRequest request)
      throws IOException {
    return created(
        datasets.uploadTable(
            name,
            Datasets.Format.JSON,
            request.getInputStream(),
            request.getContentLengthLong(),
            target));
  }

  /** NPY: a {@code features} part [N, ...] and an optional {@code labels} part [N]. */
  @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  ResponseEntity<Dataset> uploadNpy(
      @RequestParam String name,
      @RequestParam(required = false) String target,
      @RequestPart("features") MultipartFile features,
      @RequestPart(value = "labels", required = false) MultipartFile labels)
      throws IOException {
    if (labels == null && target == null) {
      throw new InvalidException(
          "an NPY upload needs a 'labels' part or a 'target' column among the features (x0, x1, …)");
    }
    return created(
        datasets.uploadNpy(
            name,
            part("the features part", features),
            labels == null ? null : part("the labels part", labels),
            target));
  }

  private static Datasets.Part part(String what, MultipartFile file) {
    return new Datasets.Part(what, file.getSize(), file::getInputStream);
  }

  private static ResponseEntity<Dataset> created(Dataset d) {
    return ResponseEntity.created(URI.create("/api/v1/datasets/" + d.id())).body(d);
  }

  @GetMapping
  DatasetPage list(
      @RequestParam(defaultValue = "0") int offset,
      @RequestParam(defaultValue = Paging.DEFAULT_LIMIT_TEXT) int limit) {
    Paging page = new Paging(offset, limit);
    List<Dataset> all = datasets.list();
    return new DatasetPage(page.of(all), offset, limit, all.size());
  }

  @GetMapping("/{id}")
  Dataset get(@PathVariable String id) {
    return datasets.get(id);
  }

  @GetMapping("/{id}/rows")
  RowPage rows(
      @PathVariable String id,
      @RequestParam(defaultValue = "0") int offset,
      @RequestParam(defaultValue = Paging.DEFAULT_LIMIT_TEXT) int limit)
      throws IOException {
    new Paging(offset, limit);
    TableData data = datasets.rows(id, offset, limit);
    List<Dataset.Column> columns = data.dataset().columns();
    List<Object[]> values = new ArrayList<>();
    for (Dataset.Column c : columns) {
      values.add(
          c.type() == Dataset.ColumnType.NUMBER
              ? boxed(data.column(c.name()))
              : data.stringColumn(c.name()));
    }
    List<List<Object>> rows = new ArrayList<>(data.rows());
    for (int r = 0; r < data.rows(); r++) {
      List<Object> row = new ArrayList<>(columns.size());
      for (Object[] column : values) {
        row.add(column[r]);
      }
      rows.add(row);
    }
    return new RowPage(
        columns.stream().map(Dataset.Column::name).toList(),
        rows,
        offset,
        limit,
        data.dataset().rows());
  }

  /**
   * Every row of the dataset, streamed as CSV ({@code text/csv}, the default) or JSON Lines ({@code
   * application/x-ndjson}) as the {@code Accept} header asks; 406 when it accepts neither.
   */
  @GetMapping("/{id}/data")
  void data(
      @PathVariable String id,
      @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept,
      HttpServletResponse response)
      throws IOException, HttpMediaTypeNotAcceptableException {
    DatasetExport.Format format = format(accept);
    Dataset dataset = export.dataset(id);
    response.setStatus(HttpStatus.OK.value());
    response.setContentType(format.mediaType() + ";charset=UTF-8");
    response.setHeader(
        HttpHeaders.CONTENT_DISPOSITION,
        ContentDisposition.attachment()
            .filename(id + (format == DatasetExport.Format.CSV ? ".csv" : ".ndjson"))
            .build()
            .toString());
    response.setHeader("X-Dataset-SHA256", dataset.sha256());
    export.write(dataset, format, response.getOutputStream());
  }

  private static final List<MediaType> DOWNLOADS =
      List.of(
          MediaType.parseMediaType("text/csv"), MediaType.parseMediaType("application/x-ndjson"));

  /** The download format the Accept header prefers (by quality, then order); CSV when absent. */
  static DatasetExport.Format format(String accept) throws HttpMediaTypeNotAcceptableException {
    if (accept == null || accept.isBlank()) {
      return DatasetExport.Format.CSV;
    }
    List<MediaType> accepted;
    try {
      accepted = new ArrayList<>(MediaType.parseMediaTypes(accept));
    } catch (InvalidMediaTypeException e) {
      throw new HttpMediaTypeNotAcceptableException(DOWNLOADS);
    }
    accepted.sort(Comparator.comparingDouble(MediaType::getQualityValue).reversed());
    for (MediaType m : accepted) {
      if (m.getQualityValue() <= 0) {
        continue;
      }
      for (int f = 0; f < DOWNLOADS.size(); f++) {
        if (m.includes(DOWNLOADS.get(f))) {
          return DatasetExport.Format.values()[f];
        }
      }
    }
    throw new HttpMediaTypeNotAcceptableException(DOWNLOADS);
  }

  private static Object[] boxed(double[] values) {
    Object[] out = new Object[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Double.isNaN(values[i]) ? null : values[i];
    }
    return out;
  }

  @DeleteMapping("/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void delete(@PathVariable String id) throws IOException {
    datasets.delete(id);
  }
}

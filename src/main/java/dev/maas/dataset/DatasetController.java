package dev.maas.dataset;

import dev.maas.errors.InvalidException;
import dev.maas.web.Paging;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * Datasets over HTTP under /api/v1/datasets: upload (CSV, JSON, NPY), list, get, preview rows,
 * delete.
 */
@RestController
@RequestMapping("/api/v1/datasets")
class DatasetController {
  private final Datasets datasets;

  DatasetController(Datasets datasets) {
    this.datasets = datasets;
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

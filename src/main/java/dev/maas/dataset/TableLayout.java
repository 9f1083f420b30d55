package dev.maas.dataset;

import dev.maas.dataset.Dataset.Column;
import java.util.List;

/** What a data file holds: its columns, the number of rows and the data's shape. */
public record TableLayout(List<Column> columns, long rows, List<Long> shape) {
  public TableLayout {
    columns = List.copyOf(columns);
    shape = List.copyOf(shape);
  }
}

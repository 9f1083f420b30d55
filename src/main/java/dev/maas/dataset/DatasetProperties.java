package dev.maas.dataset;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code maas.datasets.*}: limits of dataset uploads.
 *
 * @param maxUploadSize the largest upload (CSV or JSON body, or each NPY part) accepted; a larger
 *     one is refused, before it is read when its size is declared
 * @param maxRows the most rows a dataset may have
 * @param maxColumns the most columns a dataset may have
 */
@ConfigurationProperties("maas.datasets")
@Validated
public record DatasetProperties(
    @DefaultValue("256MB") DataSize maxUploadSize,
    @DefaultValue("10000000") @Min(1) int maxRows,
    @DefaultValue("10000") @Min(1) int maxColumns) {
  public DatasetProperties {
    if (maxUploadSize.toBytes() < 1) {
      throw new IllegalArgumentException("maas.datasets.max-upload-size must be at least 1B");
    }
  }
}

package dev.maas;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Every setting of maas, under {@code maas.*}.
 *
 * @param storage where the embedded stores keep their files
 */
@ConfigurationProperties("maas")
public record MaasProperties(Storage storage) {

  public MaasProperties {
    if (storage == null) {
      storage = new Storage(null);
    }
  }

  /**
   * @param path the data directory of the embedded stores (default {@code ./data})
   */
  public record Storage(Path path) {
    public Storage {
      if (path == null) {
        path = Path.of("data");
      }
    }
  }
}

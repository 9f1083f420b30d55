package dev.maas;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Every setting of maas, under {@code maas.*}.
 *
 * @param storage where the embedded stores keep their files
 * @param registry limits of the model registry's API
 */
@ConfigurationProperties("maas")
public record MaasProperties(Storage storage, Registry registry) {

  public MaasProperties {
    if (storage == null) {
      storage = new Storage(null);
    }
    if (registry == null) {
      registry = new Registry(null);
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

  /**
   * @param maxArtifactSize the largest model file an import accepts (default 256MB); larger uploads
   *     are refused with 413 before they are read
   */
  public record Registry(DataSize maxArtifactSize) {
    public Registry {
      if (maxArtifactSize == null) {
        maxArtifactSize = DataSize.ofMegabytes(256);
      }
    }
  }
}

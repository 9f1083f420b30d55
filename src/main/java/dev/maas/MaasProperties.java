package dev.maas;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Every setting of maas, under {@code maas.*}.
 *
 * @param storage where the embedded stores keep their files
 * @param registry limits of the model registry's API
 * @param datasets limits of dataset uploads
 * @param training the training job queue and its workers
 * @param serving the prediction endpoints: model cache, batching and request limits
 */
@ConfigurationProperties("maas")
public record MaasProperties(
    Storage storage, Registry registry, Datasets datasets, Training training, Serving serving) {

  public MaasProperties {
    if (storage == null) {
      storage = new Storage(null);
    }
    if (registry == null) {
      registry = new Registry(null);
    }
    if (datasets == null) {
      datasets = new Datasets(null, null, null);
    }
    if (training == null) {
      training = new Training(null, null, null, null);
    }
    if (serving == null) {
      serving = new Serving(null, null, null, null, null, null);
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

  /**
   * @param maxUploadSize the largest upload (CSV or JSON body, or each NPY part) accepted (default
   *     256MB); larger ones are refused with 413, before they are read when their size is declared
   * @param maxRows the most rows a dataset may have (default 10,000,000); more is a 400
   * @param maxColumns the most columns a dataset may have (default 10,000); more is a 400
   */
  public record Datasets(DataSize maxUploadSize, Integer maxRows, Integer maxColumns) {
    public Datasets {
      if (maxUploadSize == null) {
        maxUploadSize = DataSize.ofMegabytes(256);
      }
      if (maxRows == null) {
        maxRows = 10_000_000;
      }
      if (maxColumns == null) {
        maxColumns = 10_000;
      }
    }
  }

  /**
   * @param workers jobs trained at the same time, each on its own thread (default 1, which suits a
   *     2-core machine: one training job keeps the cores busy through ND4J's own threads)
   * @param queueCapacity jobs that may wait for a worker (default 16); a submission beyond it is
   *     answered 429 with Retry-After
   * @param wallClockLimit the longest a job may train before it fails with that reason (default 0:
   *     no limit)
   * @param maxEpochRows the most epochs x training rows a job may ask for (default 1,000,000,000);
   *     more is a 400 at submission
   */
  public record Training(
      Integer workers, Integer queueCapacity, Duration wallClockLimit, Long maxEpochRows) {
    public Training {
      if (workers == null) {
        workers = 1;
      }
      if (queueCapacity == null) {
        queueCapacity = 16;
      }
      if (wallClockLimit == null) {
        wallClockLimit = Duration.ZERO;
      }
      if (maxEpochRows == null) {
        maxEpochRows = 1_000_000_000L;
      }
      if (workers < 1 || queueCapacity < 1 || wallClockLimit.isNegative() || maxEpochRows < 1) {
        throw new IllegalArgumentException(
            "maas.training: workers, queue-capacity and max-epoch-rows must be at least 1 and"
                + " wall-clock-limit not negative");
      }
    }
  }

  /**
   * @param cacheSize native memory the loaded models may hold together (default 1GB); the least
   *     recently used idle model is unloaded first when a load would go over it (a single model
   *     larger than the budget is still served, alone)
   * @param maxBatchRows the most rows one merged prediction call takes (default 64)
   * @param maxBatchWait how long a merged call waits for requests already in flight to join it
   *     (default 1ms); a lone request never waits
   * @param maxInstances the most instances one prediction request may carry (default 10,000); more
   *     is a 400
   * @param maxRequestSize the largest prediction request body (default 16MB); larger is a 413
   * @param unloadAfter how long a loaded version that no alias points at any more, and that is not
   *     the latest, stays loaded without serving a request before it is unloaded (default 60s)
   */
  public record Serving(
      DataSize cacheSize,
      Integer maxBatchRows,
      Duration maxBatchWait,
      Integer maxInstances,
      DataSize maxRequestSize,
      Duration unloadAfter) {
    public Serving {
      if (cacheSize == null) {
        cacheSize = DataSize.ofGigabytes(1);
      }
      if (maxBatchRows == null) {
        maxBatchRows = 64;
      }
      if (maxBatchWait == null) {
        maxBatchWait = Duration.ofMillis(1);
      }
      if (maxInstances == null) {
        maxInstances = 10_000;
      }
      if (maxRequestSize == null) {
        maxRequestSize = DataSize.ofMegabytes(16);
      }
      if (unloadAfter == null) {
        unloadAfter = Duration.ofSeconds(60);
      }
      if (maxBatchRows < 1
          || maxInstances < 1
          || maxBatchWait.isNegative()
          || unloadAfter.isNegative()
          || cacheSize.toBytes() < 1
          || maxRequestSize.toBytes() < 1) {
        throw new IllegalArgumentException(
            "maas.serving: sizes and counts must be at least 1 and durations not negative");
      }
    }
  }
}

package dev.maas;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Every setting of maas, under {@code maas.*}.
 *
 * @param storage where the embedded stores keep their files
 * @param registry limits of the model registry's API
 * @param datasets limits of dataset uploads
 * @param training the training job queue and its workers
 * @param security API keys, their roles and the per-key rate limit
 * @param serving the prediction endpoints: model cache, batching and request limits
 * @param cost prices the capacity report turns usage into money with
 * @param capacity how the capacity report sizes a replica
 */
@ConfigurationProperties("maas")
public record MaasProperties(
    Storage storage,
    Registry registry,
    Datasets datasets,
    Training training,
    Security security,
    Serving serving,
    Cost cost,
    Capacity capacity) {

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
      training = new Training(null, null, null, null, null, null, null);
    }
    if (security == null) {
      security = new Security(null, null, null, null, null, null);
    }
    if (serving == null) {
      serving = new Serving(null, null, null, null, null, null);
    }
    if (cost == null) {
      cost = new Cost(null, null, null, null);
    }
    if (capacity == null) {
      capacity = new Capacity(null, null);
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
   * @param workers jobs trained at the same time, each on its own thread (default 1). ND4J runs one
   *     OpenMP thread ({@code OMP_NUM_THREADS=1}), so a job keeps one core busy, not all of them:
   *     the default leaves the other cores of a small machine to serving
   * @param queueCapacity jobs that may wait for a worker (default 16); a submission beyond it is
   *     answered 429 with Retry-After
   * @param wallClockLimit the longest a job may train before it fails with that reason (default 0:
   *     no limit)
   * @param maxEpochRows the most epochs x training rows a job may run (default 1,000,000,000); the
   *     rows are known only once the job reads its dataset, so a larger job is accepted (202) and
   *     then fails with an error naming this limit
   * @param maxJobsPerKey the most queued and running jobs one API key may have (default 4); one
   *     more is answered 429 with Retry-After (not applied when security is disabled)
   * @param checkpointInterval how often a running job writes a checkpoint, at the first epoch
   *     boundary after the interval (default 30s; 0 turns checkpoints off): a job interrupted by a
   *     restart resumes from its latest checkpoint
   * @param maxAttempts how many times in a row the server's process may stop while a job runs
   *     without the job writing a new checkpoint in between before the job is failed (default 3)
   */
  public record Training(
      Integer workers,
      Integer queueCapacity,
      Duration wallClockLimit,
      Long maxEpochRows,
      Integer maxJobsPerKey,
      Duration checkpointInterval,
      Integer maxAttempts) {
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
      if (maxJobsPerKey == null) {
        maxJobsPerKey = 4;
      }
      if (checkpointInterval == null) {
        checkpointInterval = Duration.ofSeconds(30);
      }
      if (maxAttempts == null) {
        maxAttempts = 3;
      }
      if (workers < 1
          || queueCapacity < 1
          || wallClockLimit.isNegative()
          || maxEpochRows < 1
          || maxJobsPerKey < 1
          || checkpointInterval.isNegative()
          || maxAttempts < 1) {
        throw new IllegalArgumentException(
            "maas.training: workers, queue-capacity, max-epoch-rows, max-jobs-per-key and"
                + " max-attempts must be at least 1, wall-clock-limit and checkpoint-interval not"
                + " negative");
      }
    }
  }

  /**
   * @param enabled whether requests need an API key (default true); {@code false} opens every
   *     endpoint, for local tinkering only, and logs a warning at every start
   * @param keys the API keys: each a name, the SHA-256 of the key in hex and its roles ({@code
   *     predict}, {@code train}, {@code admin})
   * @param keysFile a file (YAML or JSON, e.g. a mounted Secret) holding more keys as a list of the
   *     same entries; when neither this nor {@code keys} names a key, an admin key is generated at
   *     first start, printed once in the log, and only its hash is kept in the data directory
   * @param scrapeOpen whether {@code /actuator/prometheus} answers without a key (default true);
   *     otherwise it needs an admin key
   * @param requestsPerSecond the sustained requests per second each key may make (default 200; 0
   *     turns the rate limit off); one more is answered 429 with Retry-After
   * @param burst the requests a key may make at once above the sustained rate (default twice {@code
   *     requestsPerSecond})
   */
  public record Security(
      Boolean enabled,
      List<ApiKey> keys,
      Path keysFile,
      Boolean scrapeOpen,
      Integer requestsPerSecond,
      Integer burst) {
    public Security {
      if (enabled == null) {
        enabled = true;
      }
      keys = keys == null ? List.of() : List.copyOf(keys);
      if (scrapeOpen == null) {
        scrapeOpen = true;
      }
      if (requestsPerSecond == null) {
        requestsPerSecond = 200;
      }
      if (burst == null) {
        burst = 2 * requestsPerSecond;
      }
      if (requestsPerSecond < 0 || burst < 0 || (requestsPerSecond > 0 && burst < 1)) {
        throw new IllegalArgumentException(
            "maas.security: requests-per-second and burst must not be negative, and burst at least"
                + " 1 when there is a rate limit");
      }
    }

    /**
     * @param name the key's name, shown in logs and recorded on the training jobs it submits
     * @param sha256 the SHA-256 of the key, 64 hex digits
     * @param roles {@code predict}, {@code train} and/or {@code admin}
     */
    public record ApiKey(String name, String sha256, List<String> roles) {}
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

  /**
   * Prices ({@code maas.cost.*}); the defaults are round on-demand cloud list prices, to be
   * replaced by yours.
   *
   * @param currency the ISO 4217 code every cost is given in (default USD)
   * @param cpuCoreHour price of one CPU core for one hour (default 0.04)
   * @param memoryGibHour price of one GiB of memory for one hour (default 0.005)
   * @param storageGibMonth price of one GiB stored for one month (default 0.10)
   */
  public record Cost(
      String currency, Double cpuCoreHour, Double memoryGibHour, Double storageGibMonth) {
    public Cost {
      currency = currency == null || currency.isBlank() ? "USD" : currency;
      cpuCoreHour = cpuCoreHour == null ? 0.04 : cpuCoreHour;
      memoryGibHour = memoryGibHour == null ? 0.005 : memoryGibHour;
      storageGibMonth = storageGibMonth == null ? 0.10 : storageGibMonth;
      if (cpuCoreHour < 0 || memoryGibHour < 0 || storageGibMonth < 0) {
        throw new IllegalArgumentException("maas.cost: prices must not be negative");
      }
    }
  }

  /**
   * @param replicaCpus CPU cores one serving replica has, for throughput and replica counts
   *     (default 0: this JVM's {@code Runtime.availableProcessors()})
   * @param benchmark whether a short ND4J matrix-product benchmark runs in the background at start,
   *     giving the FLOP rate training forecasts fall back on without history (default true)
   */
  public record Capacity(Integer replicaCpus, Boolean benchmark) {
    public Capacity {
      replicaCpus = replicaCpus == null ? 0 : replicaCpus;
      benchmark = benchmark == null || benchmark;
      if (replicaCpus < 0) {
        throw new IllegalArgumentException("maas.capacity.replica-cpus must not be negative");
      }
    }

    /** The cores of one replica: {@link #replicaCpus}, or this JVM's when that is 0. */
    public int cores() {
      return replicaCpus > 0 ? replicaCpus : Runtime.getRuntime().availableProcessors();
    }
  }
}

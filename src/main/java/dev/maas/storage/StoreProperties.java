package dev.maas.storage;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code maas.store.*}: where metadata and bytes live.
 *
 * @param type {@code embedded}: files under {@code maas.storage.path}, one replica; {@code shared}:
 *     metadata in PostgreSQL ({@code spring.datasource.url}, {@code username}, {@code password})
 *     and bytes in an S3-compatible object store ({@code maas.store.s3.*}), so that several
 *     replicas serve and train together
 * @param pollInterval in shared mode, how often each replica reads the registry's change counters
 *     from the database, the fallback when a change notification is lost
 * @param jobLease in shared mode, how long a replica holds the training and prediction jobs it runs
 *     without renewing (it renews every third of it): a replica that dies loses its jobs to another
 *     replica this long after its last renewal; one that stops cleanly hands them back
 * @param s3 the object store of shared mode
 */
@ConfigurationProperties("maas.store")
@Validated
public record StoreProperties(
    @DefaultValue("embedded") @NotNull Type type,
    @DefaultValue("5s") @NotNull Duration pollInterval,
    @DefaultValue("15s") @NotNull Duration jobLease,
    @DefaultValue @Valid S3 s3) {

  /** Where metadata and bytes live. */
  public enum Type {
    EMBEDDED,
    SHARED
  }

  public StoreProperties {
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("maas.store.poll-interval must be positive");
    }
    if (jobLease.toMillis() < 300) {
      throw new IllegalArgumentException("maas.store.job-lease must be at least 300ms");
    }
    if (type == Type.SHARED && (s3 == null || s3.bucket() == null || s3.bucket().isBlank())) {
      throw new IllegalArgumentException(
          "maas.store.type=shared needs maas.store.s3.bucket, the bucket that holds the bytes");
    }
  }

  /**
   * {@code maas.store.s3.*}: the S3-compatible object store of shared mode; credentials come from
   * the AWS SDK's default chain ({@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, a
   * profile, IRSA, workload identity).
   *
   * @param endpoint the store's URL, e.g. {@code http://minio:9000}; empty for AWS S3 itself
   * @param bucket the bucket (it must exist)
   * @param region the region to sign requests for
   * @param pathStyleAccess address buckets as {@code endpoint/bucket} instead of {@code
   *     bucket.endpoint} (MinIO, S3Proxy and most self-hosted stores need it)
   * @param partSize the part size of multipart uploads: larger objects stream up in parts of this
   *     size, never whole in memory
   */
  public record S3(
      URI endpoint,
      String bucket,
      @DefaultValue("us-east-1") @NotNull String region,
      @DefaultValue("false") boolean pathStyleAccess,
      @DefaultValue("8MB") @NotNull org.springframework.util.unit.DataSize partSize) {
    public S3 {
      if (partSize.toBytes() < 5L * 1024 * 1024) {
        throw new IllegalArgumentException(
            "maas.store.s3.part-size must be at least 5MB (S3's smallest part)");
      }
    }
  }

  public boolean shared() {
    return type == Type.SHARED;
  }
}

package dev.maas.storage;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The bytes of shared mode in an S3-compatible bucket, through the AWS SDK v2 (credentials from its
 * default chain). Objects are written whole: a single PUT, or for anything larger than a part a
 * multipart upload streamed part by part and aborted when it fails, so a reader sees an object
 * whole or not at all. Callers check each object's SHA-256 against the one the database records.
 */
public final class ObjectStore implements AutoCloseable {
  private final S3Client s3;
  private final String bucket;
  private final int partSize;

  ObjectStore(S3Client s3, String bucket, int partSize) {
    this.s3 = s3;
    this.bucket = bucket;
    this.partSize = partSize;
  }

  /** A client for {@code maas.store.s3.*}. */
  static ObjectStore connect(StoreProperties.S3 settings) {
    S3ClientBuilder builder =
        S3Client.builder()
            .region(Region.of(settings.region()))
            .forcePathStyle(settings.pathStyleAccess())
            // Checksums only where S3 requires them: many S3-compatible stores (S3Proxy, older
            // MinIO) reject the SDK's newer default trailing checksums, and maas checks every
            // object's SHA-256 against the database itself.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    return new ObjectStore(
        builder.build(),
        settings.bucket(),
        (int) Math.min(Integer.MAX_VALUE - 64, settings.partSize().toBytes()));
  }

  /** Checks that the bucket can be reached, naming it and the cause when not. */
  void check() {
    try {
      s3.headBucket(b -> b.bucket(bucket));
    } catch (SdkException e) {
      throw new IllegalStateException(
          "the object store's bucket '" + bucket + "' cannot be reached: " + e.getMessage(), e);
    }
  }

  public String bucket() {
    return bucket;
  }

  /** Stores {@code bytes} as {@code key}, replacing any object there. */
  public void put(String key, byte[] bytes) throws IOException {
    if (bytes.length > partSize) {
      put(key, new ByteArrayInputStream(bytes));
      return;
    }
    try {
      s3.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
    } catch (SdkException e) {
      throw new IOException("cannot store object " + key + ": " + e.getMessage(), e);
    }
  }

  /** Streams a file up as {@code key}. */
  public void put(String key, Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      put(key, in);
    }
  }

  /**
   * Streams {@code in} up as {@code key}: one PUT when it fits in a part, else a multipart upload
   * holding one part in memory at a time.
   */
  public void put(String key, InputStream in) throws IOException {
    byte[] part = new byte[partSize];
    int first = in.readNBytes(part, 0, partSize);
    if (first < partSize) {
      try {
        s3.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromBytes(copy(part, first)));
      } catch (SdkException e) {
        throw new IOException("cannot store object " + key + ": " + e.getMessage(), e);
      }
      return;
    }
    String upload;
    try {
      upload = s3.createMultipartUpload(c -> c.bucket(bucket).key(key)).uploadId();
    } catch (SdkException e) {
      throw new IOException("cannot start uploading object " + key + ": " + e.getMessage(), e);
    }
    try {
      List<CompletedPart> parts = new ArrayList<>();
      int length = first;
      while (length > 0) {
        int number = parts.size() + 1;
        long size = length;
        String etag =
            s3.uploadPart(
                    u ->
                        u.bucket(bucket)
                            .key(key)
                            .uploadId(upload)
                            .partNumber(number)
                            .contentLength(size),
                    RequestBody.fromBytes(copy(part, length)))
                .eTag();
        parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
        length = in.readNBytes(part, 0, partSize);
      }
      s3.completeMultipartUpload(
          c -> c.bucket(bucket).key(key).uploadId(upload).multipartUpload(m -> m.parts(parts)));
    } catch (IOException | RuntimeException e) {
      try {
        s3.abortMultipartUpload(a -> a.bucket(bucket).key(key).uploadId(upload));
      } catch (SdkException abort) {
        e.addSuppressed(abort);
      }
      if (e instanceof SdkException) {
        throw new IOException("cannot store object " + key + ": " + e.getMessage(), e);
      }
      throw e;
    }
  }

  private static byte[] copy(byte[] buffer, int length) {
    return length == buffer.length ? buffer.clone() : java.util.Arrays.copyOf(buffer, length);
  }

  /** The object's bytes; {@link FileNotFoundException} when there is none. */
  public byte[] get(String key) throws IOException {
    try (InputStream in = open(key)) {
      return in.readAllBytes();
    }
  }

  /** Streams the object down into {@code target} (replaced), via a temporary file beside it. */
  public void download(String key, Path target) throws IOException {
    Path partial =
        target.resolveSibling(
            target.getFileName()
                + "."
                + java.util.UUID.randomUUID()
                + DurableFiles.TEMPORARY_SUFFIX);
    try (InputStream in = open(key)) {
      Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
      Files.move(
          partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  /** The object as a stream; {@link FileNotFoundException} when there is none. */
  public InputStream open(String key) throws IOException {
    try {
      ResponseInputStream<GetObjectResponse> in = s3.getObject(g -> g.bucket(bucket).key(key));
      return in;
    } catch (NoSuchKeyException e) {
      throw new FileNotFoundException("no object " + key);
    } catch (SdkException e) {
      throw new IOException("cannot read object " + key + ": " + e.getMessage(), e);
    }
  }

  /** Whether an object named {@code key} exists. */
  public boolean exists(String key) {
    try {
      s3.headObject(h -> h.bucket(bucket).key(key));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw new UncheckedIOException(new IOException("cannot look up object " + key, e));
    }
  }

  /** The keys under {@code prefix}, sorted. */
  public List<String> list(String prefix) {
    List<String> keys = new ArrayList<>();
    try {
      ListObjectsV2Request.Builder request =
          ListObjectsV2Request.builder().bucket(bucket).prefix(prefix);
      ListObjectsV2Response page;
      do {
        page = s3.listObjectsV2(request.build());
        for (S3Object o : page.contents()) {
          keys.add(o.key());
        }
        request.continuationToken(page.nextContinuationToken());
      } while (Boolean.TRUE.equals(page.isTruncated()));
    } catch (SdkException e) {
      throw new UncheckedIOException(
          new IOException("cannot list objects under " + prefix + ": " + e.getMessage(), e));
    }
    keys.sort(null);
    return keys;
  }

  /** Deletes an object; nothing when there is none. */
  public void delete(String key) throws IOException {
    try {
      s3.deleteObject(d -> d.bucket(bucket).key(key));
    } catch (NoSuchKeyException e) {
      // already gone
    } catch (SdkException e) {
      throw new IOException("cannot delete object " + key + ": " + e.getMessage(), e);
    }
  }

  /** Deletes every object under {@code prefix}. */
  public void deleteAll(String prefix) throws IOException {
    for (String key : list(prefix)) {
      delete(key);
    }
  }

  @Override
  public void close() {
    s3.close();
  }
}

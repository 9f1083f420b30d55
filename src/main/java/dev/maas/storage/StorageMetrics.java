package dev.maas.storage;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;

/**
 * The data directory's meters: bytes its files use ({@code maas.storage.used.bytes}, from a walk of
 * the folder at most every {@code rewalk}) and bytes free on its file system ({@code
 * maas.storage.free.bytes}, {@code maas.storage.total.bytes}).
 */
public final class StorageMetrics implements MeterBinder {
  private final Path root;
  private final long rewalkNanos;
  private long walkedAt;
  private long used = -1;

  public StorageMetrics(Path root, Duration rewalk) {
    this.root = root;
    this.rewalkNanos = rewalk.toNanos();
  }

  @Override
  public void bindTo(MeterRegistry meters) {
    Gauge.builder("maas.storage.used", this, StorageMetrics::usedBytes)
        .description("Bytes of the files under the data directory (maas.storage.path)")
        .baseUnit("bytes")
        .register(meters);
    Gauge.builder("maas.storage.free", this, m -> m.space(false))
        .description("Bytes free for maas on the data directory's file system")
        .baseUnit("bytes")
        .register(meters);
    Gauge.builder("maas.storage.total", this, m -> m.space(true))
        .description("Size of the data directory's file system")
        .baseUnit("bytes")
        .register(meters);
  }

  /** Bytes of the files under the data directory, walked again when the last walk is stale. */
  public synchronized double usedBytes() {
    long now = System.nanoTime();
    if (used < 0 || now - walkedAt > rewalkNanos) {
      used = walk();
      walkedAt = now;
    }
    return used;
  }

  private double space(boolean total) {
    try {
      var store = Files.getFileStore(root);
      return total ? store.getTotalSpace() : store.getUsableSpace();
    } catch (IOException e) {
      return Double.NaN;
    }
  }

  private long walk() {
    long[] sum = {0};
    if (!Files.isDirectory(root)) {
      return 0;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              sum[0] += attrs.size();
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      return sum[0];
    }
    return sum[0];
  }
}

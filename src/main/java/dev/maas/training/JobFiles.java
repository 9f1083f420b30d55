package dev.maas.training;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Durable, atomic file writes, as the registry makes them: a temporary file beside the target,
 * fsync, rename into place, fsync the folder.
 */
final class JobFiles {
  static final String TEMPORARY_SUFFIX = ".tmp";

  private JobFiles() {}

  static void write(Path target, byte[] bytes) throws IOException {
    Path temporary =
        target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + TEMPORARY_SUFFIX);
    try {
      try (FileChannel channel =
          FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(
          temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temporary);
    }
    try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    }
  }
}

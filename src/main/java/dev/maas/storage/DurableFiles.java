package dev.maas.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The storage rules every embedded store follows (registry, datasets, jobs, checkpoints): a file is
 * written to a temporary beside its target, fsynced, renamed into place and its folder fsynced, so
 * after a crash it holds the old or the new content, never a mix. A folder is deleted by renaming
 * it away first ({@link #deleteByRename}), so it is gone at once even if the process dies while its
 * files are removed. Leftovers of either ({@link #isLeftover}: temporaries end in {@link
 * #TEMPORARY_SUFFIX}, renamed-away folders start with {@link #DELETED_PREFIX}) are removed by each
 * store when it scans its folder at start.
 */
public final class DurableFiles {
  /** The suffix of every temporary file or folder a store writes. */
  public static final String TEMPORARY_SUFFIX = ".tmp";

  /** The prefix of a folder renamed away to be deleted. */
  public static final String DELETED_PREFIX = ".deleted-";

  private DurableFiles() {}

  /** Replaces (or creates) {@code target} with {@code bytes}, atomically and durably. */
  public static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path temporary =
        target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + TEMPORARY_SUFFIX);
    try {
      writeNew(temporary, bytes);
      Files.move(
          temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temporary);
    }
    syncDirectory(target.getParent());
  }

  /** Writes a file that must not exist yet and forces it to disk (its folder is not synced). */
  public static void writeNew(Path file, byte[] bytes) throws IOException {
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
  }

  /** Makes a folder's entries (created, renamed, deleted files) durable. */
  public static void syncDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /**
   * Deletes the folder {@code dir} durably: renames it atomically to a {@link #DELETED_PREFIX} name
   * beside it and fsyncs the parent (from here on it is gone, after a crash too), then removes the
   * renamed tree.
   */
  public static void deleteByRename(Path dir) throws IOException {
    Path doomed = dir.resolveSibling(DELETED_PREFIX + dir.getFileName() + "-" + UUID.randomUUID());
    Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory(dir.getParent());
    deleteTree(doomed);
  }

  /**
   * Whether an entry of a store's folder is the leftover of a write or delete that a crash
   * interrupted: a temporary, or a folder renamed away to be deleted. Stores remove these at start.
   */
  public static boolean isLeftover(Path entry) {
    String name = entry.getFileName().toString();
    return name.endsWith(TEMPORARY_SUFFIX) || name.startsWith(DELETED_PREFIX);
  }

  /** Deletes a folder and everything in it; nothing when it does not exist. */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** The SHA-256 of a file in lower-case hex, read as a stream. */
  public static String sha256(Path file) throws IOException {
    MessageDigest digest = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** The SHA-256 of {@code bytes} in lower-case hex. */
  public static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

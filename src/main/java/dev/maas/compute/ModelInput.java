package dev.maas.compute;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The bytes of a model file, read in order: tracks the position and the running CRC-32C of
 * everything read, and reads in chunks so that memory grows with the bytes that actually arrive,
 * never with a length the file merely claims.
 */
final class ModelInput {
  /** Bytes per chunk; a multiple of every tensor type's width. */
  static final int CHUNK = 1 << 20;

  private final InputStream in;
  private final long knownLength;
  private final CRC32C crc = new CRC32C();
  private long position;

  /**
   * @param knownLength the number of bytes {@code in} holds when known (a byte array), else -1
   */
  ModelInput(InputStream in, long knownLength) {
    this.in = in;
    this.knownLength = knownLength;
  }

  /** Bytes read so far. */
  long position() {
    return position;
  }

  /** CRC-32C of every byte read so far. */
  long checksum() {
    return crc.getValue();
  }

  /** Up to {@code n} bytes: fewer only at the end of the stream. */
  byte[] readUpTo(int n) throws IOException {
    byte[] bytes = in.readNBytes(n);
    crc.update(bytes);
    position += bytes.length;
    return bytes;
  }

  /** Exactly {@code n} bytes (at most a few MiB), or a "truncated" error naming {@code what}. */
  byte[] readBytes(int n, String what) throws IOException {
    List<byte[]> chunks = readChunks(n, what);
    if (chunks.size() == 1) {
      return chunks.get(0);
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] chunk : chunks) {
      System.arraycopy(chunk, 0, out, at, chunk.length);
      at += chunk.length;
    }
    return out;
  }

  /** A little-endian unsigned 32-bit integer. */
  long readUint32(String what) throws IOException {
    byte[] b = readBytes(4, what);
    return (b[0] & 0xFFL) | (b[1] & 0xFFL) << 8 | (b[2] & 0xFFL) << 16 | (b[3] & 0xFFL) << 24;
  }

  /**
   * Exactly {@code n} bytes as chunks of {@link #CHUNK} bytes (the last one shorter), each
   * allocated only once the bytes before it have arrived.
   */
  List<byte[]> readChunks(long n, String what) throws IOException {
    checkRemaining(n, what);
    List<byte[]> chunks = new ArrayList<>();
    long done = 0;
    do {
      byte[] chunk = new byte[(int) Math.min(CHUNK, n - done)];
      fill(chunk, n, done, what);
      chunks.add(chunk);
      done += chunk.length;
    } while (done < n);
    return chunks;
  }

  /** Reads and checksums {@code n} bytes without keeping them. */
  void skip(long n, String what) throws IOException {
    checkRemaining(n, what);
    byte[] chunk = new byte[(int) Math.min(CHUNK, n)];
    for (long done = 0; done < n; ) {
      int length = (int) Math.min(chunk.length, n - done);
      fill(length == chunk.length ? chunk : new byte[length], n, done, what);
      done += length;
    }
  }

  /** Whether the stream has no more bytes. */
  boolean atEnd() throws IOException {
    return knownLength >= 0 ? position == knownLength : in.read() < 0;
  }

  private void fill(byte[] chunk, long total, long done, String what) throws IOException {
    int got = in.readNBytes(chunk, 0, chunk.length);
    crc.update(chunk, 0, got);
    position += got;
    if (got < chunk.length) {
      throw truncated(what, total, done + got);
    }
  }

  private void checkRemaining(long n, String what) throws ModelFormatException {
    if (knownLength >= 0 && knownLength - position < n) {
      throw truncated(what, n, knownLength - position);
    }
  }

  private static ModelFormatException truncated(String what, long expected, long got) {
    return new ModelFormatException(
        "truncated: expected " + expected + " bytes of " + what + ", got " + got);
  }
}

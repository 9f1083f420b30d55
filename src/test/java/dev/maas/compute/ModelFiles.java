package dev.maas.compute;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Takes model files apart and puts them back together with fresh checksums, written from the
 * format's description rather than from the codec, so that a test can craft a file that passes the
 * checksums and reaches the check it means to test.
 */
final class ModelFiles {
  static final JsonMapper JSON = JsonMapper.builder().build();

  private ModelFiles() {}

  /** A file's parts: the header's version, the manifest's bytes and the tensor data. */
  record Parts(long version, byte[] manifest, byte[] tensors) {

    ObjectNode manifestJson() {
      return (ObjectNode) JSON.readTree(manifest);
    }

    /** This file with the manifest edited in place. */
    Parts edit(Consumer<ObjectNode> change) {
      ObjectNode json = manifestJson();
      change.accept(json);
      return new Parts(version, JSON.writeValueAsBytes(json), tensors);
    }

    Parts withVersion(long value) {
      return new Parts(value, manifest, tensors);
    }

    Parts withManifest(String text) {
      return new Parts(version, text.getBytes(StandardCharsets.UTF_8), tensors);
    }

    Parts withTensors(byte[] value) {
      return new Parts(version, manifest, value);
    }

    /** The file, with both checksums computed afresh. */
    byte[] bytes() {
      byte[] body = withoutTrailer();
      return concat(body, uint32(crc(body, body.length)));
    }

    /** The file up to (without) its file checksum. */
    byte[] withoutTrailer() {
      byte[] head =
          concat(
              "MAASMODL".getBytes(StandardCharsets.US_ASCII),
              uint32(version),
              uint32(manifest.length),
              manifest);
      return concat(head, uint32(crc(head, head.length)), tensors);
    }
  }

  static Parts split(byte[] file) {
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    long version = Integer.toUnsignedLong(b.getInt(8));
    int length = b.getInt(12);
    byte[] manifest = Arrays.copyOfRange(file, 16, 16 + length);
    byte[] tensors = Arrays.copyOfRange(file, 20 + length, file.length - 4);
    return new Parts(version, manifest, tensors);
  }

  /** Offset of the first tensor byte. */
  static int tensorStart(byte[] file) {
    return 20 + ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getInt(12);
  }

  static long crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return crc.getValue();
  }

  static byte[] uint32(long value) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) value).array();
  }

  static byte[] concat(byte[]... parts) {
    int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
    ByteBuffer out = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      out.put(p);
    }
    return out.array();
  }

  /** Heap bytes this thread has allocated so far (HotSpot). */
  static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }
}

package dev.maas.dataset;

import dev.maas.errors.InvalidException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A NumPy {@code .npy} array read as a stream of doubles: its header is parsed here (never
 * evaluated, no pickles), and values are read in C order, a buffer at a time. Supports little- and
 * big-endian float32/64, signed int8/16/32/64 and unsigned int8/16/32.
 */
final class NpyArray implements AutoCloseable {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([fiu])(\\d+)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private final String what;
  private final InputStream in;
  private final char kind;
  private final int size;
  private final List<Long> shape;
  private final ByteBuffer buffer;
  private final long count;
  private long read;

  NpyArray(String what, InputStream stream) throws IOException {
    this.what = what;
    this.in = new BufferedInputStream(stream, 64 * 1024);
    byte[] magic = in.readNBytes(8);
    if (magic.length < 8 || !java.util.Arrays.equals(java.util.Arrays.copyOf(magic, 6), MAGIC)) {
      throw bad("is not a .npy file (no \\x93NUMPY magic)");
    }
    int major = magic[6];
    int headerLength;
    if (major == 1) {
      byte[] l = in.readNBytes(2);
      headerLength = (l[0] & 0xff) | (l[1] & 0xff) << 8;
    } else if (major == 2 || major == 3) {
      byte[] l = in.readNBytes(4);
      headerLength = ByteBuffer.wrap(l).order(ByteOrder.LITTLE_ENDIAN).getInt();
    } else {
      throw bad("has an unknown .npy version " + major);
    }
    if (headerLength < 0 || headerLength > 1 << 16) {
      throw bad("has a header of " + headerLength + " bytes");
    }
    byte[] headerBytes = in.readNBytes(headerLength);
    if (headerBytes.length < headerLength) {
      throw bad("ends inside its header");
    }
    String header = new String(headerBytes, StandardCharsets.ISO_8859_1);
    Matcher d = DESCR.matcher(header);
    Matcher f = FORTRAN.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !f.find() || !s.find()) {
      throw bad("has a header without a supported 'descr', 'fortran_order' and 'shape'");
    }
    if (f.group(1).equals("True")) {
      throw bad("is in Fortran order; save it in C order (numpy.ascontiguousarray)");
    }
    kind = d.group(2).charAt(0);
    size = Integer.parseInt(d.group(3));
    boolean supported =
        kind == 'f'
            ? size == 4 || size == 8
            : kind == 'i'
                ? size == 1 || size == 2 || size == 4 || size == 8
                : size == 1 || size == 2 || size == 4;
    if (!supported) {
      throw bad("has dtype '" + d.group(2) + d.group(3) + "'; use float32/64 or integers");
    }
    ByteOrder order = d.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    List<Long> dims = new ArrayList<>();
    long n = 1;
    for (String part : s.group(1).split(",")) {
      if (part.isBlank()) {
        continue;
      }
      long dim;
      try {
        dim = Long.parseLong(part.trim().replace("L", ""));
      } catch (NumberFormatException e) {
        throw bad("has a malformed shape (" + s.group(1) + ")");
      }
      if (dim < 0 || (dim > 0 && n > Long.MAX_VALUE / dim)) {
        throw bad("has a malformed shape (" + s.group(1) + ")");
      }
      dims.add(dim);
      n *= dim;
    }
    if (dims.isEmpty()) {
      throw bad("is a scalar; it must be an array [N, ...]");
    }
    shape = List.copyOf(dims);
    count = n;
    buffer = ByteBuffer.allocate(64 * 1024).order(order);
    buffer.limit(0);
  }

  List<Long> shape() {
    return shape;
  }

  long count() {
    return count;
  }

  /** The next value in C order; an InvalidException when the file ends early. */
  double next() throws IOException {
    if (read >= count) {
      throw new IllegalStateException("no more values");
    }
    if (buffer.remaining() < size) {
      buffer.compact();
      while (buffer.position() < size) {
        int got = in.read(buffer.array(), buffer.position(), buffer.remaining());
        if (got < 0) {
          throw bad("ends after " + read + " of its " + count + " values");
        }
        buffer.position(buffer.position() + got);
      }
      buffer.flip();
    }
    read++;
    return switch (kind) {
      case 'f' -> size == 4 ? buffer.getFloat() : buffer.getDouble();
      case 'i' ->
          switch (size) {
            case 1 -> buffer.get();
            case 2 -> buffer.getShort();
            case 4 -> buffer.getInt();
            default -> (double) buffer.getLong();
          };
      default ->
          switch (size) {
            case 1 -> buffer.get() & 0xff;
            case 2 -> buffer.getShort() & 0xffff;
            default -> buffer.getInt() & 0xffffffffL;
          };
    };
  }

  private InvalidException bad(String why) {
    return new InvalidException(what + " " + why);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}

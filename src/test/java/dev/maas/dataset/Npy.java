package dev.maas.dataset;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes small .npy files for tests, as numpy.save does. */
public final class Npy {
  private Npy() {}

  public static byte[] float64(double[] values, long... shape) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      b.putDouble(v);
    }
    return file("<f8", shape, b.array());
  }

  public static byte[] int32(int[] values, long... shape) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putInt(v);
    }
    return file("<i4", shape, b.array());
  }

  static byte[] file(String descr, long[] shape, byte[] data) {
    StringBuilder dims = new StringBuilder();
    for (long d : shape) {
      dims.append(d).append(", ");
    }
    String tuple =
        shape.length == 1
            ? "(" + shape[0] + ",)"
            : "(" + dims.substring(0, dims.length() - 2) + ")";
    StringBuilder header =
        new StringBuilder(
            "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + tuple + ", }");
    while ((10 + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    int length = header.length();
    out.write(length & 0xff);
    out.write(length >> 8);
    out.writeBytes(header.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(data);
    return out.toByteArray();
  }
}

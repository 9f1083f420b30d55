package dev.maas.robustness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately dumb HTTP/1.1 client over a socket: it sends exactly the bytes it is given (any
 * path, any header, a body shorter than its Content-Length) so that requests a proper client would
 * refuse to make can be made, and reads one response.
 */
final class RawHttp {
  /** A {@code declaredLength} that sends the body chunked, with no length declared. */
  static final long CHUNKED = -2;

  private RawHttp() {}

  /** One response: status, lower-case header names, body. */
  record Response(int status, Map<String, String> headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /**
   * Sends {@code head} (request line and headers, without the blank line) then {@code body}; with
   * {@code declaredLength} >= 0 that Content-Length is declared whatever the body's size, and the
   * sending side of the socket is closed after the body (a truncated upload); with {@link #CHUNKED}
   * the body is sent in chunks.
   */
  static Response exchange(int port, String head, byte[] body, long declaredLength)
      throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      StringBuilder h = new StringBuilder(head);
      h.append("\r\nHost: 127.0.0.1:").append(port).append("\r\nConnection: close");
      boolean chunked = declaredLength == CHUNKED;
      if (chunked) {
        h.append("\r\nTransfer-Encoding: chunked");
      } else if (body != null) {
        h.append("\r\nContent-Length: ").append(declaredLength >= 0 ? declaredLength : body.length);
      }
      h.append("\r\n\r\n");
      out.write(h.toString().getBytes(StandardCharsets.UTF_8));
      if (chunked) {
        for (int from = 0; from < body.length; from += 8192) {
          int n = Math.min(8192, body.length - from);
          out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(body, from, n);
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      } else if (body != null) {
        out.write(body);
      }
      out.flush();
      if (declaredLength >= 0) {
        socket.shutdownOutput();
      }
      return read(socket.getInputStream());
    }
  }

  private static Response read(InputStream in) throws IOException {
    String status = line(in);
    if (status == null || !status.startsWith("HTTP/1.1 ")) {
      throw new IOException("no HTTP response: " + status);
    }
    int code = Integer.parseInt(status.substring(9, 12));
    Map<String, String> headers = new LinkedHashMap<>();
    for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
      int colon = l.indexOf(':');
      headers.put(
          l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
    }
    byte[] body;
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (int size = Integer.parseInt(line(in).trim(), 16);
          size > 0;
          size = Integer.parseInt(line(in).trim(), 16)) {
        all.write(in.readNBytes(size));
        line(in);
      }
      body = all.toByteArray();
    } else if (headers.containsKey("content-length")) {
      body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
    } else {
      body = in.readAllBytes();
    }
    return new Response(code, headers, body);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (b != '\r') {
        buffer.write(b);
      }
    }
    if (b < 0 && buffer.size() == 0) {
      return null;
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }
}

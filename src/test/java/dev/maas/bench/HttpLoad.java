package dev.maas.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The REST counterpart of {@link GrpcLoad} in {@code bench/serve}, so that the gRPC/REST ratio
 * compares protocols rather than a JVM client with a C one: {@code concurrency} HTTP/1.1 keep-alive
 * connections, each with a thread that sends its next {@code POST} (the same JSON body as wrk's) as
 * soon as the previous answer is read, for {@code seconds} after {@code warmup} seconds, in its own
 * JVM. Request bytes are built once; an answer is read by its {@code Content-Length} (or chunks).
 * Prints {@code requests_per_s p50_ms p99_ms errors client_cpu_us} (errors: answers other than 200;
 * the last: this JVM's CPU time over the measured seconds, JIT and GC included, per request
 * answered).
 *
 * <p>Arguments: host:port key path json-body concurrency seconds warmup
 */
public final class HttpLoad {
  private HttpLoad() {}

  public static void main(String[] args) throws Exception {
    String[] hostPort = args[0].split(":");
    InetSocketAddress address = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
    String key = args[1];
    String path = args[2];
    byte[] body = args[3].getBytes(StandardCharsets.UTF_8);
    int concurrency = Integer.parseInt(args[4]);
    int seconds = Integer.parseInt(args[5]);
    int warmup = Integer.parseInt(args[6]);
    byte[] head =
        ("POST "
                + path
                + " HTTP/1.1\r\nHost: "
                + args[0]
                + "\r\nContent-Type: application/json\r\nAuthorization: Bearer "
                + key
                + "\r\nContent-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] request = Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, request, head.length, body.length);

    if (warmup > 0) {
      run(address, request, concurrency, warmup, null);
    }
    long[] latencies = new long[10_000_000];
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long cpuBefore = os.getProcessCpuTime();
    long[] result = run(address, request, concurrency, seconds, latencies);
    int n = (int) Math.min(result[0], latencies.length);
    long[] done = Arrays.copyOf(latencies, n);
    Arrays.sort(done);
    double p50 = n == 0 ? Double.NaN : done[n / 2] / 1e6;
    double p99 = n == 0 ? Double.NaN : done[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)] / 1e6;
    double cpuMicros = (os.getProcessCpuTime() - cpuBefore) / 1e3 / Math.max(1, result[0]);
    System.out.printf(
        "%.0f %.3f %.3f %d %.1f%n", result[0] / (double) seconds, p50, p99, result[1], cpuMicros);
  }

  /** Runs the closed loop; returns {requests answered within the time, errors}. */
  private static long[] run(
      InetSocketAddress address, byte[] request, int concurrency, int seconds, long[] latencies)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong count = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(concurrency);
    for (int c = 0; c < concurrency; c++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  loop(address, request, end, count, errors, latencies);
                } catch (IOException e) {
                  errors.incrementAndGet();
                  System.err.println("connection failed: " + e);
                } finally {
                  finished.countDown();
                }
              },
              "http-load-" + c);
      t.setDaemon(true);
      t.start();
    }
    finished.await(seconds + 60L, TimeUnit.SECONDS);
    return new long[] {count.get(), errors.get()};
  }

  private static void loop(
      InetSocketAddress address,
      byte[] request,
      long end,
      AtomicLong count,
      AtomicLong errors,
      long[] latencies)
      throws IOException {
    while (true) {
      try (Socket socket = new Socket()) {
        socket.setTcpNoDelay(true);
        socket.connect(address);
        OutputStream out = socket.getOutputStream();
        InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        byte[] line = new byte[8192];
        boolean open = true;
        while (open) {
          long start = System.nanoTime();
          out.write(request);
          out.flush();
          int status = readResponse(in, line);
          // Tomcat closes a keep-alive connection after 100 requests, as wrk sees too: reconnect
          open = status > 0;
          if (Math.abs(status) != 200) {
            errors.incrementAndGet();
          }
          long now = System.nanoTime();
          if (now >= end) {
            return;
          }
          long i = count.getAndIncrement();
          if (latencies != null && i < latencies.length) {
            latencies[(int) i] = now - start;
          }
        }
      }
    }
  }

  /**
   * Reads one response (status line, headers, body); returns its status, negated when the server
   * closes the connection after it ({@code Connection: close}).
   */
  private static int readResponse(InputStream in, byte[] line) throws IOException {
    int length = readLine(in, line);
    String status = new String(line, 0, length, StandardCharsets.US_ASCII);
    int code = Integer.parseInt(status.substring(9, 12));
    long contentLength = -1;
    boolean chunked = false;
    boolean close = false;
    while ((length = readLine(in, line)) > 0) {
      String header = new String(line, 0, length, StandardCharsets.US_ASCII);
      int colon = header.indexOf(':');
      String name = header.substring(0, colon).trim();
      String value = header.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("content-length")) {
        contentLength = Long.parseLong(value);
      } else if (name.equalsIgnoreCase("transfer-encoding") && value.equalsIgnoreCase("chunked")) {
        chunked = true;
      } else if (name.equalsIgnoreCase("connection") && value.equalsIgnoreCase("close")) {
        close = true;
      }
    }
    if (chunked) {
      while (true) {
        length = readLine(in, line);
        String size = new String(line, 0, length, StandardCharsets.US_ASCII);
        int semicolon = size.indexOf(';');
        long chunk = Long.parseLong(semicolon < 0 ? size : size.substring(0, semicolon), 16);
        if (chunk == 0) {
          while (readLine(in, line) > 0) {
            // trailers
          }
          return close ? -code : code;
        }
        skip(in, chunk);
        readLine(in, line);
      }
    }
    if (contentLength < 0) {
      throw new IOException("an answer without Content-Length or chunks: " + status);
    }
    skip(in, contentLength);
    return close ? -code : code;
  }

  private static void skip(InputStream in, long n) throws IOException {
    while (n > 0) {
      long skipped = in.skip(n);
      if (skipped <= 0) {
        if (in.read() < 0) {
          throw new IOException("the connection closed inside an answer");
        }
        skipped = 1;
      }
      n -= skipped;
    }
  }

  /** One CRLF-terminated line into {@code line}, without the CRLF; returns its length. */
  private static int readLine(InputStream in, byte[] line) throws IOException {
    int n = 0;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the connection closed inside an answer");
      }
      if (b == '\n') {
        return n > 0 && line[n - 1] == '\r' ? n - 1 : n;
      }
      if (n < line.length) {
        line[n++] = (byte) b;
      }
    }
  }
}

package dev.maas.bench;

import com.google.protobuf.ByteString;
import dev.maas.grpc.proto.GRPCInferenceServiceGrpc;
import dev.maas.grpc.proto.ModelInferRequest;
import dev.maas.grpc.proto.ModelInferResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gRPC client of {@code bench/serve}: {@code concurrency} streams on one HTTP/2 connection,
 * each sending its next ModelInfer (one row, raw FP32 input, as Triton's clients send) as soon as
 * the previous one is answered, for {@code seconds} after {@code warmup} seconds. Prints {@code
 * requests_per_s p50_ms p99_ms errors client_cpu_us} (the last: this JVM's CPU time over the
 * measured seconds, JIT and GC included, per request answered).
 *
 * <p>Arguments: host:port key model shape(comma-separated, batch first) values(comma-separated)
 * concurrency seconds warmup [connections]: with more than one connection (default 1) the streams
 * are spread over them, round robin, each connection with its own transport thread.
 *
 * <p>Or {@code frame FILE model shape values}: writes the same request as one gRPC message frame
 * (the 5-byte length prefix and the message), the body a native HTTP/2 load tool (h2load) posts.
 */
public final class GrpcLoad {
  private GrpcLoad() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("frame")) {
      byte[] message = request(args[2], args[3], args[4]).toByteArray();
      ByteBuffer frame = ByteBuffer.allocate(5 + message.length); // big-endian length, as gRPC's
      frame.put((byte) 0).putInt(message.length).put(message);
      java.nio.file.Files.write(java.nio.file.Path.of(args[1]), frame.array());
      return;
    }
    String target = args[0];
    String key = args[1];
    ModelInferRequest request = request(args[2], args[3], args[4]);
    int concurrency = Integer.parseInt(args[5]);
    int seconds = Integer.parseInt(args[6]);
    int warmup = Integer.parseInt(args[7]);

    int connections = args.length > 8 ? Integer.parseInt(args[8]) : 1;

    String[] hostPort = target.split(":");
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
    ManagedChannel[] channels = new ManagedChannel[connections];
    GRPCInferenceServiceGrpc.GRPCInferenceServiceStub[] stubs =
        new GRPCInferenceServiceGrpc.GRPCInferenceServiceStub[connections];
    for (int i = 0; i < connections; i++) {
      channels[i] =
          ManagedChannelBuilder.forAddress(hostPort[0], Integer.parseInt(hostPort[1]))
              .usePlaintext()
              // callbacks only send the next call: run them on the transport's thread, no hand-off
              .directExecutor()
              .build();
      stubs[i] =
          GRPCInferenceServiceGrpc.newStub(channels[i])
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    if (warmup > 0) {
      run(stubs, request, concurrency, warmup, null);
    }
    long[] latencies = new long[10_000_000];
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long cpuBefore = os.getProcessCpuTime();
    long[] result = run(stubs, request, concurrency, seconds, latencies);
    int n = (int) Math.min(result[0], latencies.length);
    long[] done = Arrays.copyOf(latencies, n);
    Arrays.sort(done);
    double p50 = n == 0 ? Double.NaN : done[n / 2] / 1e6;
    double p99 = n == 0 ? Double.NaN : done[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)] / 1e6;
    double cpuMicros = (os.getProcessCpuTime() - cpuBefore) / 1e3 / Math.max(1, result[0]);
    System.out.printf(
        "%.0f %.3f %.3f %d %.1f%n", result[0] / (double) seconds, p50, p99, result[1], cpuMicros);
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** One ModelInfer of {@code model}: one FP32 tensor "input" of {@code shape}, raw contents. */
  static ModelInferRequest request(String model, String shapeText, String valuesText) {
    long[] shape = Arrays.stream(shapeText.split(",")).mapToLong(Long::parseLong).toArray();
    double[] values =
        Arrays.stream(valuesText.split(",")).mapToDouble(Double::parseDouble).toArray();
    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      raw.putFloat((float) v);
    }
    ModelInferRequest.InferInputTensor.Builder input =
        ModelInferRequest.InferInputTensor.newBuilder().setName("input").setDatatype("FP32");
    for (long d : shape) {
      input.addShape(d);
    }
    return ModelInferRequest.newBuilder()
        .setModelName(model)
        .addInputs(input)
        .addRawInputContents(ByteString.copyFrom(raw.array()))
        .build();
  }

  /** Runs the closed loop; returns {requests answered within the time, errors}. */
  private static long[] run(
      GRPCInferenceServiceGrpc.GRPCInferenceServiceStub[] stubs,
      ModelInferRequest request,
      int concurrency,
      int seconds,
      long[] latencies)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong count = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub = stubs[i % stubs.length];
      new Object() {
        void send() {
          long start = System.nanoTime();
          stub.modelInfer(
              request,
              new StreamObserver<>() {
                @Override
                public void onNext(ModelInferResponse value) {}

                @Override
                public void onError(Throwable t) {
                  errors.incrementAndGet();
                  next(start);
                }

                @Override
                public void onCompleted() {
                  next(start);
                }
              });
        }

        void next(long start) {
          long now = System.nanoTime();
          if (now >= end) {
            finished.countDown();
            return;
          }
          long i = count.getAndIncrement();
          if (latencies != null && i < latencies.length) {
            latencies[(int) i] = now - start;
          }
          send();
        }
      }.send();
    }
    finished.await(seconds + 60L, TimeUnit.SECONDS);
    return new long[] {count.get(), errors.get()};
  }
}

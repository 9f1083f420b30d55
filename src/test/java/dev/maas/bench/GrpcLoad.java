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
 * requests_per_s p50_ms p99_ms errors}.
 *
 * <p>Arguments: host:port key model shape(comma-separated, batch first) values(comma-separated)
 * concurrency seconds warmup
 */
public final class GrpcLoad {
  private GrpcLoad() {}

  public static void main(String[] args) throws Exception {
    String target = args[0];
    String key = args[1];
    String model = args[2];
    long[] shape = Arrays.stream(args[3].split(",")).mapToLong(Long::parseLong).toArray();
    double[] values = Arrays.stream(args[4].split(",")).mapToDouble(Double::parseDouble).toArray();
    int concurrency = Integer.parseInt(args[5]);
    int seconds = Integer.parseInt(args[6]);
    int warmup = Integer.parseInt(args[7]);

    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      raw.putFloat((float) v);
    }
    ModelInferRequest.InferInputTensor.Builder input =
        ModelInferRequest.InferInputTensor.newBuilder().setName("input").setDatatype("FP32");
    for (long d : shape) {
      input.addShape(d);
    }
    ModelInferRequest request =
        ModelInferRequest.newBuilder()
            .setModelName(model)
            .addInputs(input)
            .addRawInputContents(ByteString.copyFrom(raw.array()))
            .build();

    String[] hostPort = target.split(":");
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress(hostPort[0], Integer.parseInt(hostPort[1]))
            .usePlaintext()
            // callbacks only send the next call: run them on the transport's thread, no hand-off
            .directExecutor()
            .build();
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
    GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub =
        GRPCInferenceServiceGrpc.newStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));

    if (warmup > 0) {
      run(stub, request, concurrency, warmup, null);
    }
    long[] latencies = new long[10_000_000];
    long[] result = run(stub, request, concurrency, seconds, latencies);
    int n = (int) Math.min(result[0], latencies.length);
    long[] done = Arrays.copyOf(latencies, n);
    Arrays.sort(done);
    double p50 = n == 0 ? Double.NaN : done[n / 2] / 1e6;
    double p99 = n == 0 ? Double.NaN : done[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)] / 1e6;
    System.out.printf("%.0f %.3f %.3f %d%n", result[0] / (double) seconds, p50, p99, result[1]);
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** Runs the closed loop; returns {requests answered within the time, errors}. */
  private static long[] run(
      GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub,
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

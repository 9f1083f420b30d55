package dev.maas.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The gRPC server on {@code maas.grpc.port}: the inference service behind API keys, and, open like
 * the HTTP health probes and the published contract, gRPC health checking ({@code
 * grpc.health.v1.Health}: SERVING for "" and the inference service while the server runs) and
 * server reflection (v1 and v1alpha, for grpcurl and other tools). Started with the application and
 * stopped before the model cache closes; a stop lets calls in flight finish for a few seconds.
 */
final class GrpcServer implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(GrpcServer.class);
  static final String INFERENCE = "inference.GRPCInferenceService";

  private final int port;
  private final BindableService inference;
  private final ApiKeyInterceptor keys;
  private final int maxMessageBytes;
  private final HealthStatusManager health = new HealthStatusManager();
  private volatile Server server;

  GrpcServer(int port, BindableService inference, ApiKeyInterceptor keys, int maxMessageBytes) {
    this.port = port;
    this.inference = inference;
    this.keys = keys;
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  @SuppressWarnings("deprecation") // v1alpha reflection: what older clients ask for
  public void start() {
    Server s =
        NettyServerBuilder.forPort(port)
            .maxInboundMessageSize(maxMessageBytes)
            .addService(ServerInterceptors.intercept(inference, keys))
            .addService(health.getHealthService())
            .addService(ProtoReflectionServiceV1.newInstance())
            .addService(io.grpc.protobuf.services.ProtoReflectionService.newInstance())
            .build();
    try {
      s.start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "the gRPC server cannot listen on port " + port + " (maas.grpc.port): " + e.getMessage(),
          e);
    }
    server = s;
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(INFERENCE, ServingStatus.SERVING);
    log.info("gRPC server (Open Inference Protocol) listening on port {}", s.getPort());
  }

  @Override
  public void stop() {
    Server s = server;
    if (s == null) {
      return;
    }
    health.enterTerminalState();
    s.shutdown();
    try {
      if (!s.awaitTermination(10, TimeUnit.SECONDS)) {
        s.shutdownNow();
      }
    } catch (InterruptedException e) {
      s.shutdownNow();
      Thread.currentThread().interrupt();
    }
    server = null;
  }

  @Override
  public boolean isRunning() {
    return server != null;
  }

  /** The port it listens on, while running. */
  int port() {
    Server s = server;
    return s == null ? -1 : s.getPort();
  }
}

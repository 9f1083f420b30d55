package dev.maas.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maas.grpc.proto.GRPCInferenceServiceGrpc;
import dev.maas.grpc.proto.ServerLiveRequest;
import dev.maas.web.security.ApiKeyCheck;
import dev.maas.web.security.ApiKeyCheck.Outcome;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The interceptor's outcome mapping over a real gRPC server and client. Every configurable role
 * includes {@code predict}, so no configured key is refused with PERMISSION_DENIED today (the
 * check's own refusal is covered in {@code ApiKeyCheckTest} with a key built without roles); here
 * the check's verdicts are given, one per {@code authorization} value, to see each one reach the
 * client as the status, message and trailer it must be.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiKeyInterceptorTest {
  private final List<String> operations = new CopyOnWriteArrayList<>();
  private Server server;
  private ManagedChannel channel;

  @BeforeAll
  void start() throws Exception {
    ApiKeyInterceptor.Check check =
        (authorization, operation) -> {
          operations.add(operation);
          return switch (authorization == null ? "" : authorization) {
            case "Bearer ok" -> new ApiKeyCheck.Verdict(Outcome.ALLOWED, "ok", null, 0);
            case "Bearer reader" ->
                new ApiKeyCheck.Verdict(
                    Outcome.PERMISSION_DENIED,
                    "reader",
                    "API key 'reader' (roles: ) may not call " + operation,
                    0);
            case "Bearer busy" ->
                new ApiKeyCheck.Verdict(Outcome.RATE_LIMITED, "busy", "too many requests", 7);
            default ->
                new ApiKeyCheck.Verdict(Outcome.UNAUTHENTICATED, null, "an API key is required", 0);
          };
        };
    // the service is never reached for a refused call; ServerLive reads nothing of it
    server =
        NettyServerBuilder.forPort(0)
            .addService(
                ServerInterceptors.intercept(
                    new InferenceService(null), new ApiKeyInterceptor(check)))
            .build()
            .start();
    channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  @AfterAll
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void anAllowedCallReachesTheService() {
    assertThat(stub("Bearer ok").serverLive(ServerLiveRequest.getDefaultInstance()).getLive())
        .isTrue();
    assertThat(operations).contains("inference.GRPCInferenceService/ServerLive");
  }

  @Test
  void aKeyWithoutThePredictRoleIsPermissionDenied() {
    assertThatThrownBy(
            () -> stub("Bearer reader").serverLive(ServerLiveRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo(
                      "API key 'reader' (roles: ) may not call"
                          + " inference.GRPCInferenceService/ServerLive");
              assertThat(e.getTrailers().get(ApiKeyInterceptor.RETRY_AFTER)).isNull();
            });
  }

  @Test
  void aRateLimitedKeyIsResourceExhaustedWithRetryAfter() {
    assertThatThrownBy(() -> stub("Bearer busy").serverLive(ServerLiveRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
              assertThat(e.getStatus().getDescription()).isEqualTo("too many requests");
              assertThat(e.getTrailers().get(ApiKeyInterceptor.RETRY_AFTER)).isEqualTo("7");
            });
  }

  @Test
  void noKeyIsUnauthenticated() {
    assertThatThrownBy(
            () ->
                GRPCInferenceServiceGrpc.newBlockingStub(channel)
                    .serverLive(ServerLiveRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
              assertThat(e.getStatus().getDescription()).isEqualTo("an API key is required");
            });
  }

  @Test
  void everyOutcomeHasItsStatus() {
    assertThat(ApiKeyInterceptor.status(Outcome.ALLOWED)).isNull();
    assertThat(ApiKeyInterceptor.status(Outcome.UNAUTHENTICATED).getCode())
        .isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(ApiKeyInterceptor.status(Outcome.PERMISSION_DENIED).getCode())
        .isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(ApiKeyInterceptor.status(Outcome.RATE_LIMITED).getCode())
        .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
  }

  private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub(String authorization) {
    Metadata headers = new Metadata();
    headers.put(ApiKeyInterceptor.AUTHORIZATION, authorization);
    return GRPCInferenceServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }
}

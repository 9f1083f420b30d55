package dev.maas.grpc;

import dev.maas.web.security.ApiKeyCheck;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * API keys for the inference service: {@code authorization: Bearer <key>} metadata, the {@code
 * predict} role, the per-key rate limit; UNAUTHENTICATED, PERMISSION_DENIED or RESOURCE_EXHAUSTED
 * (with a {@code retry-after} trailer) otherwise, with the messages HTTP gives.
 */
final class ApiKeyInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> RETRY_AFTER =
      Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);

  /** The decision on a call: {@link ApiKeyCheck#predict}. */
  @FunctionalInterface
  interface Check {
    ApiKeyCheck.Verdict predict(String authorization, String operation);
  }

  private final Check check;

  ApiKeyInterceptor(Check check) {
    this.check = check;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    ApiKeyCheck.Verdict verdict =
        check.predict(headers.get(AUTHORIZATION), call.getMethodDescriptor().getFullMethodName());
    Status status = status(verdict.outcome());
    if (status == null) {
      return next.startCall(call, headers);
    }
    Metadata trailers = new Metadata();
    if (verdict.retryAfterSeconds() > 0) {
      trailers.put(RETRY_AFTER, Long.toString(verdict.retryAfterSeconds()));
    }
    call.close(status.withDescription(verdict.message()), trailers);
    return new ServerCall.Listener<>() {};
  }

  /** The status a refusal closes the call with; null for an allowed call. */
  static Status status(ApiKeyCheck.Outcome outcome) {
    return switch (outcome) {
      case ALLOWED -> null;
      case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
      case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
      case RATE_LIMITED -> Status.RESOURCE_EXHAUSTED;
    };
  }
}

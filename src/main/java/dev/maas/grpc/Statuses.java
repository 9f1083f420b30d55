package dev.maas.grpc;

import dev.maas.errors.BusyException;
import dev.maas.errors.ConflictException;
import dev.maas.errors.DomainException;
import dev.maas.errors.InvalidException;
import dev.maas.errors.NotFoundException;
import dev.maas.errors.TooLargeException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Domain errors as gRPC statuses, the counterpart of the HTTP problem details: the same message,
 * with INVALID_ARGUMENT for 400, NOT_FOUND for 404, RESOURCE_EXHAUSTED for 413 and 429,
 * FAILED_PRECONDITION for 409; anything else is INTERNAL without details (logged).
 */
final class Statuses {
  private static final Logger log = LoggerFactory.getLogger(Statuses.class);

  private Statuses() {}

  static StatusRuntimeException of(RuntimeException e) {
    if (e instanceof StatusRuntimeException s) {
      return s;
    }
    if (e instanceof DomainException) {
      return code(e).withDescription(e.getMessage()).asRuntimeException();
    }
    log.error("gRPC call failed", e);
    return Status.INTERNAL
        .withDescription("the server failed to answer; see its log")
        .asRuntimeException();
  }

  private static Status code(RuntimeException e) {
    if (e instanceof InvalidException) {
      return Status.INVALID_ARGUMENT;
    }
    if (e instanceof NotFoundException) {
      return Status.NOT_FOUND;
    }
    if (e instanceof TooLargeException || e instanceof BusyException) {
      return Status.RESOURCE_EXHAUSTED;
    }
    if (e instanceof ConflictException) {
      return Status.FAILED_PRECONDITION;
    }
    return Status.INVALID_ARGUMENT;
  }
}

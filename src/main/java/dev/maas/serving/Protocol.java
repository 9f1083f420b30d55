package dev.maas.serving;

import java.util.Locale;

/**
 * The protocol a prediction request came by, the {@code protocol} tag of every per-request
 * prediction meter: {@code rest} (the maas API and the Open Inference Protocol over HTTP) or {@code
 * grpc} (the Open Inference Protocol over gRPC).
 */
public enum Protocol {
  REST,
  GRPC;

  /** The tag value. */
  String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}

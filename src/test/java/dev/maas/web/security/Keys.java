package dev.maas.web.security;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Known test keys and their hashes. */
final class Keys {
  static final String PREDICT = "test-predict-key";
  static final String TRAIN = "test-train-key";
  static final String ADMIN = "test-admin-key";

  private Keys() {}

  static String sha256(String key) {
    return HexFormat.of().formatHex(ApiKeys.sha256(key.getBytes(StandardCharsets.UTF_8)));
  }
}

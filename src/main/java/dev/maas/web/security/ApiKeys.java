package dev.maas.web.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The keys the server accepts. A presented key is hashed with SHA-256 and its digest compared with
 * every configured digest in constant time, so neither the comparison nor the number of keys
 * compared tells an attacker how close a guess was.
 */
final class ApiKeys {
  private final List<ApiKey> keys;

  ApiKeys(List<ApiKey> keys) {
    Set<String> names = new HashSet<>();
    for (ApiKey key : keys) {
      if (!names.add(key.name())) {
        throw new IllegalArgumentException("API key name '" + key.name() + "' is used twice");
      }
    }
    this.keys = List.copyOf(keys);
  }

  /** The key whose SHA-256 matches {@code presented}, if any. */
  Optional<ApiKey> authenticate(String presented) {
    byte[] digest = sha256(presented.getBytes(StandardCharsets.UTF_8));
    ApiKey match = null;
    for (ApiKey key : keys) {
      if (MessageDigest.isEqual(digest, key.sha256()) && match == null) {
        match = key;
      }
    }
    return Optional.ofNullable(match);
  }

  int size() {
    return keys.size();
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

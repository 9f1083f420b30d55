package dev.maas.web.security;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;

/**
 * A key the server makes for itself at start so that its warm-up (see {@code
 * dev.maas.serving.Warmup}) can send real prediction requests through the same filters as a
 * client's: random, held only in memory, with the {@code predict} role, not rate limited, and
 * refused from the moment the application is ready (before the readiness probe says so).
 */
final class WarmupKey implements Supplier<String>, ApplicationListener<ApplicationReadyEvent> {
  /** The caller name warm-up requests run as (not a valid configured name: it has spaces). */
  static final String NAME = "maas warm-up";

  /** Set on a request authenticated with this key; the rate limit skips it. */
  static final String ATTRIBUTE = WarmupKey.class.getName();

  private final String key;
  private final byte[] digest;
  private final ApiKey apiKey;
  private volatile boolean open = true;

  WarmupKey() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    key = "maas_warmup_" + HexFormat.of().formatHex(bytes);
    digest = ApiKeys.sha256(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    apiKey = new ApiKey(NAME, digest, EnumSet.of(Role.PREDICT));
  }

  @Override
  public String get() {
    return key;
  }

  /** The warm-up's key, when {@code presented} is it and the application is not ready yet. */
  Optional<ApiKey> authenticate(String presented) {
    if (!open) {
      return Optional.empty();
    }
    byte[] d = ApiKeys.sha256(presented.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return MessageDigest.isEqual(d, digest) ? Optional.of(apiKey) : Optional.empty();
  }

  @Override
  public void onApplicationEvent(ApplicationReadyEvent event) {
    open = false;
  }

  boolean open() {
    return open;
  }
}

package dev.maas.web.security;

import jakarta.validation.constraints.Min;
import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code maas.security.*}: API keys, their roles and the per-key rate limit.
 *
 * @param enabled whether requests need an API key; {@code false} opens every endpoint, for local
 *     tinkering only, and logs a warning at every start
 * @param keys the API keys: each a name, the SHA-256 of the key in hex and its roles ({@code
 *     predict}, {@code train}, {@code admin})
 * @param keysFile a file (YAML or JSON, e.g. a mounted Secret) holding more keys as a list of the
 *     same entries; when neither this nor {@code keys} names a key, an admin key is generated at
 *     first start, printed once in the log, and only its hash is kept in the data directory
 * @param scrapeOpen whether {@code /actuator/prometheus} answers without a key; otherwise it needs
 *     an admin key
 * @param requestsPerSecond the sustained requests per second each key may make (0 turns the rate
 *     limit off); one more is answered 429 with Retry-After
 * @param burst the requests a key may make at once above the sustained rate (default twice {@code
 *     requestsPerSecond})
 */
@ConfigurationProperties("maas.security")
@Validated
public record SecurityProperties(
    @DefaultValue("true") boolean enabled,
    List<ApiKey> keys,
    Path keysFile,
    @DefaultValue("true") boolean scrapeOpen,
    @DefaultValue("200") @Min(0) int requestsPerSecond,
    @Min(0) Integer burst) {
  public SecurityProperties {
    keys = keys == null ? List.of() : List.copyOf(keys);
    if (burst == null) {
      burst = 2 * requestsPerSecond;
    }
    if (requestsPerSecond > 0 && burst < 1) {
      throw new IllegalArgumentException(
          "maas.security.burst must be at least 1 when there is a rate limit");
    }
  }

  /**
   * @param name the key's name, shown in logs and recorded on the training jobs it submits
   * @param sha256 the SHA-256 of the key, 64 hex digits
   * @param roles {@code predict}, {@code train} and/or {@code admin}
   */
  public record ApiKey(String name, String sha256, List<String> roles) {}
}

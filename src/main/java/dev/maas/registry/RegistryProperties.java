package dev.maas.registry;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code maas.registry.*}: limits of the model registry's API.
 *
 * @param maxArtifactSize the largest model file an import accepts; a larger one is refused before
 *     it is read
 */
@ConfigurationProperties("maas.registry")
@Validated
public record RegistryProperties(@DefaultValue("256MB") DataSize maxArtifactSize) {
  public RegistryProperties {
    if (maxArtifactSize.toBytes() < 1) {
      throw new IllegalArgumentException("maas.registry.max-artifact-size must be at least 1B");
    }
  }
}

package dev.maas.registry;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code maas.registry.*}: limits of the model registry's API and of its meters.
 *
 * @param maxArtifactSize the largest model file an import accepts; a larger one is refused before
 *     it is read
 * @param meteredModels how many models get series of their own in the registry's per-model gauges
 *     (those with the most artifact bytes); the others are added up in one series tagged {@code
 *     model="_other"}, so that the scrape does not grow with the registry
 */
@ConfigurationProperties("maas.registry")
@Validated
public record RegistryProperties(
    @DefaultValue("256MB") DataSize maxArtifactSize,
    @DefaultValue("100") @Min(0) int meteredModels) {
  public RegistryProperties {
    if (maxArtifactSize.toBytes() < 1) {
      throw new IllegalArgumentException("maas.registry.max-artifact-size must be at least 1B");
    }
  }
}

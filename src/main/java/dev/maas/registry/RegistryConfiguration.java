package dev.maas.registry;

import dev.maas.storage.StorageProperties;
import java.time.Clock;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the embedded registry store under {@code maas.storage.path}. */
@Configuration(proxyBeanMethods = false)
class RegistryConfiguration {

  @Bean
  RegistryStore registryStore(StorageProperties storage) {
    return new FileRegistryStore(storage.path(), Clock.systemUTC(), Provenance.current());
  }

  @Bean
  ModelRegistry modelRegistry(RegistryStore store) {
    return new ModelRegistry(store);
  }

  /**
   * Versions and artifact bytes per model (for {@code maas.registry.metered-models} of them), read
   * again every 15 seconds.
   */
  @Bean
  RegistryMetrics registryMetrics(ModelRegistry registry, RegistryProperties properties) {
    return new RegistryMetrics(registry, Duration.ofSeconds(15), properties.meteredModels());
  }
}

package dev.maas.registry;

import dev.maas.storage.SharedStore;
import dev.maas.storage.StorageProperties;
import dev.maas.storage.StoreProperties;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the registry store: the embedded one under {@code maas.storage.path}, or with {@code
 * maas.store.type=shared} the one in PostgreSQL and the bucket.
 */
@Configuration(proxyBeanMethods = false)
class RegistryConfiguration {

  @Bean
  RegistryStore registryStore(
      StorageProperties storage, StoreProperties store, ObjectProvider<SharedStore> shared) {
    if (store.shared()) {
      return new SharedRegistryStore(
          shared.getObject(), Clock.systemUTC(), Provenance.current(), store.pollInterval());
    }
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

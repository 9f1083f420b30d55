package dev.maas.registry;

import dev.maas.storage.SharedStore;
import dev.maas.storage.StorageProperties;
import dev.maas.storage.StoreProperties;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
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

  /**
   * The embedded store scans its folders in the background while the other beans are made; this
   * waits for the scan before anything starts (web server, gRPC, job workers), so the server is
   * never ready on a registry it has not read, and a scan that failed stops the start.
   */
  @Bean
  SmartLifecycle registryScanCompletion(RegistryStore store) {
    return new SmartLifecycle() {
      private volatile boolean running;

      @Override
      public void start() {
        if (store instanceof FileRegistryStore file) {
          file.awaitOpen();
        }
        running = true;
      }

      @Override
      public void stop() {
        running = false;
      }

      @Override
      public boolean isRunning() {
        return running;
      }

      @Override
      public int getPhase() {
        return Integer.MIN_VALUE; // before every other lifecycle
      }
    };
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

package dev.maas.dataset;

import dev.maas.storage.SharedStore;
import dev.maas.storage.StorageProperties;
import dev.maas.storage.StoreProperties;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the dataset store: the embedded one under {@code maas.storage.path}, or with {@code
 * maas.store.type=shared} the one in PostgreSQL and the bucket (cached under that path).
 */
@Configuration(proxyBeanMethods = false)
class DatasetConfiguration {

  @Bean
  DatasetStore datasetStore(
      StorageProperties storage, StoreProperties store, ObjectProvider<SharedStore> shared) {
    if (store.shared()) {
      return new SharedDatasetStore(shared.getObject(), storage.path(), Clock.systemUTC());
    }
    return new FileDatasetStore(storage.path(), Clock.systemUTC());
  }

  @Bean
  Datasets datasets(
      DatasetStore store, ObjectProvider<DatasetUsage> usage, DatasetProperties limits) {
    return new Datasets(
        store,
        id -> usage.orderedStream().anyMatch(u -> u.inUse(id)),
        limits.maxUploadSize(),
        limits.maxRows(),
        limits.maxColumns());
  }
}

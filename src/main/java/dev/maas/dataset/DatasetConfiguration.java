package dev.maas.dataset;

import dev.maas.storage.StorageProperties;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the embedded dataset store under {@code maas.storage.path}. */
@Configuration(proxyBeanMethods = false)
class DatasetConfiguration {

  @Bean
  DatasetStore datasetStore(StorageProperties storage) {
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

package dev.maas.dataset;

import dev.maas.MaasProperties;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the embedded dataset store under {@code maas.storage.path}. */
@Configuration(proxyBeanMethods = false)
class DatasetConfiguration {

  @Bean
  DatasetStore datasetStore(MaasProperties properties) {
    return new FileDatasetStore(properties.storage().path(), Clock.systemUTC());
  }

  @Bean
  Datasets datasets(
      DatasetStore store, ObjectProvider<DatasetUsage> usage, MaasProperties properties) {
    MaasProperties.Datasets limits = properties.datasets();
    return new Datasets(
        store,
        usage.getIfAvailable(() -> id -> false),
        limits.maxUploadSize(),
        limits.maxRows(),
        limits.maxColumns());
  }
}

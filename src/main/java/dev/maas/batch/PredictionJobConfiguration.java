package dev.maas.batch;

import dev.maas.dataset.Datasets;
import dev.maas.registry.ModelRegistry;
import dev.maas.serving.ScoringModels;
import dev.maas.storage.SharedStore;
import dev.maas.storage.StorageProperties;
import dev.maas.storage.StoreProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

/**
 * Wires prediction jobs: their store (under {@code maas.storage.path}, or in PostgreSQL and the
 * bucket with {@code maas.store.type=shared}), their own queue and workers.
 */
@Configuration(proxyBeanMethods = false)
class PredictionJobConfiguration {

  @Bean
  PredictionJobs predictionJobs(
      PredictionJobProperties properties,
      StorageProperties storage,
      StoreProperties store,
      ObjectProvider<SharedStore> shared,
      @Lazy Datasets datasets,
      ModelRegistry registry,
      ScoringModels models,
      PredictionJobMetrics metrics) {
    PredictionJobStore jobStore =
        store.shared()
            ? new SharedPredictionJobStore(shared.getObject(), store.jobLease())
            : new FilePredictionJobStore(storage.path());
    return new PredictionJobs(jobStore, datasets, registry, models, properties, metrics);
  }

  @Bean
  PredictionJobMetrics predictionJobMetrics() {
    return new PredictionJobMetrics();
  }

  /**
   * Recovers stored jobs once every bean exists; interrupted ones continue. In shared mode starts
   * the workers that claim jobs from the database instead.
   */
  @Bean
  SmartInitializingSingleton predictionJobsRecovery(PredictionJobs jobs, StoreProperties store) {
    return () -> {
      jobs.recover();
      if (store.shared()) {
        jobs.startClaiming(
            store.pollInterval().compareTo(store.jobLease().dividedBy(2)) < 0
                ? store.pollInterval()
                : store.jobLease().dividedBy(2));
      }
    };
  }
}

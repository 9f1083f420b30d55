package dev.maas.comparison;

import dev.maas.capacity.CostProperties;
import dev.maas.capacity.Prices;
import dev.maas.registry.ModelRegistry;
import dev.maas.storage.SharedStore;
import dev.maas.storage.StorageProperties;
import dev.maas.storage.StoreProperties;
import dev.maas.training.TrainingJobs;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires comparisons and their store: files under {@code maas.storage.path}, or PostgreSQL with
 * {@code maas.store.type=shared} (a runner's lease as long as a training job's, {@code
 * maas.store.job-lease}).
 */
@Configuration(proxyBeanMethods = false)
class ComparisonConfiguration {

  @Bean(destroyMethod = "close")
  Comparisons comparisons(
      TrainingJobs jobs,
      ModelRegistry registry,
      CostProperties cost,
      StorageProperties storage,
      StoreProperties store,
      ObjectProvider<SharedStore> shared) {
    ComparisonStore comparisonStore =
        store.shared()
            ? new SharedComparisonStore(shared.getObject(), store.jobLease())
            : new FileComparisonStore(storage.path());
    return new Comparisons(
        jobs,
        registry,
        Prices.of(cost),
        comparisonStore,
        100,
        Math.max(100, store.jobLease().toMillis() / 3));
  }

  /**
   * Carries on the stored comparisons that were running, once the application is ready: after the
   * training jobs were recovered, so that a candidate's job is there to follow.
   */
  @Bean
  ApplicationListener<ApplicationReadyEvent> comparisonsRecovery(
      Comparisons comparisons, StoreProperties store) {
    return event -> {
      comparisons.recover();
      if (store.shared()) {
        comparisons.adoptEvery(store.jobLease().dividedBy(2));
      }
    };
  }
}

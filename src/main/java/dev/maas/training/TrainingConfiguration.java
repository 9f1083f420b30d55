package dev.maas.training;

import dev.maas.dataset.Datasets;
import dev.maas.registry.ModelRegistry;
import dev.maas.storage.SharedStore;
import dev.maas.storage.StorageProperties;
import dev.maas.storage.StoreProperties;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

/**
 * Wires training jobs: the job store and the checkpoints (under {@code maas.storage.path}, or in
 * PostgreSQL and the bucket with {@code maas.store.type=shared}), the queue and workers.
 */
@Configuration(proxyBeanMethods = false)
class TrainingConfiguration {

  @Bean
  TrainingJobs trainingJobs(
      TrainingProperties training,
      StorageProperties storage,
      StoreProperties store,
      ObjectProvider<SharedStore> shared,
      @Lazy Datasets datasets,
      ModelRegistry registry) {
    CheckpointStore checkpoints =
        store.shared()
            ? new SharedCheckpointStore(shared.getObject())
            : new FileCheckpointStore(storage.path());
    JobStore jobStore =
        store.shared()
            ? new SharedJobStore(shared.getObject(), store.jobLease())
            : new FileJobStore(storage.path());
    return new TrainingJobs(
        jobStore,
        new RequestParser(datasets),
        new InlineDatasets(datasets),
        new JobRunner(
            datasets,
            registry,
            training.wallClockLimit().toNanos(),
            training.maxEpochRows(),
            checkpoints,
            training.checkpointInterval()),
        checkpoints,
        training.workers(),
        training.queueCapacity(),
        training.maxJobsPerKey(),
        training.maxAttempts());
  }

  /** The training meters (jobs, queue, workers, what jobs used). */
  @Bean
  MeterBinder trainingMeters(TrainingJobs jobs) {
    return jobs.metrics();
  }

  /**
   * Recovers stored jobs once every bean exists (the datasets service included); in shared mode
   * starts the workers that claim jobs from the database (woken by notifications, polling every
   * {@code maas.store.poll-interval} or half lease, whichever is shorter).
   */
  @Bean
  SmartInitializingSingleton trainingJobsRecovery(TrainingJobs jobs, StoreProperties store) {
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

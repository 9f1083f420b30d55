package dev.maas.comparison;

import dev.maas.capacity.CostProperties;
import dev.maas.capacity.Prices;
import dev.maas.registry.ModelRegistry;
import dev.maas.training.TrainingJobs;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires comparisons. */
@Configuration(proxyBeanMethods = false)
class ComparisonConfiguration {

  @Bean(destroyMethod = "close")
  Comparisons comparisons(TrainingJobs jobs, ModelRegistry registry, CostProperties cost) {
    return new Comparisons(jobs, registry, Prices.of(cost), 100);
  }
}

package dev.maas.serving;

import dev.maas.MaasProperties;
import dev.maas.registry.ModelRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the model cache and the prediction path from {@code maas.serving.*}. */
@Configuration(proxyBeanMethods = false)
class ServingConfiguration {

  @Bean
  ServingMetrics servingMetrics(MeterRegistry meters) {
    return new ServingMetrics(meters);
  }

  @Bean
  ModelCache modelCache(ModelRegistry registry, ServingMetrics metrics, MaasProperties properties) {
    MaasProperties.Serving serving = properties.serving();
    return new ModelCache(
        registry,
        metrics,
        serving.cacheSize().toBytes(),
        serving.unloadAfter().toNanos(),
        serving.maxBatchRows(),
        serving.maxBatchWait().toNanos());
  }

  @Bean
  Predictor predictor(ModelRegistry registry, ModelCache cache, ServingMetrics metrics) {
    return new Predictor(registry, cache, metrics);
  }
}

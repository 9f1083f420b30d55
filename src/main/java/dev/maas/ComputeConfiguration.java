package dev.maas;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Applies {@code maas.compute.*} to ND4J as the server starts. */
@Configuration(proxyBeanMethods = false)
class ComputeConfiguration {

  @Bean
  ComputeThreads computeThreads(ComputeProperties properties) {
    return ComputeThreads.apply(properties);
  }
}

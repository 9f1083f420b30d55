package dev.maas.storage;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Opens the shared store when {@code maas.store.type=shared}; in embedded mode there is no such
 * bean, and nothing looks for a database or a bucket. The database is Spring Boot's standard {@code
 * spring.datasource.url}, {@code username} and {@code password}; Boot's own DataSource and Flyway
 * auto-configuration is not on the class path, so this is the only pool.
 */
@Configuration(proxyBeanMethods = false)
class SharedStoreConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(name = "maas.store.type", havingValue = "shared")
  SharedStore sharedStore(StoreProperties store, Environment environment) {
    return SharedStore.open(
        environment.getProperty("spring.datasource.url"),
        environment.getProperty("spring.datasource.username"),
        environment.getProperty("spring.datasource.password"),
        store.s3());
  }
}

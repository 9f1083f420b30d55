package dev.maas.web;

import dev.maas.MaasProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Registers the request limits that are not a feature's own. */
@Configuration(proxyBeanMethods = false)
class WebLimitsConfiguration {

  @Bean
  FilterRegistrationBean<PredictionBodyLimit> predictionBodyLimit(MaasProperties properties) {
    var registration =
        new FilterRegistrationBean<>(
            new PredictionBodyLimit(properties.serving().maxRequestSize()));
    registration.addUrlPatterns("/api/v1/models/*", "/v2/*");
    return registration;
  }
}

package dev.maas.serving;

import dev.maas.registry.ModelRegistry;
import io.micrometer.common.KeyValue;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.observation.ObservationFilter;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerResponse;

/** Wires the model cache and the prediction path from {@code maas.serving.*}. */
@Configuration(proxyBeanMethods = false)
class ServingConfiguration {
  /** The setting that limits a prediction body, named in the 413 that refuses one. */
  static final String MAX_REQUEST_SIZE = "maas.serving.max-request-size";

  /** The tag of the warm-up's own HTTP observations, whose meters are denied. */
  static final String WARMUP_TAG = "maas.warmup";

  @Bean
  ServingFigures servingFigures() {
    return new ServingFigures();
  }

  @Bean
  ServingMetrics servingMetrics(
      MeterRegistry meters, ServingFigures figures, MetricsProperties properties) {
    return new ServingMetrics(meters, figures, properties);
  }

  @Bean
  ModelCache modelCache(ModelRegistry registry, ServingMetrics metrics, ServingProperties serving) {
    return new ModelCache(
            registry,
            metrics,
            serving.cacheSize().toBytes(),
            serving.unloadAfter().toNanos(),
            serving.maxBatchRows(),
            serving.maxBatchWait().toNanos(),
            serving.maxConcurrentLoads(),
            serving.loadWait().toNanos(),
            System::nanoTime)
        .warmUpFor(serving.warmup().afterLoad().toNanos());
  }

  /** Unloads idle versions nothing points at; stopped before the cache closes. */
  @Bean
  ModelCacheSweeper modelCacheSweeper(ModelCache cache) {
    return new ModelCacheSweeper(cache);
  }

  @Bean
  PredictController predictController(Predictor predictor, ServingProperties properties) {
    return new PredictController(predictor, properties);
  }

  /** The native predict endpoint, as a functional route (see {@link PredictController}). */
  @Bean
  RouterFunction<ServerResponse> predictRoute(PredictController controller) {
    return controller.route();
  }

  /**
   * The lean path of predict and infer: answers their happy path without Spring MVC (see {@link
   * LeanPredictFilter}), the last filter of the chain.
   */
  @Bean
  LeanPredictFilter leanPredictFilter(Predictor predictor, ServingProperties properties) {
    return new LeanPredictFilter(predictor, properties);
  }

  /** Versions resolved once and held, for batch jobs. */
  @Bean
  ScoringModels scoringModels(ModelRegistry registry, ModelCache cache) {
    return new ScoringModels(registry, cache);
  }

  /** The Open Inference Protocol for the gRPC server. */
  @Bean
  OpenInference openInference(
      Predictor predictor, ModelRegistry registry, ServingProperties properties) {
    return new OpenInference(predictor, registry, properties);
  }

  /** Tells the warm-up's requests from clients' for the meters. */
  @Bean
  SyntheticTraffic syntheticTraffic(@Qualifier("warmupKey") ObjectProvider<Supplier<String>> key) {
    Supplier<String> none = () -> "";
    return new SyntheticTraffic(key.getIfAvailable(() -> none));
  }

  /**
   * The warm-up's requests are observed as HTTP server requests like clients' (so that the code
   * that observes them is compiled before ready), with a tag that {@link #warmupNotMetered()} turns
   * into no meter at all.
   */
  @Bean
  ObservationFilter warmupObservedApart(SyntheticTraffic traffic) {
    KeyValue mark = KeyValue.of(WARMUP_TAG, "true");
    return context -> {
      if (context instanceof ServerRequestObservationContext request
          && traffic.marks(request.getCarrier())) {
        context.addLowCardinalityKeyValue(mark);
      }
      return context;
    };
  }

  /** The warm-up's HTTP observations ({@link #warmupObservedApart}) make no meter. */
  @Bean
  MeterFilter warmupNotMetered() {
    return MeterFilter.deny(id -> id.getTag(WARMUP_TAG) != null);
  }

  /** The warm-up before ready; the key is the server's own, from its security configuration. */
  @Bean
  Warmup warmup(
      ModelRegistry registry,
      ModelCache cache,
      ServingProperties serving,
      Environment environment,
      @Qualifier("warmupKey") ObjectProvider<Supplier<String>> key,
      SyntheticTraffic traffic) {
    Supplier<String> none = () -> "";
    return new Warmup(
        registry, cache, serving.warmup(), environment, key.getIfAvailable(() -> none), traffic);
  }

  @Bean
  Predictor predictor(ModelRegistry registry, ModelCache cache, ServingMetrics metrics) {
    return new Predictor(registry, cache, metrics);
  }
}

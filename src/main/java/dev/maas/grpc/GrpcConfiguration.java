package dev.maas.grpc;

import dev.maas.serving.OpenInference;
import dev.maas.web.security.ApiKeyCheck;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The gRPC server, unless {@code maas.grpc.port} is 0. */
@Configuration(proxyBeanMethods = false)
class GrpcConfiguration {

  @Bean
  @ConditionalOnExpression("'${maas.grpc.port:8081}' != '0'")
  GrpcServer grpcServer(GrpcProperties properties, OpenInference inference, ApiKeyCheck keys) {
    return new GrpcServer(
        properties.port(),
        new InferenceService(inference),
        new ApiKeyInterceptor(keys::predict),
        (int) Math.min(Integer.MAX_VALUE, inference.maxRequestBytes()));
  }
}

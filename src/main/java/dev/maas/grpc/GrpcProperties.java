package dev.maas.grpc;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code maas.grpc.*}: the Open Inference Protocol over gRPC.
 *
 * @param port the port of the gRPC server ({@code inference.GRPCInferenceService}, gRPC health
 *     checking and server reflection), beside the HTTP port; 0 turns it off
 */
@ConfigurationProperties("maas.grpc")
@Validated
public record GrpcProperties(@DefaultValue("8081") @Min(0) @Max(65535) int port) {}

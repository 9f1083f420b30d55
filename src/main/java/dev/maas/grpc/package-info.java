/**
 * The Open Inference Protocol over gRPC: an entry layer beside {@code web}, turning gRPC messages
 * into {@code serving}'s {@link dev.maas.serving.OpenInference} calls and domain errors into gRPC
 * statuses. {@code dev.maas.grpc.proto} is generated from {@code src/main/proto}.
 */
package dev.maas.grpc;

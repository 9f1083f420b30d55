package dev.maas.grpc;

import dev.maas.grpc.proto.GRPCInferenceServiceGrpc;
import dev.maas.grpc.proto.ModelInferRequest;
import dev.maas.grpc.proto.ModelInferResponse;
import dev.maas.grpc.proto.ModelMetadataRequest;
import dev.maas.grpc.proto.ModelMetadataResponse;
import dev.maas.grpc.proto.ModelReadyRequest;
import dev.maas.grpc.proto.ModelReadyResponse;
import dev.maas.grpc.proto.ServerLiveRequest;
import dev.maas.grpc.proto.ServerLiveResponse;
import dev.maas.grpc.proto.ServerMetadataRequest;
import dev.maas.grpc.proto.ServerMetadataResponse;
import dev.maas.grpc.proto.ServerReadyRequest;
import dev.maas.grpc.proto.ServerReadyResponse;
import dev.maas.serving.OpenInference;
import dev.maas.serving.Protocol;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code inference.GRPCInferenceService}: the Open Inference Protocol's RPCs, answered by {@link
 * OpenInference} as the REST endpoints answer them. {@code model_version} may also name an alias.
 * An infer request with {@code raw_input_contents} is answered with {@code raw_output_contents},
 * one with typed contents with typed contents.
 */
final class InferenceService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
  private final OpenInference inference;

  InferenceService(OpenInference inference) {
    this.inference = inference;
  }

  @Override
  public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> answer) {
    reply(answer, () -> ServerLiveResponse.newBuilder().setLive(true).build());
  }

  @Override
  public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> answer) {
    reply(answer, () -> ServerReadyResponse.newBuilder().setReady(true).build());
  }

  @Override
  public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> answer) {
    reply(
        answer,
        () ->
            ModelReadyResponse.newBuilder()
                .setReady(inference.ready(Protocol.GRPC, request.getName(), request.getVersion()))
                .build());
  }

  @Override
  public void serverMetadata(
      ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> answer) {
    reply(
        answer,
        () ->
            ServerMetadataResponse.newBuilder()
                .setName(inference.serverName())
                .setVersion(inference.serverVersion())
                .build());
  }

  @Override
  public void modelMetadata(
      ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> answer) {
    reply(
        answer,
        () -> {
          OpenInference.ModelInfo info =
              inference.metadata(Protocol.GRPC, request.getName(), request.getVersion());
          ModelMetadataResponse.Builder out =
              ModelMetadataResponse.newBuilder()
                  .setName(info.name())
                  .addAllVersions(info.versions())
                  .setPlatform(info.platform());
          for (OpenInference.TensorInfo t : info.inputs()) {
            out.addInputs(tensor(t));
          }
          for (OpenInference.TensorInfo t : info.outputs()) {
            out.addOutputs(tensor(t));
          }
          return out.build();
        });
  }

  @Override
  public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> answer) {
    reply(
        answer,
        () -> {
          List<String> outputs =
              request.getOutputsList().stream()
                  .map(ModelInferRequest.InferRequestedOutputTensor::getName)
                  .toList();
          OpenInference.Answer result =
              inference.infer(
                  Protocol.GRPC,
                  request.getModelName(),
                  request.getModelVersion(),
                  () -> Tensors.inputs(request),
                  outputs);
          return Tensors.response(request.getId(), result, request.getRawInputContentsCount() > 0);
        });
  }

  private static ModelMetadataResponse.TensorMetadata tensor(OpenInference.TensorInfo t) {
    ModelMetadataResponse.TensorMetadata.Builder out =
        ModelMetadataResponse.TensorMetadata.newBuilder()
            .setName(t.name())
            .setDatatype(t.datatype());
    for (long d : t.shape()) {
      out.addShape(d);
    }
    return out.build();
  }

  private static <T> void reply(StreamObserver<T> answer, Supplier<T> call) {
    T value;
    try {
      value = call.get();
    } catch (RuntimeException e) {
      answer.onError(Statuses.of(e));
      return;
    }
    answer.onNext(value);
    answer.onCompleted();
  }
}

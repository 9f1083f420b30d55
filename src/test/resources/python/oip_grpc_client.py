"""Calls every RPC of inference.GRPCInferenceService with Python's grpcio, as a client nobody in
maas wrote would: stubs generated from the project's .proto by grpc_tools, typed and raw contents.

Usage: oip_grpc_client.py STUBS_DIR TARGET KEY REQUEST_JSON
REQUEST_JSON: {"model": name, "shape": [n, ...], "values": [flat row-major floats]}
Prints one JSON object with what each call answered (numbers as repr of Python floats, exact).
"""
import json
import struct
import sys

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
import grpc_predict_v2_pb2 as pb  # noqa: E402
import grpc_predict_v2_pb2_grpc as pb_grpc  # noqa: E402

target, key, request = sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
model, shape, values = request["model"], request["shape"], request["values"]
auth = (("authorization", "Bearer " + key),)


def outputs(response):
    """Each output tensor with its data, from typed or raw contents."""
    out = []
    for i, t in enumerate(response.outputs):
        if response.raw_output_contents:
            raw = response.raw_output_contents[i]
            if t.datatype == "BYTES":
                data, at = [], 0
                while at < len(raw):
                    (length,) = struct.unpack_from("<I", raw, at)
                    data.append(raw[at + 4 : at + 4 + length].decode("utf-8"))
                    at += 4 + length
            else:
                fmt = {"FP32": "f", "FP64": "d"}[t.datatype]
                data = list(struct.unpack("<%d%s" % (len(raw) // struct.calcsize(fmt), fmt), raw))
        elif t.datatype == "BYTES":
            data = [b.decode("utf-8") for b in t.contents.bytes_contents]
        elif t.datatype == "FP32":
            data = list(t.contents.fp32_contents)
        else:
            data = list(t.contents.fp64_contents)
        out.append(
            {
                "name": t.name,
                "datatype": t.datatype,
                "shape": list(t.shape),
                "data": [d if isinstance(d, str) else repr(d) for d in data],
            }
        )
    return {
        "model_name": response.model_name,
        "model_version": response.model_version,
        "id": response.id,
        "raw": len(response.raw_output_contents) > 0,
        "outputs": out,
    }


def status(call):
    try:
        call()
        return "OK"
    except grpc.RpcError as e:
        return e.code().name + ": " + e.details()


with grpc.insecure_channel(target) as channel:
    stub = pb_grpc.GRPCInferenceServiceStub(channel)
    result = {}
    result["live"] = stub.ServerLive(pb.ServerLiveRequest(), metadata=auth).live
    result["ready"] = stub.ServerReady(pb.ServerReadyRequest(), metadata=auth).ready
    server = stub.ServerMetadata(pb.ServerMetadataRequest(), metadata=auth)
    result["server"] = {"name": server.name, "version": server.version}
    result["model_ready"] = stub.ModelReady(
        pb.ModelReadyRequest(name=model, version="1"), metadata=auth
    ).ready
    metadata = stub.ModelMetadata(pb.ModelMetadataRequest(name=model), metadata=auth)
    result["metadata"] = {
        "name": metadata.name,
        "versions": list(metadata.versions),
        "platform": metadata.platform,
        "inputs": [
            {"name": t.name, "datatype": t.datatype, "shape": list(t.shape)}
            for t in metadata.inputs
        ],
        "outputs": [
            {"name": t.name, "datatype": t.datatype, "shape": list(t.shape)}
            for t in metadata.outputs
        ],
    }

    typed = pb.ModelInferRequest(model_name=model, id="python-typed")
    tensor = typed.inputs.add(name="input", datatype="FP64", shape=shape)
    tensor.contents.fp64_contents.extend(values)
    result["typed"] = outputs(stub.ModelInfer(typed, metadata=auth))

    raw = pb.ModelInferRequest(model_name=model, model_version="1", id="python-raw")
    raw.inputs.add(name="input", datatype="FP64", shape=shape)
    raw.raw_input_contents.append(struct.pack("<%dd" % len(values), *values))
    result["raw"] = outputs(stub.ModelInfer(raw, metadata=auth))

    bad = pb.ModelInferRequest(model_name=model)
    bad.inputs.add(name="input", datatype="FP64", shape=[1, 1]).contents.fp64_contents.append(1.0)
    result["errors"] = {
        "no_key": status(lambda: stub.ServerLive(pb.ServerLiveRequest())),
        "not_found": status(
            lambda: stub.ModelMetadata(pb.ModelMetadataRequest(name="nobody"), metadata=auth)
        ),
        "bad_shape": status(lambda: stub.ModelInfer(bad, metadata=auth)),
    }
    print(json.dumps(result))

"""The gRPC half of the model semantics (SPEC §4, §5 gRPC columns), used by gRPC workers.

The C worker (csrc/sc_grpc_worker.c) does HTTP/2 and hands each call's request bytes to
``Runtime.handle_grpc(method, request)``, which delegates here and returns
``(grpc status code, details, response bytes)``. It never raises.

Numeric fast path (csrc/sc_grpc_fast.c): for Predict, TransformInput, TransformOutput and Route
the worker first decodes a plain ``meta`` + ``data{names, tensor|ndarray}`` request in C and
calls ``Runtime.handle_grpc_parts(method, parts)`` instead, with
``parts = (datadef kind, float64 ndarray, names list, serialized Meta or None)``. That answers
exactly like ``handle_grpc`` would for the same request, or ``None`` (before any user code ran)
when the request needs the message itself (a raw or deprecated method; a Meta protobuf refuses):
the worker then calls ``handle_grpc`` with the bytes. Responses with a numeric tensor/ndarray
payload are serialized by the C ``_seldon_core_c.grpc_encode_data`` (byte for byte what protobuf
writes) when the worker provides it.

Message classes are built at run time from ``_protos.pb``, a serialized FileDescriptorSet of
``proto/`` (prediction.proto, the TensorFlow subset, health and reflection) made by
``protoc --include_imports --descriptor_set_out`` (``make protos``). No generated ``*_pb2``
code is needed, so any protobuf >= 3.20 runtime works. The classes live in a private descriptor
pool so they never clash with the original package's ``prediction_pb2`` when a model imports it;
foreign messages (a user's ``Any``, a SeldonMessage built with the original's classes) are
converted through their wire bytes.
"""

import logging
import os
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
from google.protobuf import descriptor_pb2, descriptor_pool, json_format
from google.protobuf.message import DecodeError

from .flask_utils import SeldonMicroserviceException
from .metrics import COUNTER

try:  # the C server's module; absent in pure-Python tests
    import _seldon_core_c as _native  # type: ignore
except ImportError:  # pragma: no cover - depends on the host
    _native = None

logger = logging.getLogger("seldon_core_c.runtime")

# Method numbers, shared with csrc/sc_grpc_worker.c. 0..7 equal runtime.py's endpoint numbers.
GRPC_PREDICT = 0
GRPC_TRANSFORM_INPUT = 2
GRPC_TRANSFORM_OUTPUT = 3
GRPC_ROUTE = 4
GRPC_AGGREGATE = 5
GRPC_SEND_FEEDBACK = 6
GRPC_MODEL_METADATA = 7
GRPC_SELDON_METADATA = 8
GRPC_GRAPH_METADATA = 9
GRPC_HEALTH_CHECK = 10
GRPC_REFLECTION_V1ALPHA = 11
GRPC_REFLECTION_V1 = 12

# gRPC status codes used here.
OK = 0
UNKNOWN = 2
INVALID_ARGUMENT = 3
NOT_FOUND = 5
INTERNAL = 13

DESCRIPTOR_SET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_protos.pb")

# What reflection lists: the seven Seldon services (SPEC §4.1), then ours.
SERVICES = (
    "seldon.protos.Generic",
    "seldon.protos.Model",
    "seldon.protos.Router",
    "seldon.protos.Transformer",
    "seldon.protos.OutputTransformer",
    "seldon.protos.Combiner",
    "seldon.protos.Seldon",
    "grpc.health.v1.Health",
    "grpc.reflection.v1alpha.ServerReflection",
    "grpc.reflection.v1.ServerReflection",
)

_NUMERIC_KINDS = frozenset("iufcm")  # np.issubdtype(dtype, np.number); bool is not one
_FAST_TENSOR_KINDS = frozenset("iuf")  # exactly representable by a float64 cast like tolist()


def _message_class(descriptor: Any) -> Any:
    from google.protobuf import message_factory

    get = getattr(message_factory, "GetMessageClass", None)  # protobuf >= 4.21
    if get is not None:
        return get(descriptor)
    return message_factory.MessageFactory(descriptor.file.pool).GetPrototype(descriptor)


class Protos:
    """The message classes and raw file descriptors of ``_protos.pb``."""

    def __init__(self, path: str = DESCRIPTOR_SET) -> None:
        with open(path, "rb") as f:
            fds = descriptor_pb2.FileDescriptorSet.FromString(f.read())
        self.pool = descriptor_pool.DescriptorPool()
        self.files: Dict[str, bytes] = {}  # file name -> serialized FileDescriptorProto
        self.deps: Dict[str, List[str]] = {}
        for proto in fds.file:  # dependency order (protoc --include_imports)
            self.pool.Add(proto)
            self.files[proto.name] = proto.SerializeToString()
            self.deps[proto.name] = list(proto.dependency)
        cls = self.cls
        self.SeldonMessage = cls("seldon.protos.SeldonMessage")
        self.SeldonMessageList = cls("seldon.protos.SeldonMessageList")
        self.DefaultData = cls("seldon.protos.DefaultData")
        self.Tensor = cls("seldon.protos.Tensor")
        self.Meta = cls("seldon.protos.Meta")
        self.Feedback = cls("seldon.protos.Feedback")
        self.SeldonModelMetadata = cls("seldon.protos.SeldonModelMetadata")
        self.SeldonModelMetadataRequest = cls("seldon.protos.SeldonModelMetadataRequest")
        self.Empty = cls("google.protobuf.Empty")
        self.Value = cls("google.protobuf.Value")
        self.ListValue = cls("google.protobuf.ListValue")
        self.HealthCheckRequest = cls("grpc.health.v1.HealthCheckRequest")
        self.HealthCheckResponse = cls("grpc.health.v1.HealthCheckResponse")
        self.reflection = {
            GRPC_REFLECTION_V1ALPHA: (
                cls("grpc.reflection.v1alpha.ServerReflectionRequest"),
                cls("grpc.reflection.v1alpha.ServerReflectionResponse"),
            ),
            GRPC_REFLECTION_V1: (
                cls("grpc.reflection.v1.ServerReflectionRequest"),
                cls("grpc.reflection.v1.ServerReflectionResponse"),
            ),
        }

    def cls(self, full_name: str) -> Any:
        return _message_class(self.pool.FindMessageTypeByName(full_name))

    def file_with_deps(self, name: str) -> List[bytes]:
        """The file and its transitive imports, the file first (what reflection clients want)."""
        order: List[str] = []
        stack = [name]
        while stack:
            each = stack.pop()
            if each in order:
                continue
            order.append(each)
            stack.extend(reversed(self.deps.get(each, [])))
        return [self.files[each] for each in order]


class _Req:
    """What response construction needs of a request: its payload kind (SeldonMessage oneof),
    its DefaultData kind and its puid."""

    __slots__ = ("data_type", "datadef_kind", "puid")

    def __init__(self, data_type: Optional[str], datadef_kind: Optional[str], puid: str) -> None:
        self.data_type = data_type
        self.datadef_kind = datadef_kind
        self.puid = puid

    @classmethod
    def of(cls, msg: Any) -> "_Req":
        data_type = msg.WhichOneof("data_oneof")
        datadef_kind = msg.data.WhichOneof("data_oneof") if data_type == "data" else None
        return cls(data_type, datadef_kind, msg.meta.puid)


def _is_message(obj: Any, full_name: str) -> bool:
    descriptor = getattr(obj, "DESCRIPTOR", None)
    return getattr(descriptor, "full_name", None) == full_name and hasattr(obj, "SerializeToString")


class GrpcRuntime:
    """gRPC dispatch for one ``runtime.Runtime`` (its resolved user methods and helpers)."""

    def __init__(self, runtime: Any) -> None:
        self.rt = runtime
        self.p = Protos()
        # The deprecated gRPC-only entry points (SPEC §5.1); the *_rest ones the runtime resolved
        # are shared by both transports except predict_rest, which is REST-only.
        self.predict_grpc = runtime._hook("predict_grpc")
        self.handlers: Dict[int, Callable[[bytes], bytes]] = {
            GRPC_PREDICT: self.predict,
            GRPC_TRANSFORM_INPUT: lambda b: self.transform(b, GRPC_TRANSFORM_INPUT),
            GRPC_TRANSFORM_OUTPUT: lambda b: self.transform(b, GRPC_TRANSFORM_OUTPUT),
            GRPC_ROUTE: self.route,
            GRPC_AGGREGATE: self.aggregate,
            GRPC_SEND_FEEDBACK: self.send_feedback,
            GRPC_MODEL_METADATA: lambda b: self.metadata(b, self.p.Empty),
            GRPC_SELDON_METADATA: lambda b: self.metadata(b, self.p.SeldonModelMetadataRequest),
            GRPC_GRAPH_METADATA: self.graph_metadata,
            GRPC_HEALTH_CHECK: self.health_check,
            GRPC_REFLECTION_V1ALPHA: lambda b: self.reflection(b, GRPC_REFLECTION_V1ALPHA),
            GRPC_REFLECTION_V1: lambda b: self.reflection(b, GRPC_REFLECTION_V1),
        }
        # The fast path's high-level halves, taking (request view, features, names, meta).
        self.fast_handlers: Dict[int, Callable[..., bytes]] = {
            GRPC_PREDICT: self._predict,
            GRPC_TRANSFORM_INPUT: lambda *a: self._transform(GRPC_TRANSFORM_INPUT, *a),
            GRPC_TRANSFORM_OUTPUT: lambda *a: self._transform(GRPC_TRANSFORM_OUTPUT, *a),
            GRPC_ROUTE: self._route,
        }
        encode = getattr(_native, "grpc_encode_data", None)
        self._encode: Optional[Callable[..., Optional[bytes]]] = encode

    # ---- entry point --------------------------------------------------------------------

    def handle(self, method: int, request: bytes) -> Tuple[int, str, bytes]:
        return self._answer(self.handlers[method], request)

    def handle_parts(self, method: int, parts: Tuple[Any, ...]) -> Optional[Tuple[int, str, bytes]]:
        """A request the C fast path decoded (module docstring), or None: use ``handle``."""
        if not self._takes_parts(method):
            return None
        kind, features, names, meta_bytes = parts
        try:
            if meta_bytes is None:
                meta: Dict = {}
                puid = ""
            else:
                meta_msg = self.p.Meta.FromString(meta_bytes)
                meta = json_format.MessageToDict(meta_msg)
                puid = meta_msg.puid
            # The same repeated-field container the general path passes (msg.data.names).
            names = self.p.DefaultData(names=names).names
        except Exception:  # e.g. invalid UTF-8 or NaN in meta: the general path reports it
            return None
        return self._answer(self.fast_handlers[method], _Req("data", kind, puid), features, names, meta)

    def _takes_parts(self, method: int) -> bool:
        """False when the method's dispatch needs the request message (SPEC §5.1)."""
        rt = self.rt
        if method == GRPC_PREDICT:
            return self.predict_grpc is None and rt._predict_raw is None
        if method == GRPC_TRANSFORM_INPUT:
            return rt._input_legacy is None and rt._input_raw is None
        if method == GRPC_TRANSFORM_OUTPUT:
            return rt._output_legacy is None and rt._output_raw is None
        if method == GRPC_ROUTE:
            return rt._route_legacy is None and rt._route_raw is None
        return False

    def _answer(self, fn: Callable[..., bytes], *args: Any) -> Tuple[int, str, bytes]:
        try:
            return OK, "", fn(*args)
        except _BadRequest as exc:
            return INVALID_ARGUMENT, str(exc), b""
        except _NotFound as exc:
            return NOT_FOUND, str(exc), b""
        except _SerializeError as exc:
            logger.error("Failed to serialize response: %s", exc)
            return INTERNAL, "Failed to serialize response!", b""
        except Exception as exc:  # SPEC §4.4: no mapping, every exception is UNKNOWN
            logger.exception("Exception calling application: %s", exc)
            return UNKNOWN, "Exception calling application: " + str(exc), b""

    def _parse(self, cls: Any, request: bytes) -> Any:
        try:
            return cls.FromString(request)
        except (DecodeError, ValueError, RuntimeError) as exc:
            raise _BadRequest(f"Failed to parse the request as {cls.DESCRIPTOR.full_name}: {exc}")

    @staticmethod
    def _serialize(result: Any) -> bytes:
        """A user-returned proto (ours or any generated class of the same message) -> bytes."""
        serialize = getattr(result, "SerializeToString", None)
        if serialize is None:
            raise _SerializeError(f"not a protobuf message: {type(result).__name__}")
        return serialize()

    # ---- request parts (the original's extract_request_parts) ------------------------------

    def _datadef_to_array(self, datadef: Any) -> np.ndarray:
        kind = datadef.WhichOneof("data_oneof")
        if kind == "tensor":
            tensor = datadef.tensor
            count = len(tensor.values)
            if count:
                # The packed doubles are the tail of the serialised Tensor (field 2 is written
                # last): one copy into numpy, no Python float per element.
                wire = tensor.SerializeToString()
                values = np.frombuffer(wire, dtype="<f8", count=count, offset=len(wire) - 8 * count)
                values = values.astype(np.float64, copy=True)
            else:
                values = np.array([], dtype=np.float64)
            return values.reshape(list(tensor.shape))
        if kind == "ndarray":
            return np.array(json_format.MessageToDict(datadef.ndarray))
        if kind == "tftensor":
            tf = self._tensorflow()
            from tensorflow.core.framework.tensor_pb2 import TensorProto  # type: ignore

            return tf.make_ndarray(TensorProto.FromString(datadef.tftensor.SerializeToString()))
        return np.array([])

    def _tensorflow(self) -> Any:
        from .runtime import _tensorflow

        tf = _tensorflow()
        if tf is None:  # what the original answers without TensorFlow installed
            raise NameError("name 'tf' is not defined")
        return tf

    def _features(self, msg: Any) -> Any:
        kind = msg.WhichOneof("data_oneof")
        if kind == "data":
            return self._datadef_to_array(msg.data)
        if kind == "binData":
            return msg.binData
        if kind == "strData":
            return msg.strData
        if kind == "jsonData":
            return json_format.MessageToDict(msg.jsonData)
        if kind == "customData":
            return msg.customData
        raise SeldonMicroserviceException("Unknown data in SeldonMessage")

    def _parts(self, msg: Any) -> Tuple[Any, Dict, Any]:
        """(features, meta as proto-JSON dict, names container) of a SeldonMessage."""
        features = self._features(msg)
        meta = json_format.MessageToDict(msg.meta)
        return features, meta, msg.data.names

    # ---- response construction (the original's gRPC construct_response, SPEC §5.5) --------

    def _array_to_list_value(self, array: np.ndarray, lv: Any) -> None:
        if len(array.shape) == 1:
            lv.extend(array.tolist())
        else:
            for sub in array:  # a 0-d array raises TypeError, as in the original
                self._array_to_list_value(sub, lv.add_list())

    def _datadef(self, kind: str, array: np.ndarray, names: Any) -> Any:
        p = self.p
        datadef = p.DefaultData(names=names)
        if kind == "tensor":
            if array.dtype.kind in _FAST_TENSOR_KINDS:
                datadef.tensor.shape.extend(array.shape)
                # Packed doubles straight from numpy: append field 2 in wire form.
                raw = np.ascontiguousarray(array, dtype="<f8").tobytes()
                if raw:
                    datadef.tensor.MergeFromString(b"\x12" + _varint(len(raw)) + raw)
                else:
                    datadef.tensor.SetInParent()
            else:
                datadef.tensor.CopyFrom(p.Tensor(shape=array.shape, values=array.ravel().tolist()))
        elif kind == "tftensor":
            tf = self._tensorflow()
            datadef.tftensor.MergeFromString(tf.make_tensor_proto(array).SerializeToString())
        else:
            self._array_to_list_value(array, datadef.ndarray)
            datadef.ndarray.SetInParent()
        return datadef

    def _construct(
        self, request: _Req, raw: Any, meta: Optional[Dict], metrics: Optional[List], runtime_tags: Any
    ) -> bytes:
        rt, p = self.rt, self.p
        data_type = request.data_type
        if meta:
            tags = meta.get("tags", {})
            all_metrics = meta.get("metrics", [])
            request_path = meta.get("requestPath", {})
        else:
            tags, all_metrics, request_path = {}, [], {}
        request_path = {**rt.request_path, **request_path}
        meta_json: Dict[str, Any] = {}
        if request_path:
            meta_json["requestPath"] = request_path
        custom_tags = rt._custom_tags()
        if custom_tags:
            tags.update(custom_tags)
        if runtime_tags:
            tags.update(runtime_tags)
        if metrics:
            all_metrics.extend(metrics)
        if tags:
            meta_json["tags"] = tags
        if all_metrics:
            meta_json["metrics"] = all_metrics
        if request.puid:
            meta_json["puid"] = request.puid
        meta_pb = p.Meta()
        if meta_json:
            json_format.ParseDict(meta_json, meta_pb)

        if isinstance(raw, (np.ndarray, list)):
            array = np.array(raw)
            names = rt._class_names(array)
            numeric = array.dtype.kind in _NUMERIC_KINDS
            if data_type == "data":
                kind = (request.datadef_kind if numeric else "ndarray") or "ndarray"
            else:
                kind = "tensor" if numeric else "ndarray"
            if self._encode is not None and kind != "tftensor":
                # C writes numeric tensors/ndarrays; None leaves the rest (and errors) to protobuf.
                body = self._encode(meta_pb.SerializeToString(), names, 1 if kind == "tensor" else 2, array)
                if body is not None:
                    return body
            out = p.SeldonMessage(data=self._datadef(kind, array, names), meta=meta_pb)
        elif isinstance(raw, str):
            out = p.SeldonMessage(strData=raw, meta=meta_pb)
        elif isinstance(raw, dict):
            value = p.Value()
            json_format.ParseDict(raw, value)
            out = p.SeldonMessage(jsonData=value, meta=meta_pb)
        elif isinstance(raw, (bytes, bytearray)):
            out = p.SeldonMessage(binData=bytes(raw), meta=meta_pb)
        elif _is_message(raw, "google.protobuf.Any"):
            out = p.SeldonMessage(meta=meta_pb)
            out.customData.MergeFromString(raw.SerializeToString())
        else:
            # The original concatenates str and object: a TypeError for everything but str.
            raise SeldonMicroserviceException("Unknown data type returned as payload:" + raw)
        return out.SerializeToString()

    # ---- raw methods ----------------------------------------------------------------------

    def _raw(self, fn: Callable[[Any], Any], msg: Any, method: str) -> Any:
        """A ``*_raw`` result with its metrics handled (SPEC §6.5), or _FALL_THROUGH."""
        rt = self.rt
        try:
            response = fn(msg)
        except rt._not_implemented:
            return _FALL_THROUGH
        meta = getattr(response, "meta", None)
        metrics: Any = []
        if meta is not None and hasattr(meta, "DESCRIPTOR"):
            metrics = json_format.MessageToDict(meta).get("metrics", [])
            if metrics and not rt.include_metrics:
                del meta.metrics[:]
        rt._record_metrics(method, metrics)
        return self._serialize(response)

    # ---- methods ----------------------------------------------------------------------------

    def predict(self, request: bytes) -> bytes:
        rt = self.rt
        msg = self._parse(self.p.SeldonMessage, request)
        if self.predict_grpc is not None:
            logger.warning("predict_grpc is deprecated. Please use predict_raw")
            return self._serialize(self.predict_grpc(msg))
        if rt._predict_raw is not None:
            response = self._raw(rt._predict_raw, msg, "predict")
            if response is not _FALL_THROUGH:
                return response
        features, meta, names = self._parts(msg)
        return self._predict(_Req.of(msg), features, names, meta)

    def _predict(self, req: _Req, features: Any, names: Any, meta: Dict) -> bytes:
        rt = self.rt
        result: Any = []
        if rt._predict_fn is not None:
            try:
                result = rt._predict_fn(features, names, meta)
            except rt._not_implemented:
                result = []
        data, tags, runtime_metrics = rt._unwrap(result)
        metrics = rt._custom_metrics("predict", runtime_metrics)
        return self._construct(req, data, meta, metrics, tags)

    def transform(self, request: bytes, method: int) -> bytes:
        rt = self.rt
        msg = self._parse(self.p.SeldonMessage, request)
        if method == GRPC_TRANSFORM_INPUT:
            legacy, raw, name, tag = rt._input_legacy, rt._input_raw, "transform_input", "inputtransform"
        else:
            legacy, raw, name, tag = rt._output_legacy, rt._output_raw, "transform_output", "outputtransform"
        if legacy is not None:
            logger.warning(f"{name}_rest is deprecated. Please use {name}_raw")
            return self._serialize(legacy(msg))
        if raw is not None:
            response = self._raw(raw, msg, tag)
            if response is not _FALL_THROUGH:
                return response
        features, meta, names = self._parts(msg)
        return self._transform(method, _Req.of(msg), features, names, meta)

    def _transform(self, method: int, req: _Req, features: Any, names: Any, meta: Dict) -> bytes:
        rt = self.rt
        if method == GRPC_TRANSFORM_INPUT:
            fn, tag = rt._input_fn, "inputtransform"
        else:
            fn, tag = rt._output_fn, "outputtransform"
        result = features  # identity when the method is absent or not implemented
        if fn is not None:
            try:
                result = fn(features, names, meta)
            except rt._not_implemented:
                pass
        data, tags, runtime_metrics = rt._unwrap(result)
        metrics = rt._custom_metrics(tag, runtime_metrics)
        return self._construct(req, data, meta, metrics, tags)

    def route(self, request: bytes) -> bytes:
        rt = self.rt
        msg = self._parse(self.p.SeldonMessage, request)
        if rt._route_legacy is not None:
            logger.warning("route_rest is deprecated. Please use route_raw")
            return self._serialize(rt._route_legacy(msg))
        if rt._route_raw is not None:
            response = self._raw(rt._route_raw, msg, "router")
            if response is not _FALL_THROUGH:
                return response
        features, meta, names = self._parts(msg)
        return self._route(_Req.of(msg), features, names, meta)

    def _route(self, req: _Req, features: Any, names: Any, meta: Dict) -> bytes:
        rt = self.rt
        if rt._route_fn is None:
            from .user_model import SeldonNotImplementedError

            raise SeldonNotImplementedError("Route not defined")
        data, tags, runtime_metrics = rt._unwrap(rt._route_fn(features, names, meta))
        if not isinstance(data, int):
            raise SeldonMicroserviceException("Routing response must be int but got " + str(data))
        metrics = rt._custom_metrics("router", runtime_metrics)
        return self._construct(req, np.array([[data]]), None, metrics, tags)

    def aggregate(self, request: bytes) -> bytes:
        rt = self.rt
        msgs = self._parse(self.p.SeldonMessageList, request)
        if rt._aggregate_legacy is not None:
            logger.warning("aggregate_rest is deprecated. Please use aggregate_raw")
            return self._serialize(rt._aggregate_legacy(msgs))
        if rt._aggregate_raw is not None:
            response = self._raw(rt._aggregate_raw, msgs, "aggregate")
            if response is not _FALL_THROUGH:
                return response
        features_list, names_list, meta_list = [], [], []
        for msg in msgs.seldonMessages:
            features, meta, names = self._parts(msg)
            features_list.append(features)
            names_list.append(names)
            meta_list.append(meta)
        if rt._aggregate_fn is None:
            from .user_model import SeldonNotImplementedError

            raise SeldonNotImplementedError("Aggregate not defined")
        data, tags, runtime_metrics = rt._unwrap(rt._aggregate_fn(features_list, names_list))
        metrics = rt._custom_metrics("aggregate", runtime_metrics)
        merged_tags: Dict = {}
        merged_path: Dict = {}
        merged_metrics: List = []
        for meta in meta_list:
            if meta:
                merged_tags.update(meta.get("tags", {}))
                merged_path.update(meta.get("requestPath", {}))
        for meta in meta_list:
            if meta:
                merged_metrics.extend(meta.get("metrics", []))
        merged_metrics.extend(metrics)
        first = msgs.seldonMessages[0]  # an empty list fails here (IndexError), as the original
        return self._construct(
            _Req.of(first), data, {"tags": merged_tags, "requestPath": merged_path}, merged_metrics, tags
        )

    def send_feedback(self, request: bytes) -> bytes:
        rt, p = self.rt, self.p
        feedback = self._parse(p.Feedback, request)
        reward = feedback.reward
        if reward and rt.record_reward:
            rt._record_metrics("feedback", [{"type": COUNTER, "key": "seldon_api_model_feedback", "value": 1}])
            rt._record_metrics(
                "feedback", [{"type": COUNTER, "key": "seldon_api_model_feedback_reward", "value": reward}]
            )
        if rt._feedback_rest is not None:
            logger.warning("send_feedback_rest is deprecated. Please use send_feedback_raw")
            return self._message_from_json(rt._feedback_rest(json_format.MessageToJson(feedback)))
        if rt._feedback_grpc is not None:
            logger.warning("send_feedback_grpc is deprecated. Please use send_feedback_raw")
            return self._message_from_json(rt._feedback_grpc(feedback))
        if rt._feedback_raw is not None:
            response = self._raw(rt._feedback_raw, feedback, "feedback")
            if response is not _FALL_THROUGH:
                return response
        features = self._datadef_to_array(feedback.request.data)
        truth = self._datadef_to_array(feedback.truth.data)
        routing = feedback.response.meta.routing.get(rt.feedback_unit_id)
        result: Any = None
        if rt._feedback_fn is not None:
            try:
                result = rt._feedback_fn(features, feedback.request.data.names, reward, truth, routing=routing)
            except rt._not_implemented:
                pass
        data, tags, runtime_metrics = rt._unwrap(result)
        metrics = rt._custom_metrics("feedback", runtime_metrics)
        if data is None:
            data = np.array([])
        return self._construct(_Req.of(feedback.request), data, None, metrics, tags)

    def _message_from_json(self, result: Any) -> bytes:
        """json_to_seldon_message: a dict (or None) parsed into a SeldonMessage."""
        message = self.p.SeldonMessage()
        try:
            json_format.ParseDict({} if result is None else result, message)
        except json_format.ParseError as exc:
            raise SeldonMicroserviceException("Invalid JSON: " + str(exc))
        return message.SerializeToString()

    def metadata(self, request: bytes, request_cls: Any) -> bytes:
        self._parse(request_cls, request)  # the requested name is ignored (SPEC §4.2)
        out = self.p.SeldonModelMetadata()
        if self.rt.metadata is not None:  # invalid metadata: an empty answer, no error (§7.3)
            try:
                json_format.ParseDict(self.rt.metadata, out, ignore_unknown_fields=True)
            except json_format.ParseError as exc:
                raise SeldonMicroserviceException(f"Invalid metadata: {exc}")
        return out.SerializeToString()

    def graph_metadata(self, request: bytes) -> bytes:
        self._parse(self.p.Empty, request)
        raise NotImplementedError("GraphMetadata not available on the Model level.")

    # ---- grpc.health.v1 and server reflection ----------------------------------------------

    def health_check(self, request: bytes) -> bytes:
        """SERVING once load() is done (this process only serves after it) for the server ("")
        and for every service we serve; NOT_FOUND otherwise, as the standard service."""
        req = self._parse(self.p.HealthCheckRequest, request)
        if req.service and req.service not in SERVICES:
            raise _NotFound("unknown service")
        return self.p.HealthCheckResponse(status=1).SerializeToString()

    def reflection(self, request: bytes, version: int) -> bytes:
        request_cls, response_cls = self.p.reflection[version]
        req = self._parse(request_cls, request)
        out = response_cls(valid_host=req.host)
        out.original_request.CopyFrom(req)
        kind = req.WhichOneof("message_request")
        pool = self.p.pool
        try:
            if kind == "list_services":
                for name in SERVICES:
                    out.list_services_response.service.add(name=name)
            elif kind == "file_by_filename":
                files = self.p.file_with_deps(pool.FindFileByName(req.file_by_filename).name)
                out.file_descriptor_response.file_descriptor_proto.extend(files)
            elif kind == "file_containing_symbol":
                name = pool.FindFileContainingSymbol(req.file_containing_symbol).name
                out.file_descriptor_response.file_descriptor_proto.extend(self.p.file_with_deps(name))
            elif kind == "all_extension_numbers_of_type":
                pool.FindMessageTypeByName(req.all_extension_numbers_of_type)
                out.all_extension_numbers_response.base_type_name = req.all_extension_numbers_of_type
            else:  # file_containing_extension (our protos declare none) or nothing set
                raise KeyError(kind)
        except KeyError:
            out.ClearField("message_response")
            out.error_response.error_code = NOT_FOUND
            out.error_response.error_message = "not found"
        return out.SerializeToString()


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


class _BadRequest(Exception):
    """The request bytes are not the method's message: INVALID_ARGUMENT."""


class _SerializeError(Exception):
    """A deprecated or raw method returned something that is not a protobuf message."""


class _NotFound(Exception):
    pass


_FALL_THROUGH: Any = object()

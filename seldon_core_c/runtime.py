"""The model-semantics half of seldon-core-c (see docs/architecture.md, "C <-> Python contract").

The C server does HTTP, JSON and numbers; this module decides, for one decoded request, which user
method runs and how its result becomes a SeldonMessage (SPEC §5), exactly as the original REST
wrapper does. Method resolution happens once (construction, and again after ``load()``), never
per request.

Contract in one paragraph: ``boot()`` runs once in the master and returns a ``Runtime``; each
worker calls ``load()``, asks ``wants_dict(endpoint)`` once per endpoint, then calls
``handle(endpoint, request, parts)`` per request, which returns ``(status, body, mode)`` and never
raises for model errors. ``body`` (mode 0) is encoded by the C encoder with ``json_default`` for
unknown types; numpy arrays that must be emitted as ``tolist()`` are wrapped in ``ArrayOut``.
Mode 1 means ``body`` is bytes sent verbatim (PAYLOAD_PASSTHROUGH).
"""

import base64
import functools
import importlib
import inspect
import json
import logging
import os
import re
import sys
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple, Type

import numpy as np

from . import _compat
from ._metadata import build_metadata
from ._protojson import (
    FeedbackError,
    array_to_datadef,
    oneof_kind,
    parse_feedback,
    parse_message,
    render_message,
    value_from_json,
)
from ._tftensor import TfTensorError, array_from_json, array_to_json
from .flask_utils import SeldonMicroserviceException
from .metrics import COUNTER, METRIC_TYPES, validate_metrics
from .user_model import SeldonComponent, SeldonNotImplementedError, SeldonResponse

try:  # the embedded module exists only inside the C server
    import _seldon_core_c as _native  # type: ignore
except ImportError:
    _native = None

if _native is not None and hasattr(_native, "ArrayOut"):
    ArrayOut = _native.ArrayOut
else:

    class ArrayOut:  # type: ignore[no-redef]
        """Marks a numpy array to be emitted as ``array.tolist()`` (pure-Python stand-in)."""

        __slots__ = ("array",)

        def __init__(self, array: np.ndarray) -> None:
            self.array = array


logger = logging.getLogger(__name__)

# Endpoint numbers, shared with csrc/sc_route.h.
PREDICT = 0
HEALTH_STATUS = 1
TRANSFORM_INPUT = 2
TRANSFORM_OUTPUT = 3
ROUTE = 4
AGGREGATE = 5
SEND_FEEDBACK = 6
METADATA = 7

# Response modes of handle().
MODE_JSON = 0
MODE_BYTES = 1
MODE_RESPONSE = 2  # body is (bytes, [(header, value), ...]): a user error handler's response

# The `method` label of the metrics recorded for each endpoint (SPEC §6.2).
_METHOD_TAG = {
    PREDICT: "predict",
    TRANSFORM_INPUT: "inputtransform",
    TRANSFORM_OUTPUT: "outputtransform",
    ROUTE: "router",
    AGGREGATE: "aggregate",
    SEND_FEEDBACK: "feedback",
    HEALTH_STATUS: "health",
}

LOG_FORMAT = "%(asctime)s - %(name)s:%(funcName)s:%(lineno)s - %(levelname)s:  %(message)s"
NOT_IMPLEMENTED = "NOT_IMPLEMENTED"
FEEDBACK_KEY = "seldon_api_model_feedback"
FEEDBACK_REWARD_KEY = "seldon_api_model_feedback_reward"

_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")

# dtype kinds numpy counts as numbers (np.issubdtype(dtype, np.number)); bool is not one.
_NUMERIC_KINDS = frozenset("iufcm")

Parts = Tuple[str, Any, Any, Any, Optional[str]]
Result = Tuple[int, Any, int]


# --------------------------------------------------------------------------------------------
# start-up


def boot(interface_name: str, parameters: str, log_level: str) -> "Runtime":
    """Master, once: import and construct the user class and return its Runtime.

    Every failure propagates (the master prints the traceback and exits 1).
    """
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    sys.path.append(os.getcwd())
    _compat.install_aliases()
    kwargs = parse_parameters(json.loads(parameters))
    setup_logging(log_level)
    user_class = import_user_class(interface_name)
    return Runtime(user_class(**kwargs))


def setup_logging(log_level: str) -> None:
    """Apply SELDON_LOG_LEVEL (else ``log_level``) to the root and wrapper loggers (SPEC §1.6)."""
    name = os.environ.get("SELDON_LOG_LEVEL", log_level.upper())
    level = getattr(logging, name, None)
    if not isinstance(level, int):
        raise ValueError("Invalid log level: %s", log_level)
    for each in (logging.getLogger(), logging.getLogger("werkzeug"), logger):
        each.setLevel(level)


def _strtobool(value: str) -> bool:
    lowered = value.lower()
    if lowered in ("y", "yes", "t", "true", "on", "1"):
        return True
    if lowered in ("n", "no", "f", "false", "off", "0"):
        return False
    raise ValueError("invalid truth value %r" % (lowered,))


_PARAMETER_TYPES: Dict[str, Callable[[Any], Any]] = {
    "INT": int,
    "FLOAT": float,
    "DOUBLE": float,
    "STRING": str,
}


def parse_parameters(parameters: Sequence[Any]) -> Dict[str, Any]:
    """``--parameters`` JSON list -> constructor keyword arguments (SPEC §1.5)."""
    parsed: Dict[str, Any] = {}
    for param in parameters:
        name: Any = param.get("name")
        value: Any = param.get("value")
        type_: Any = param.get("type")
        if type_ == "BOOL":
            parsed[name] = _strtobool(value)
            continue
        convert = _PARAMETER_TYPES.get(type_)
        if convert is None:
            raise SeldonMicroserviceException(
                "Bad model parameter type: " + type_ + " valid are INT, FLOAT, DOUBLE, STRING, BOOL",
                reason="MICROSERVICE_BAD_PARAMETER",
            )
        try:
            parsed[name] = convert(value)
        except ValueError:
            raise SeldonMicroserviceException(
                "Bad model parameter: " + name + " with value " + value + " can't be parsed as a " + type_,
                reason="MICROSERVICE_BAD_PARAMETER",
            )
    return parsed


def import_user_class(interface_name: str) -> Any:
    """``Module`` -> ``Module.Module``; ``pkg.mod.Class`` -> attribute of ``pkg.mod`` (SPEC §1.2)."""
    module_name, _, attribute = interface_name.rpartition(".")
    if not module_name:
        module_name = attribute = interface_name
    logger.info("Importing %s", interface_name)
    return getattr(importlib.import_module(module_name), attribute)


# --------------------------------------------------------------------------------------------
# the request as the high-level path sees it


class _Request(NamedTuple):
    """One decoded SeldonMessage, reduced to what the high-level path uses."""

    has_data: bool  # the request had a `data` field
    features: Any  # what the user method receives as X
    names: Any  # `data.names`, else []
    meta: Any  # the request's `meta` value, None when absent
    meta_given: bool  # `meta` was present (even as null)
    kind: str  # DefaultData kind answered for a numeric result: tensor, tftensor or ndarray

    def puid(self) -> Any:
        return (self.meta if self.meta_given else {}).get("puid", None)


_EMPTY_REQUEST = _Request(False, None, [], None, False, "ndarray")


def _tensorflow() -> Any:
    """TensorFlow if installed (still used by _grpc_runtime; REST uses the native _tftensor)."""
    try:
        import tensorflow  # type: ignore
    except ImportError:
        return None
    return tensorflow


def _features(kind: Optional[str], raw: Any) -> np.ndarray:
    """The numpy array of a `data` field, from its kind and its raw value (both request forms)."""
    if kind == "tensor":
        values, shape = raw
        if not isinstance(values, np.ndarray):
            values = np.array(values)
        return values.reshape(shape)
    if kind == "ndarray":
        return raw if isinstance(raw, np.ndarray) else np.array(raw)
    if kind == "tftensor":  # json_format.ParseDict + tf.make_ndarray, natively (_tftensor.py)
        try:
            return array_from_json(raw)
        except TfTensorError as exc:
            raise SeldonMicroserviceException(str(exc)) from None
    return np.array([])


def _response_kind(datadef: Any) -> str:
    if "tensor" in datadef:
        return "tensor"
    if "tftensor" in datadef:
        return "tftensor"
    return "ndarray"


def request_from_dict(request: Any) -> _Request:
    """The decoded JSON request -> _Request (the original's REST extraction, SPEC §5.4)."""
    if not isinstance(request, dict):
        raise SeldonMicroserviceException(f"Invalid request data type: {request}")
    meta = request.get("meta", None)
    meta_given = "meta" in request
    features: Any
    if "data" in request:
        datadef = request["data"]
        if "tensor" in datadef:
            tensor = datadef["tensor"]
            features = _features("tensor", (tensor["values"], tensor["shape"]))
        elif "ndarray" in datadef:
            features = _features("ndarray", datadef["ndarray"])
        elif "tftensor" in datadef:
            features = _features("tftensor", datadef["tftensor"])
        else:
            features = _features(None, None)
        names = datadef["names"] if datadef and "names" in datadef else []
        return _Request(True, features, names, meta, meta_given, _response_kind(datadef))
    if "jsonData" in request:
        features = request["jsonData"]
    elif "strData" in request:
        features = request["strData"]
    elif "binData" in request:
        features = base64.b64decode(request["binData"])
    else:
        raise SeldonMicroserviceException(f"Invalid request data type: {request}")
    return _Request(False, features, [], meta, meta_given, "ndarray")


def request_from_parts(parts: Parts) -> _Request:
    """The C side's pre-extracted parts -> _Request; same result as request_from_dict."""
    data_type, features, names, meta, kind = parts
    if data_type == "data":
        return _Request(True, _features(kind, features), names, meta, meta is not None, kind or "ndarray")
    return _Request(False, features, [], meta, meta is not None, "ndarray")


# --------------------------------------------------------------------------------------------
# helpers on user objects


def _accepts_meta(method: Callable[..., Any]) -> Optional[bool]:
    """Whether ``method(X, names, meta=...)`` is accepted by signature (SPEC decision 9).

    None when the signature cannot be read; the caller then uses the original's retry.
    """
    try:
        signature = inspect.signature(method)
    except (TypeError, ValueError):
        return None
    for param in signature.parameters.values():
        if param.kind == param.VAR_KEYWORD:
            return True
        if param.name == "meta" and param.kind != param.POSITIONAL_ONLY:
            return True
    return False


class _HighLevel(NamedTuple):
    """A resolved high-level method and how to call it."""

    fn: Callable[..., Any]
    meta: Optional[bool]  # True/False by signature; None: unknown, retry without meta on TypeError

    def __call__(self, X: Any, names: Any, meta: Any) -> Any:
        if self.meta is None:
            try:
                return self.fn(X, names, meta=meta)
            except TypeError:
                return self.fn(X, names)
        if self.meta:
            return self.fn(X, names, meta=meta)
        return self.fn(X, names)


def _is_seldon_exception(exc: BaseException) -> bool:
    """Ours, the original's, or any class shaped like them (status_code, reason, to_dict)."""
    if isinstance(exc, SeldonMicroserviceException):
        return True
    return hasattr(exc, "status_code") and hasattr(exc, "reason") and callable(getattr(exc, "to_dict", None))


def _bad_metric(metrics: Any) -> SeldonMicroserviceException:
    return SeldonMicroserviceException(
        f"Bad metric created during request: {json.dumps(metrics)}",
        status_code=500,
        reason="MICROSERVICE_BAD_METRIC",
    )


def _http_date(value: Any) -> str:
    import datetime
    import email.utils

    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time(), tzinfo=datetime.timezone.utc)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    elif value.tzinfo != datetime.timezone.utc:
        value = value.astimezone(datetime.timezone.utc)
    return email.utils.format_datetime(value, usegmt=True)


def _http_status(code: Any) -> int:
    """The HTTP status a `status.code` value gives (Werkzeug's rules for ints and strings)."""
    if isinstance(code, int):
        return int(code)
    if isinstance(code, str):
        try:
            return int(code.strip().split(None, 1)[0])
        except (ValueError, IndexError):
            return 500
    raise TypeError("Invalid status argument")


def _passthrough_bytes(response: Any) -> bytes:
    """A passthrough result as the response body: the original iterates it (SPEC §9.1)."""
    if isinstance(response, (bytes, bytearray)):
        return bytes(response)
    if isinstance(response, str):
        return response.encode("utf-8")
    if response is None:
        return b""
    chunks = []
    for chunk in response:  # 'int' object is not iterable, ...
        chunks.append(chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk))
    return b"".join(chunks)


# --------------------------------------------------------------------------------------------
# the runtime


class Runtime:
    """Serves one user object. Built once in the master; used by every worker after fork."""

    def __init__(self, user_object: Any, environ: Optional[Dict[str, str]] = None) -> None:
        env = os.environ if environ is None else environ
        self.model = user_object
        self.include_metrics = env.get("INCLUDE_METRICS_IN_CLIENT_RESPONSE", "true").lower() == "true"
        self.passthrough = env.get("PAYLOAD_PASSTHROUGH", "false").lower() in ("1", "true", "t")
        self.record_reward = env.get("SELDON_EXECUTOR_ENABLED", "true").lower() != "false"
        unit_id = env.get("PREDICTIVE_UNIT_ID", NOT_IMPLEMENTED)
        image = env.get("PREDICTIVE_UNIT_IMAGE", NOT_IMPLEMENTED + ":" + NOT_IMPLEMENTED)
        self.request_path: Dict[str, str] = {} if unit_id == NOT_IMPLEMENTED else {unit_id: image}
        self.feedback_unit_id = env.get("PREDICTIVE_UNIT_ID", "0")
        self._handlers = (
            self._predict,
            self._health_status,
            self._transform_input,
            self._transform_output,
            self._route,
            self._aggregate,
            self._send_feedback,
            self._metadata,
        )
        self._resolve()
        self._error_handlers = _user_error_handlers(user_object)
        # Validated metadata, or None when invalid (SPEC §7); once, in the master.
        self.metadata = build_metadata(self._hook("init_metadata"), self._not_implemented, env)

    # ---- method resolution, once ----------------------------------------------------------

    def _seldon_classes(self, name: str, ours: Type[Any]) -> Tuple[Type[Any], ...]:
        """Our class plus the original's when the user's code imported the original package."""
        found = [ours]
        original = sys.modules.get("seldon_core.user_model")
        theirs = getattr(original, name, None)
        if isinstance(theirs, type) and theirs is not ours:
            found.append(theirs)
        return tuple(found)

    def _resolve(self) -> None:
        self._not_implemented = self._seldon_classes("SeldonNotImplementedError", SeldonNotImplementedError)
        self._response_types = self._seldon_classes("SeldonResponse", SeldonResponse)
        self._components = self._seldon_classes("SeldonComponent", SeldonComponent)
        hook, high = self._hook, self._high_level
        self._predict_rest = hook("predict_rest")
        self._predict_raw = hook("predict_raw", absent_if_default=True)
        self._predict_fn = high("predict", absent_if_default=True)
        self._input_legacy = hook("transform_input_rest") or hook("transform_input_grpc")
        self._input_raw = hook("transform_input_raw", absent_if_default=True)
        self._input_fn = high("transform_input", absent_if_default=True)
        self._output_legacy = hook("transform_output_rest") or hook("transform_output_grpc")
        self._output_raw = hook("transform_output_raw", absent_if_default=True)
        self._output_fn = high("transform_output", absent_if_default=True)
        self._route_legacy = hook("route_rest") or hook("route_grpc")
        self._route_raw = hook("route_raw", absent_if_default=True)
        self._route_fn = high("route")  # its default answers 400 "route is not implemented"
        self._aggregate_legacy = hook("aggregate_rest") or hook("aggregate_grpc")
        self._aggregate_raw = hook("aggregate_raw", absent_if_default=True)
        self._aggregate_fn = hook("aggregate")
        self._feedback_rest = hook("send_feedback_rest")
        self._feedback_grpc = hook("send_feedback_grpc")
        self._feedback_raw = hook("send_feedback_raw", absent_if_default=True)
        self._feedback_fn = hook("send_feedback", absent_if_default=True)
        self._health_raw = hook("health_status_raw", absent_if_default=True)
        self._health_fn = hook("health_status")  # its default answers "not implemented - ..."
        self._tags_fn = hook("tags", absent_if_default=True)
        self._metrics_fn = hook("metrics", absent_if_default=True)
        self._class_names_fn: Optional[Callable[[], Any]] = None
        self._class_names_attr = False
        if hasattr(self.model, "class_names"):
            if inspect.ismethod(getattr(self.model, "class_names")):
                self._class_names_fn = hook("class_names", absent_if_default=True)
            else:
                self._class_names_attr = True  # deprecated list attribute, read per response
        self._wants_dict = {
            PREDICT: self.passthrough or self._predict_rest is not None or self._predict_raw is not None,
            TRANSFORM_INPUT: self._input_legacy is not None or self._input_raw is not None,
            TRANSFORM_OUTPUT: self._output_legacy is not None or self._output_raw is not None,
            ROUTE: self._route_legacy is not None or self._route_raw is not None,
            AGGREGATE: True,
            SEND_FEEDBACK: True,
        }

    def _hook(self, name: str, absent_if_default: bool = False) -> Optional[Callable[..., Any]]:
        """The user's ``name`` attribute, or None when missing.

        With ``absent_if_default``, an untouched SeldonComponent default also counts as missing:
        it could only raise SeldonNotImplementedError, which the original treats like absence.
        """
        model = self.model
        if not hasattr(model, name):
            return None
        if absent_if_default and name not in getattr(model, "__dict__", {}):
            defined = inspect.getattr_static(type(model), name, None)
            if any(defined is vars(base).get(name) for base in self._components):
                return None
        return getattr(model, name)

    def _high_level(self, name: str, absent_if_default: bool = False) -> Optional[_HighLevel]:
        fn = self._hook(name, absent_if_default)
        return None if fn is None else _HighLevel(fn, _accepts_meta(fn))

    # ---- the C-facing API -----------------------------------------------------------------

    def custom_service(self) -> Optional[Callable[[], Any]]:
        """The user's custom_service (SPEC 5.2), run by the master in a child process of its own."""
        fn = getattr(self.model, "custom_service", None)
        return fn if callable(fn) else None

    @staticmethod
    def openapi_path() -> str:
        """Our OpenAPI document, served at GET /seldon.json."""
        return os.path.join(os.path.dirname(os.path.abspath(__file__)), "openapi", "seldon.json")

    def load(self) -> None:
        """Worker, after fork: the user's ``load()`` (SPEC decision 8), then resolve again."""
        if hasattr(self.model, "load"):
            try:
                self.model.load()
            except NotImplementedError:
                logger.info("load is not implemented")
        self._resolve()

    def wants_dict(self, endpoint: int) -> bool:
        """True when ``handle`` needs the whole decoded request rather than parts."""
        return self._wants_dict.get(endpoint, False)

    def handle(self, endpoint: int, request: Any, parts: Optional[Parts]) -> Result:
        """One request -> (HTTP status, body, mode). Never raises for model errors."""
        try:
            return self._handlers[endpoint](request, parts)
        except Exception as exc:
            if self._error_handlers is not None:
                answer = self._error_handlers.answer(exc)
                if answer is not None:
                    return answer
            status, body = self.error(exc)
            return status, body, MODE_JSON

    def error(self, exc: BaseException) -> Tuple[int, Any]:
        """The error response for ``exc`` (SPEC §3.5, §3.6)."""
        if _is_seldon_exception(exc):
            body = exc.to_dict()  # type: ignore[attr-defined]
            try:
                status = _http_status(exc.status_code)  # type: ignore[attr-defined]
            except TypeError:
                status = 500
            logger.error("%s", body)
        else:
            status = 500
            body = {"status": {"status": 1, "info": str(exc), "code": -1, "reason": "MICROSERVICE_INTERNAL_ERROR"}}
            logger.error("%s", body, exc_info=exc)
        return status, body

    def json_default(self, obj: Any) -> Any:
        """Flask 2.2 ``JSONEncoder.default``, plus ArrayOut for the pure-Python encoder."""
        if isinstance(obj, ArrayOut):
            return obj.array.tolist()
        # An object of these types exists only once its module is imported: looking them up in
        # sys.modules keeps their imports (~15 ms of start-up) off the worker's boot.
        mods = sys.modules
        dt, dec, uid, dcs = mods.get("datetime"), mods.get("decimal"), mods.get("uuid"), mods.get("dataclasses")
        if dt is not None and isinstance(obj, dt.date):
            return _http_date(obj)
        if (dec is not None and isinstance(obj, dec.Decimal)) or (uid is not None and isinstance(obj, uid.UUID)):
            return str(obj)
        if dcs is not None and dcs.is_dataclass(obj):
            return dcs.asdict(obj)  # type: ignore[arg-type]
        if hasattr(obj, "__html__"):
            return str(obj.__html__())
        raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")

    # ---- shared pieces of the high-level path -------------------------------------------

    def _request(self, request: Any, parts: Optional[Parts]) -> _Request:
        return request_from_parts(parts) if parts is not None else request_from_dict(request)

    def _unwrap(self, result: Any) -> Tuple[Any, Dict, List]:
        if isinstance(result, self._response_types):
            response: Any = result
            return response.data, response.tags, response.metrics
        return result, {}, []

    def _custom_metrics(self, method: str, runtime_metrics: Any) -> List[Dict]:
        """Validate and record runtime + user metrics; the list the response shows (SPEC §6.4)."""
        if not validate_metrics(runtime_metrics):
            raise _bad_metric(runtime_metrics)
        self._record_metrics(method, runtime_metrics)
        if self._metrics_fn is not None:
            try:
                metrics = self._metrics_fn()
            except self._not_implemented:
                pass
            else:
                if not validate_metrics(metrics):
                    raise _bad_metric(metrics)
                self._record_metrics(method, metrics)
                return metrics + runtime_metrics if self.include_metrics else []
        return runtime_metrics if self.include_metrics else []

    def _record_metrics(self, method: str, metrics: Sequence[Dict]) -> None:
        """Hand validated metric dicts to the metric store.

        As in the original, a metric that carries a ``tags`` dict gets ``tags["method"]`` set in
        place (so the response shows it). The store receives, per metric, a tuple
        ``(type, key, value, tags)``: type is COUNTER, GAUGE or TIMER; value a float (COUNTER:
        increment, GAUGE: new value, TIMER: observation in *seconds*, already divided by 1000);
        tags a dict of str -> str that includes ``method``. Unknown types are logged and
        skipped; invalid Prometheus names are refused here (SPEC decision 11).
        ``_seldon_core_c.record_metrics(method, entries)`` stores them when the C module
        provides it; otherwise (pure-Python tests) nothing is stored.
        """
        entries = []
        for metric in metrics:
            metric_type = metric.get("type", COUNTER)
            tags = metric.get("tags", {})
            tags["method"] = method
            key = metric["key"]
            "_".join("-".join(item) for item in sorted(tags.items()))  # tag values must be str
            if metric_type not in METRIC_TYPES:
                logger.error(f"Unknown metrics type: {metric_type}")
                continue
            value = metric["value"]
            value = float(value / 1000 if metric_type == "TIMER" else 0 + value)
            if not (isinstance(key, str) and _METRIC_NAME.match(key)) or not all(
                _LABEL_NAME.match(label) and not label.startswith("__") for label in tags
            ):
                raise _bad_metric(list(metrics))
            entries.append((metric_type, key, value, tags))
        if entries:
            record = getattr(_native, "record_metrics", None)
            if record is not None:
                try:
                    record(method, entries)
                except ValueError:
                    # the store's stricter checks (e.g. a counter named exactly "_total")
                    raise _bad_metric(list(metrics)) from None

    def _raw_metrics(self, response: Any, method: str) -> None:
        """Record the ``meta.metrics`` of a raw method's dict result; drop them if asked."""
        metrics: Any = []
        if isinstance(response, dict):
            metrics = response.get("meta", {}).get("metrics", [])
            if metrics and not self.include_metrics:
                del response["meta"]["metrics"]
        self._record_metrics(method, metrics)

    def _custom_tags(self) -> Any:
        if self._tags_fn is not None:
            try:
                return self._tags_fn()
            except self._not_implemented:
                pass
        return {}

    def _class_names(self, array: np.ndarray) -> Any:
        if len(array.shape) <= 1:
            return []
        if self._class_names_attr:
            logger.warning("class_names attribute is deprecated. Please define a class_names method")
            return self.model.class_names
        if self._class_names_fn is not None:
            try:
                return self._class_names_fn()
            except self._not_implemented:
                pass
        return ["t:{}".format(i) for i in range(array.shape[1])]

    def _response(self, req: _Request, result: Any, meta: Any, metrics: Optional[List], runtime_tags: Any) -> Dict:
        """A high-level result -> the REST SeldonMessage dict (SPEC §5.5)."""
        response: Dict[str, Any] = {}
        if isinstance(result, dict):
            response["jsonData"] = result
        elif isinstance(result, (bytes, bytearray)):
            response["binData"] = base64.b64encode(result).decode("utf-8")
        elif isinstance(result, str):
            response["strData"] = result
        else:
            if isinstance(result, np.ndarray):
                array, as_list = result, None
            elif isinstance(result, list):
                array, as_list = np.array(result), result
            else:
                raise SeldonMicroserviceException(
                    "Unknown data type returned as payload (must be list or np array):" + str(result)
                )
            numeric = array.dtype.kind in _NUMERIC_KINDS
            kind = req.kind if req.has_data else "tensor"
            if numeric and kind == "tensor":
                payload: Any = {"shape": list(array.shape), "values": ArrayOut(array.ravel())}
            elif numeric and kind == "tftensor":
                payload = self._tftensor(array)
            else:
                kind = "ndarray"
                payload = ArrayOut(array) if as_list is None else as_list
            response["data"] = {kind: payload, "names": self._class_names(array)}

        if meta:
            tags = meta.get("tags", {})
            all_metrics = meta.get("metrics", [])
            request_path = meta.get("requestPath", {})
        else:
            tags, all_metrics, request_path = {}, [], {}
        custom_tags = self._custom_tags()
        if custom_tags:
            tags.update(custom_tags)
        if runtime_tags:
            tags.update(runtime_tags)
        if metrics:
            all_metrics.extend(metrics)
        out: Dict[str, Any] = {}
        if tags:
            out["tags"] = tags
        if all_metrics:
            out["metrics"] = all_metrics
        puid = req.puid()
        if puid:
            out["puid"] = puid
        request_path = {**self.request_path, **request_path}
        if request_path:
            out["requestPath"] = request_path
        response["meta"] = out
        return response

    @staticmethod
    def _tftensor(array: np.ndarray) -> Any:
        """The JSON of tf.make_tensor_proto(array), natively (_tftensor.py)."""
        return array_to_json(array)

    def _raw_call(self, fn: Callable[[Any], Any], request: Any, endpoint: int) -> Any:
        """A ``*_raw`` method's result with its metrics handled, or _FALL_THROUGH."""
        try:
            response = fn(request)
        except self._not_implemented:
            return _FALL_THROUGH
        self._raw_metrics(response, _METHOD_TAG[endpoint])
        return response

    # ---- endpoints --------------------------------------------------------------------------

    def _predict(self, request: Any, parts: Optional[Parts]) -> Result:
        if self._predict_rest is not None:
            logger.warning("predict_rest is deprecated. Please use predict_raw")
            return self._predict_answer(self._predict_rest(request))
        if self._predict_raw is not None:
            response = self._raw_call(self._predict_raw, request, PREDICT)
            if response is not _FALL_THROUGH:
                return self._predict_answer(response)
        req = self._request(request, parts)
        if self._predict_fn is None:
            result: Any = []
        else:
            try:
                result = self._predict_fn(req.features, req.names, req.meta)
            except self._not_implemented:
                result = []
        data, tags, runtime_metrics = self._unwrap(result)
        metrics = self._custom_metrics("predict", runtime_metrics)
        return 200, self._response(req, data, req.meta, metrics, tags), MODE_JSON

    def _predict_answer(self, response: Any) -> Result:
        """Status override (SPEC §3.5) and passthrough encoding (§9.1, decision 10)."""
        status = 200
        if isinstance(response, dict) and "status" in response and "code" in response["status"]:
            status = _http_status(response["status"]["code"])
        if self.passthrough and not isinstance(response, dict):
            return status, _passthrough_bytes(response), MODE_BYTES
        return status, response, MODE_JSON

    def _transform(self, request: Any, parts: Optional[Parts], endpoint: int) -> Result:
        if endpoint == TRANSFORM_INPUT:
            legacy, raw, fn, name = self._input_legacy, self._input_raw, self._input_fn, "transform_input"
        else:
            legacy, raw, fn, name = self._output_legacy, self._output_raw, self._output_fn, "transform_output"
        if legacy is not None:
            logger.warning(f"{name}_rest is deprecated. Please use {name}_raw")
            return 200, legacy(request), MODE_JSON
        if raw is not None:
            response = self._raw_call(raw, request, endpoint)
            if response is not _FALL_THROUGH:
                return 200, response, MODE_JSON
        req = self._request(request, parts)
        result = req.features  # identity when the method is absent or not implemented
        if fn is not None:
            try:
                result = fn(req.features, req.names, req.meta)
            except self._not_implemented:
                pass
        data, tags, runtime_metrics = self._unwrap(result)
        metrics = self._custom_metrics(_METHOD_TAG[endpoint], runtime_metrics)
        return 200, self._response(req, data, req.meta, metrics, tags), MODE_JSON

    def _transform_input(self, request: Any, parts: Optional[Parts]) -> Result:
        return self._transform(request, parts, TRANSFORM_INPUT)

    def _transform_output(self, request: Any, parts: Optional[Parts]) -> Result:
        return self._transform(request, parts, TRANSFORM_OUTPUT)

    def _route(self, request: Any, parts: Optional[Parts]) -> Result:
        if self._route_legacy is not None:
            logger.warning("route_rest is deprecated. Please use route_raw")
            return 200, self._route_legacy(request), MODE_JSON
        if self._route_raw is not None:
            response = self._raw_call(self._route_raw, request, ROUTE)
            if response is not _FALL_THROUGH:
                return 200, response, MODE_JSON
        req = self._request(request, parts)
        if self._route_fn is None:
            raise SeldonNotImplementedError("Route not defined")
        data, tags, runtime_metrics = self._unwrap(self._route_fn(req.features, req.names, req.meta))
        if not isinstance(data, int):
            raise SeldonMicroserviceException("Routing response must be int but got " + str(data))
        metrics = self._custom_metrics("router", runtime_metrics)
        # The router answer carries no request tags, metrics or requestPath (meta is None).
        return 200, self._response(req, np.array([[data]]), None, metrics, tags), MODE_JSON

    def _aggregate(self, request: Any, parts: Optional[Parts]) -> Result:
        if self._aggregate_legacy is not None:
            logger.warning("aggregate_rest is deprecated. Please use aggregate_raw")
            return 200, self._aggregate_legacy(request), MODE_JSON
        if self._aggregate_raw is not None:
            response = self._raw_call(self._aggregate_raw, request, AGGREGATE)
            if response is not _FALL_THROUGH:
                return 200, response, MODE_JSON
        if isinstance(request, list):
            messages = request
        elif "seldonMessages" in request and isinstance(request["seldonMessages"], list):
            messages = request["seldonMessages"]
        else:
            raise SeldonMicroserviceException(f"Invalid request data type: {request}")
        reqs = [request_from_dict(message) for message in messages]
        if self._aggregate_fn is None:
            raise SeldonNotImplementedError("Aggregate not defined")
        result = self._aggregate_fn([r.features for r in reqs], [r.names for r in reqs])
        data, tags, runtime_metrics = self._unwrap(result)
        metrics = self._custom_metrics("aggregate", runtime_metrics)
        merged_tags: Dict = {}
        merged_path: Dict = {}
        merged_metrics: List = []
        for meta in (r.meta for r in reqs):
            if meta:
                merged_tags.update(meta.get("tags", {}))
                merged_path.update(meta.get("requestPath", {}))
        for meta in (r.meta for r in reqs):
            if meta:
                merged_metrics.extend(meta.get("metrics", []))
        merged_metrics.extend(metrics)
        meta = {"tags": merged_tags, "requestPath": merged_path}
        return 200, self._response(reqs[0], data, meta, merged_metrics, tags), MODE_JSON

    def _health_status(self, request: Any, parts: Optional[Parts]) -> Result:
        if self._health_raw is not None:
            try:
                return 200, self._health_raw(), MODE_JSON
            except self._not_implemented:
                pass
        if self._health_fn is None:
            result: Any = "healthy"
        else:
            try:
                result = self._health_fn()
            except self._not_implemented:
                result = "not implemented - assuming healthy"
        metrics = self._custom_metrics("health", [])
        # Not unwrapped: a SeldonResponse here is an "Unknown data type" like in the original.
        return 200, self._response(_EMPTY_REQUEST, result, None, metrics, None), MODE_JSON

    def _metadata(self, request: Any, parts: Optional[Parts]) -> Result:
        if self.metadata is None:
            raise SeldonMicroserviceException(
                "Model metadata unavailable", status_code=500, reason="MICROSERVICE_BAD_METADATA"
            )
        return 200, self.metadata, MODE_JSON

    # ---- feedback ----------------------------------------------------------------------------

    def _send_feedback(self, request: Any, parts: Optional[Parts]) -> Result:
        """SPEC §5.7: the body is read as a Feedback proto and the answer is proto-JSON."""
        try:
            feedback = parse_feedback(request)
        except FeedbackError as exc:
            raise SeldonMicroserviceException("Invalid JSON: " + str(exc))
        reward = feedback.reward
        if reward and self.record_reward:
            self._record_metrics("feedback", [{"type": COUNTER, "key": FEEDBACK_KEY, "value": 1}])
            self._record_metrics("feedback", [{"type": COUNTER, "key": FEEDBACK_REWARD_KEY, "value": reward}])

        if self._feedback_rest is not None:
            logger.warning("send_feedback_rest is deprecated. Please use send_feedback_raw")
            text = json.dumps(feedback.as_dict(), indent=2)
            return 200, self._message_answer(self._feedback_rest(text)), MODE_JSON
        if self._feedback_grpc is not None:
            logger.warning("send_feedback_grpc is deprecated. Please use send_feedback_raw")
            return 200, self._message_answer(self._feedback_grpc(_feedback_object(feedback))), MODE_JSON
        if self._feedback_raw is not None:
            try:
                response = self._feedback_raw(_feedback_object(feedback))
            except self._not_implemented:
                pass
            else:
                return 200, self._feedback_raw_answer(response), MODE_JSON

        features = feedback.request_array()
        truth = feedback.truth_array()
        routing = feedback.routing(self.feedback_unit_id)
        result: Any = None
        if self._feedback_fn is not None:
            try:
                result = self._feedback_fn(features, feedback.request_names(), reward, truth, routing=routing)
            except self._not_implemented:
                pass
        data, tags, runtime_metrics = self._unwrap(result)
        metrics = self._custom_metrics("feedback", runtime_metrics)
        if data is None:
            data = np.array([])
        return 200, render_message(self._feedback_message(feedback.request, data, metrics, tags)), MODE_JSON

    def _feedback_message(self, request: Dict, data: Any, metrics: List, runtime_tags: Any) -> Dict:
        """The original's gRPC response construction, with meta None (SPEC §5.5, §5.7)."""
        meta: Dict[str, Any] = {}
        if self.request_path:
            meta["requestPath"] = dict(self.request_path)
        tags: Dict = {}
        custom_tags = self._custom_tags()
        if custom_tags:
            tags.update(custom_tags)
        if runtime_tags:
            tags.update(runtime_tags)
        if tags:
            meta["tags"] = tags
        if metrics:
            meta["metrics"] = list(metrics)
        puid = request.get("meta", {}).get("puid", "")
        if puid:
            meta["puid"] = puid
        try:
            parsed_meta = parse_message(meta, "Meta")
        except FeedbackError as exc:
            raise _ParseError(str(exc))
        if isinstance(data, (np.ndarray, list)):
            array = np.array(data)
            names = self._class_names(array)
            numeric = array.dtype.kind in _NUMERIC_KINDS
            if oneof_kind(request) == "data":
                kind = oneof_kind(request["data"]) if numeric else "ndarray"
            else:
                kind = "tensor" if numeric else "ndarray"
            return {"data": array_to_datadef(kind, array, names), "meta": parsed_meta}
        if isinstance(data, str):
            return {"strData": data, "meta": parsed_meta}
        if isinstance(data, dict):
            try:
                return {"jsonData": value_from_json(data), "meta": parsed_meta}
            except FeedbackError as exc:
                raise _ParseError(str(exc))
        if isinstance(data, (bytes, bytearray)):
            return {"binData": bytes(data), "meta": parsed_meta}
        raise SeldonMicroserviceException("Unknown data type returned as payload:" + data)

    def _feedback_raw_answer(self, response: Any) -> Dict:
        """send_feedback_raw's SeldonMessage, its metrics recorded (and dropped if asked).

        A protobuf message (what the original expects) is rendered by protobuf itself, as the
        original does; a dict (or None) is accepted too and read as a SeldonMessage.
        """
        if _is_proto(response):
            from google.protobuf import json_format

            metrics = json_format.MessageToDict(response.meta).get("metrics", [])
            if metrics and not self.include_metrics:
                del response.meta.metrics[:]
            self._record_metrics("feedback", metrics)
            return json_format.MessageToDict(response, descriptor_pool=response.DESCRIPTOR.file.pool)
        message = self._message_from_result(response)
        meta = message.get("meta", {})
        metrics = render_message(meta, "Meta").get("metrics", [])
        if metrics and not self.include_metrics:
            del meta["metrics"]
        self._record_metrics("feedback", metrics)
        return render_message(message)

    def _message_from_result(self, result: Any) -> Dict:
        """A SeldonMessage given as dict, protobuf message or None -> parsed message dict."""
        if result is None:
            result = {}
        elif _is_proto(result):
            from google.protobuf import json_format

            # its own pool resolves a customData Any of our private classes
            result = json_format.MessageToDict(result, descriptor_pool=result.DESCRIPTOR.file.pool)
        try:
            return parse_message(result)
        except FeedbackError as exc:
            raise SeldonMicroserviceException("Invalid JSON: " + str(exc))

    def _message_answer(self, result: Any) -> Dict:
        return render_message(self._message_from_result(result))

    # ---- gRPC: everything lives in _grpc_runtime.py; these methods are the hook --------------

    def grpc_init(self) -> None:
        """gRPC worker, after load(): builds the protobuf message classes (SPEC §4)."""
        from ._grpc_runtime import GrpcRuntime

        self._grpc = GrpcRuntime(self)

    def handle_grpc(self, method: int, request: bytes) -> Tuple[int, str, bytes]:
        """One gRPC call -> (status code, details, response bytes). Never raises."""
        return self._grpc.handle(method, request)

    def handle_grpc_parts(self, method: int, parts: Tuple[Any, ...]) -> Optional[Tuple[int, str, bytes]]:
        """A call the C fast path decoded -> as handle_grpc, or None: call handle_grpc instead."""
        return self._grpc.handle_parts(method, parts)


class _UserErrorHandlers:
    """The handlers a model registers on its ``model_error_handler`` Flask blueprint (§5.10).

    Flask picks the handler of the most specific class in the exception's MRO; the wrapper's
    own handlers (SeldonMicroserviceException, Exception) take precedence over user handlers
    registered for exactly those classes. The handler's response goes out as it is: status,
    body and headers (mode 2, body = (bytes, [(name, value), ...])).
    """

    def __init__(self, app: Any, handlers: Dict[Any, Callable[[BaseException], Any]]) -> None:
        self.app = app
        self.handlers = handlers

    def answer(self, exc: BaseException) -> Optional[Result]:
        response = self.response(exc)
        if response is None:
            return None
        status, body, headers = response
        return status, (body, headers), MODE_RESPONSE

    def response(self, exc: BaseException) -> Optional[Tuple[int, bytes, List[Tuple[str, str]]]]:
        """(status, body, headers) of the user handler for ``exc``, or None when none applies."""
        for cls in type(exc).__mro__:
            if cls is Exception or cls.__name__ == "SeldonMicroserviceException":
                return None
            handler = self.handlers.get(cls)
            if handler is not None:
                with self.app.test_request_context():
                    response = self.app.make_response(handler(exc))
                    return response.status_code, response.get_data(), list(response.headers.items())
        return None


def _user_error_handlers(model: Any) -> Optional[_UserErrorHandlers]:
    if not hasattr(model, "model_error_handler"):
        return None
    import flask  # type: ignore  # a model with a blueprint has Flask installed

    logger.info("Registering the custom error handler...")
    app = flask.Flask("seldon_core_c.model_error_handler")
    app.register_blueprint(model.model_error_handler)
    return _UserErrorHandlers(app, dict(app.error_handler_spec.get(None, {}).get(None, {})))


class _ParseError(Exception):
    """A proto conversion failure of our own response: answered 500 with its text."""


def _is_proto(obj: Any) -> bool:
    """A protobuf message of any class (ours, the original's generated code, ...)."""
    return hasattr(obj, "DESCRIPTOR") and hasattr(obj, "SerializeToString")


@functools.lru_cache(maxsize=None)
def _protos() -> Any:
    """The protobuf message classes of ``_protos.pb``, built as the gRPC side builds them."""
    from ._grpc_runtime import Protos

    return Protos()


def _feedback_object(feedback: Any) -> Any:
    """What send_feedback_grpc / send_feedback_raw receive, as in the original: a real
    ``seldon.protos.Feedback`` message (so e.g. the float32 ``reward`` 0.1 reads
    0.10000000149011612)."""
    from google.protobuf import json_format

    proto = _protos().Feedback()
    try:
        json_format.ParseDict(feedback.as_dict(), proto, descriptor_pool=proto.DESCRIPTOR.file.pool)
    except json_format.ParseError as exc:  # e.g. a bad tftensor, which _protojson keeps as is
        raise SeldonMicroserviceException("Invalid JSON: " + str(exc)) from None
    return proto


_FALL_THROUGH: Any = object()

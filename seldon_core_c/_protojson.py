"""Protobuf JSON mapping of the Seldon messages, in plain Python (no protobuf dependency).

The original reads a REST feedback body strictly into a ``Feedback`` proto and answers with the
proto-JSON rendering of a ``SeldonMessage`` (SPEC §5.7). This module reproduces both directions
for the handful of message types involved, following protobuf's Python ``json_format`` rules
(3.20): the same accepted inputs, the same error texts, the same rendering (numbers in
``Value``/``double`` fields become floats, ``float`` fields print their shortest float32 form,
default scalars and empty lists/maps are omitted, COUNTER/SUCCESS enums are omitted).

A parsed message is a plain dict ``{field_name: value}`` holding the fields that were set:
scalars converted to their field type (float fields already rounded to float32), messages as
nested dicts, ``Value`` fields as JSON-like Python values with numbers as floats.
"""

import base64
import math
import re
import struct
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

import numpy as np


class FeedbackError(Exception):
    """protobuf's ``json_format.ParseError``: the JSON does not fit the message type."""


class _Field(NamedTuple):
    name: str
    kind: str  # message, int32, float, double, string, bytes, enum, value, listvalue, any, opaque, map
    type: str = ""  # message name, enum name, or the value kind of a map
    oneof: str = ""
    repeated: bool = False


_ENUMS: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    "StatusFlag": ("seldon.protos.Status.StatusFlag", ("SUCCESS", "FAILURE")),
    "MetricType": ("seldon.protos.Metric.MetricType", ("COUNTER", "GAUGE", "TIMER")),
}

_MESSAGES: Dict[str, Tuple[_Field, ...]] = {
    "Feedback": (
        _Field("request", "message", "SeldonMessage"),
        _Field("response", "message", "SeldonMessage"),
        _Field("reward", "float"),
        _Field("truth", "message", "SeldonMessage"),
    ),
    "SeldonMessage": (
        _Field("status", "message", "Status"),
        _Field("meta", "message", "Meta"),
        _Field("data", "message", "DefaultData", "data_oneof"),
        _Field("binData", "bytes", "", "data_oneof"),
        _Field("strData", "string", "", "data_oneof"),
        _Field("jsonData", "value", "", "data_oneof"),
        _Field("customData", "any", "", "data_oneof"),
    ),
    "Status": (
        _Field("code", "int32"),
        _Field("info", "string"),
        _Field("reason", "string"),
        _Field("status", "enum", "StatusFlag"),
    ),
    "Meta": (
        _Field("puid", "string"),
        _Field("tags", "map", "value"),
        _Field("routing", "map", "int32"),
        _Field("requestPath", "map", "string"),
        _Field("metrics", "message", "Metric", repeated=True),
    ),
    "Metric": (
        _Field("key", "string"),
        _Field("type", "enum", "MetricType"),
        _Field("value", "float"),
        _Field("tags", "map", "string"),
    ),
    "DefaultData": (
        _Field("names", "string", repeated=True),
        _Field("tensor", "message", "Tensor", "data_oneof"),
        _Field("ndarray", "listvalue", "", "data_oneof"),
        _Field("tftensor", "opaque", "", "data_oneof"),
    ),
    "Tensor": (
        _Field("shape", "int32", repeated=True),
        _Field("values", "double", repeated=True),
    ),
}

_FIELDS = {name: {f.name: f for f in fields} for name, fields in _MESSAGES.items()}
_FLOAT_MAX = float.fromhex("0x1.fffffep+127")
_INT32 = (-(2**31), 2**31 - 1)
_UNPAIRED_SURROGATE = re.compile("[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]")
_EXTENSION_NAME = re.compile(r"\[[a-zA-Z0-9\._]*\]$")


def _full_name(message: str) -> str:
    return "seldon.protos." + message


def _float32(value: float) -> float:
    return struct.unpack("<f", struct.pack("<f", value))[0]


# --------------------------------------------------------------------------------------------
# parsing (json_format.ParseDict)


def _to_integer(value: Any) -> int:
    if isinstance(value, float) and not value.is_integer():
        raise FeedbackError("Couldn't parse integer: {0}".format(value))
    if isinstance(value, str) and value.find(" ") != -1:
        raise FeedbackError('Couldn\'t parse integer: "{0}"'.format(value))
    if isinstance(value, bool):
        raise FeedbackError("Bool value {0} is not acceptable for integer field".format(value))
    number = int(value)
    if not _INT32[0] <= number <= _INT32[1]:
        raise ValueError("Value out of range: %d" % number)
    return number


def _to_float(value: Any, single: bool) -> float:
    if isinstance(value, float):
        if math.isnan(value):
            raise FeedbackError('Couldn\'t parse NaN, use quoted "NaN" instead')
        if math.isinf(value):
            if value > 0:
                raise FeedbackError('Couldn\'t parse Infinity or value too large, use quoted "Infinity" instead')
            raise FeedbackError('Couldn\'t parse -Infinity or value too small, use quoted "-Infinity" instead')
        if single and value > _FLOAT_MAX:
            raise FeedbackError("Float value too large")
        if single and value < -_FLOAT_MAX:
            raise FeedbackError("Float value too small")
    if value == "nan":
        raise FeedbackError('Couldn\'t parse float "nan", use "NaN" instead')
    try:
        number = float(value)
    except ValueError:
        special = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}
        if value not in special:
            raise FeedbackError("Couldn't parse float: {0}".format(value))
        number = special[value]
    if not single:
        return number
    if number > _FLOAT_MAX:
        return float("inf")
    if number < -_FLOAT_MAX:
        return float("-inf")
    return _float32(number)


def _to_scalar(value: Any, kind: str, type_name: str, path: str) -> Any:
    try:
        if kind == "int32":
            return _to_integer(value)
        if kind in ("float", "double"):
            return _to_float(value, kind == "float")
        if kind == "bytes":
            encoded = value.encode("utf-8") if isinstance(value, str) else value
            return base64.urlsafe_b64decode(encoded + b"=" * (4 - len(encoded) % 4))
        if kind == "string":
            if _UNPAIRED_SURROGATE.search(value):
                raise FeedbackError("Unpaired surrogate")
            return value
        if kind == "enum":
            full_name, names = _ENUMS[type_name]
            if value in names:
                return names.index(value)
            try:
                return int(value)
            except ValueError:
                raise FeedbackError("Invalid enum value {0} for enum type {1}".format(value, full_name))
        raise AssertionError(kind)
    except FeedbackError as exc:
        raise FeedbackError("{0} at {1}".format(exc, path))


def _to_value(value: Any, path: str) -> Any:
    """google.protobuf.Value: JSON-like values with every number a float."""
    if isinstance(value, dict):
        return {key: _to_value(value[key], "{0}.{1}".format(path, key)) for key in value}
    if isinstance(value, list):
        return [_to_value(item, "{0}[{1}]".format(path, i)) for i, item in enumerate(value)]
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    raise FeedbackError("Value {0} has unexpected type {1} at {2}".format(value, type(value), path))


def _to_any(value: Any, path: str) -> Any:
    if isinstance(value, dict) and not value:
        return {}
    try:
        type_url = value["@type"]
    except KeyError:
        raise FeedbackError("@type is missing when parsing any message at {0}".format(path))
    raise FeedbackError("Can not find message descriptor by type_url: {0} at {1}".format(type_url, path))


def _parse(js: Any, message: str, path: str) -> Dict[str, Any]:
    fields = _FIELDS[message]
    out: Dict[str, Any] = {}
    seen: List[str] = []
    for name in js:
        field: Optional[_Field] = None
        try:
            field = fields.get(name)
            if field is None and _EXTENSION_NAME.match(name):
                raise FeedbackError(
                    "Message type {0} does not have extensions at {1}".format(_full_name(message), path)
                )
            if field is None:
                raise FeedbackError(
                    ('Message type "{0}" has no field named "{1}" at "{2}".\n'
                     ' Available Fields(except extensions): "{3}"').format(
                        _full_name(message), name, path, [f.name for f in _MESSAGES[message]]
                    )
                )  # fmt: skip
            seen.append(name)
            value = js[name]
            if field.oneof and value is not None:
                if field.oneof in seen:
                    raise FeedbackError(
                        'Message type "{0}" should not have multiple "{1}" oneof fields at "{2}".'.format(
                            _full_name(message), field.oneof, path
                        )
                    )
                seen.append(field.oneof)
            sub_path = "{0}.{1}".format(path, name)
            if value is None:
                if field.kind == "value":
                    _set(out, message, field, None)
                else:
                    out.pop(field.name, None)
                continue
            _set(out, message, field, _parse_field(field, value, path, sub_path))
        except FeedbackError as exc:
            if field is not None and not field.oneof:
                raise FeedbackError("Failed to parse {0} field: {1}.".format(name, exc))
            raise FeedbackError(str(exc))
        except (ValueError, TypeError) as exc:
            raise FeedbackError("Failed to parse {0} field: {1}.".format(name, exc))
    return out


def _set(out: Dict[str, Any], message: str, field: _Field, value: Any) -> None:
    if field.oneof:  # setting one member of a oneof clears the others
        for other in _MESSAGES[message]:
            if other.oneof == field.oneof:
                out.pop(other.name, None)
    out[field.name] = value


def _parse_field(field: _Field, value: Any, path: str, sub_path: str) -> Any:
    if field.kind == "map":
        if not isinstance(value, dict):
            raise FeedbackError(
                "Map field {0} must be in a dict which is {1} at {2}".format(field.name, value, sub_path)
            )
        result = {}
        for key in value:
            key = _to_scalar(key, "string", "", "{0}.key".format(sub_path))
            entry_path = "{0}[{1}]".format(sub_path, key)
            if field.type == "value":
                result[key] = _to_value(value[key], entry_path)
            else:
                result[key] = _to_scalar(value[key], field.type, "", entry_path)
        return result
    if field.repeated:
        if not isinstance(value, list):
            raise FeedbackError("repeated field {0} must be in [] which is {1} at {2}".format(field.name, value, path))
        items = []
        for index, item in enumerate(value):
            item_path = "{0}.{1}[{2}]".format(path, field.name, index)
            if item is None:
                raise FeedbackError(
                    "null is not allowed to be used as an element in a repeated field at {0}".format(item_path)
                )
            if field.kind == "message":
                items.append(_parse(item, field.type, item_path))
            else:
                items.append(_to_scalar(item, field.kind, field.type, item_path))
        return items
    if field.kind == "message":
        return _parse(value, field.type, sub_path)
    if field.kind == "value":
        return _to_value(value, sub_path)
    if field.kind == "listvalue":
        if not isinstance(value, list):
            raise FeedbackError("ListValue must be in [] which is {0} at {1}".format(value, sub_path))
        return _to_value(value, sub_path)
    if field.kind == "any":
        return _to_any(value, sub_path)
    if field.kind == "opaque":
        return value
    return _to_scalar(value, field.kind, field.type, sub_path)


def parse_message(js: Any, message: str = "SeldonMessage") -> Dict[str, Any]:
    """JSON value -> parsed message dict; raises FeedbackError like ``ParseDict`` would."""
    return _parse(js, message, message)


# --------------------------------------------------------------------------------------------
# rendering (json_format.MessageToDict / MessageToJson)


def _shortest_float32(value: float) -> float:
    precision = 6
    rounded = float("{0:.{1}g}".format(value, precision))
    while _float32(rounded) != value:
        precision += 1
        rounded = float("{0:.{1}g}".format(value, precision))
    return rounded


def _render_float(value: float, single: bool) -> Any:
    if math.isinf(value):
        return "-Infinity" if value < 0 else "Infinity"
    if math.isnan(value):
        return "NaN"
    return _shortest_float32(value) if single else value


def _render_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _render_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_render_value(item) for item in value]
    if isinstance(value, float):
        return _render_float(value, False)
    return value


def _render_scalar(field: _Field, kind: str, value: Any) -> Any:
    if kind in ("float", "double"):
        return _render_float(value, kind == "float")
    if kind == "bytes":
        return base64.b64encode(value).decode("utf-8")
    if kind == "enum":
        names = _ENUMS[field.type][1]
        return names[value] if 0 <= value < len(names) else value
    return value


_DEFAULTS = {"int32": 0, "float": 0.0, "double": 0.0, "string": "", "bytes": b"", "enum": 0}


def render_message(message: Dict[str, Any], name: str = "SeldonMessage") -> Dict[str, Any]:
    """Parsed message dict -> its proto-JSON dict (fields in declaration order)."""
    out: Dict[str, Any] = {}
    for field in _MESSAGES[name]:
        if field.name not in message:
            continue
        value = message[field.name]
        if field.kind == "map":
            if value:
                if field.type == "value":
                    out[field.name] = {k: _render_value(v) for k, v in value.items()}
                else:
                    out[field.name] = {k: _render_scalar(field, field.type, v) for k, v in value.items()}
        elif field.repeated:
            if value:
                if field.kind == "message":
                    out[field.name] = [render_message(item, field.type) for item in value]
                else:
                    out[field.name] = [_render_scalar(field, field.kind, item) for item in value]
        elif field.kind == "message":
            out[field.name] = render_message(value, field.type)
        elif field.kind in ("value", "listvalue"):
            out[field.name] = _render_value(value)
        elif field.kind in ("any", "opaque"):
            out[field.name] = value
        elif field.oneof or value != _DEFAULTS[field.kind] or (field.kind in ("float", "double") and math.isnan(value)):
            out[field.name] = _render_scalar(field, field.kind, value)
    return out


# --------------------------------------------------------------------------------------------
# numpy <-> DefaultData


def datadef_to_array(datadef: Optional[Dict[str, Any]]) -> np.ndarray:
    """A parsed DefaultData -> numpy array, as the original reads gRPC data (SPEC §9.3)."""
    datadef = datadef or {}
    if "tensor" in datadef:
        tensor = datadef["tensor"]
        shape = tensor.get("shape", [])
        if not shape:  # the original slices bytes with np.prod([]) == 1.0 and fails
            raise TypeError("slice indices must be integers or None or have an __index__ method")
        return np.array(tensor.get("values", []), dtype=np.float64).reshape(shape)
    if "ndarray" in datadef:
        return np.array(_render_value(datadef["ndarray"]))
    if "tftensor" in datadef:
        from ._tftensor import array_from_json  # TensorProto semantics without TensorFlow

        return array_from_json(datadef["tftensor"])
    return np.array([])


def _list_value(array: np.ndarray) -> List[Any]:
    if len(array.shape) == 1:
        return [_to_list_item(item) for item in array.tolist()]
    return [_list_value(row) for row in array]  # a 0-d array fails here, as in the original


def _to_list_item(item: Any) -> Any:
    if item is None or isinstance(item, (bool, str)):
        return item
    if isinstance(item, (int, float)):
        return float(item)
    if isinstance(item, dict):
        return {k: _to_list_item(v) for k, v in item.items()}
    if isinstance(item, list):
        return [_to_list_item(v) for v in item]
    raise ValueError("Unexpected type")


def _check_names(names: Any) -> List[str]:
    checked = []
    for name in names:
        if not isinstance(name, (str, bytes)):
            raise TypeError(
                "%.1024r has type %s, but expected one of: %s" % (name, type(name), (bytes, str))
            )
        checked.append(name.decode("utf-8") if isinstance(name, bytes) else name)
    return checked


def array_to_datadef(kind: Optional[str], array: np.ndarray, names: Any) -> Dict[str, Any]:
    """numpy array -> parsed DefaultData of ``kind`` (None or unknown: ndarray)."""
    datadef: Dict[str, Any] = {"names": _check_names(names)}
    if kind == "tensor":
        values = array.ravel().tolist()
        for value in values:
            if not isinstance(value, (int, float)):
                raise TypeError(
                    "%.1024r has type %s, but expected one of: int, float" % (value, type(value))
                )
        datadef["tensor"] = {"shape": list(array.shape), "values": [float(v) for v in values]}
    elif kind == "tftensor":
        from ._tftensor import array_to_json

        datadef["tftensor"] = array_to_json(array)
    else:
        datadef["ndarray"] = _list_value(array)
    return datadef


def oneof_kind(message: Dict[str, Any]) -> Optional[str]:
    """Which member of ``data_oneof`` a parsed SeldonMessage / DefaultData holds."""
    for name in ("data", "binData", "strData", "jsonData", "customData", "tensor", "ndarray", "tftensor"):
        if name in message:
            return name
    return None


class Feedback:
    """A parsed Feedback message with the accessors the feedback endpoint needs."""

    def __init__(self, fields: Dict[str, Any]) -> None:
        self.fields = fields
        self.request: Dict[str, Any] = fields.get("request", {})
        self.reward: float = fields.get("reward", 0.0)

    def request_array(self) -> np.ndarray:
        return datadef_to_array(self.request.get("data"))

    def truth_array(self) -> np.ndarray:
        return datadef_to_array(self.fields.get("truth", {}).get("data"))

    def request_names(self) -> List[str]:
        return list(self.request.get("data", {}).get("names", []))

    def routing(self, unit_id: str) -> Optional[int]:
        return self.fields.get("response", {}).get("meta", {}).get("routing", {}).get(unit_id)

    def as_dict(self) -> Dict[str, Any]:
        return render_message(self.fields, "Feedback")


def parse_feedback(js: Any) -> Feedback:
    return Feedback(_parse(js, "Feedback", "Feedback"))


def value_from_json(value: Any) -> Any:
    """A JSON-like value as a ``google.protobuf.Value`` holds it (``ParseDict`` into a Value)."""
    return _to_value(value, "Value")

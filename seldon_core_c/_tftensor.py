"""``tensorflow.TensorProto`` <-> numpy without TensorFlow (SPEC §4.3, §5.5, §9.3).

The original turns a ``tftensor`` into numpy with ``tf.make_ndarray`` and a numeric answer back
with ``tf.make_tensor_proto(array)`` (REST: then ``json_format.MessageToJson``), so it needs
TensorFlow installed. This module reproduces those two functions natively, for the dtypes numpy
has; the protobuf side uses the ``tensorflow.TensorProto`` class built from ``_protos.pb``, so
the JSON is protobuf's own rendering (camelCase names, int64 as strings, bytes as base64).

* ``array_from_proto(proto)``: ``tf.make_ndarray`` on any TensorProto message (ours, the gRPC
  pool's, TensorFlow's): ``tensor_content`` first (little-endian), else the dtype's ``*_val``
  field; fewer values than the shape needs are padded with the last one (so one value fills
  the whole shape), no values give zeros.
* ``array_to_proto(array, proto)``: fills an empty TensorProto like
  ``tf.make_tensor_proto(array)`` for a numpy array: the array's own dtype (no float64 ->
  float32 narrowing, TF does that for Python lists only); more than one element of a
  float16/32/64, int8/16/32/64, uint8/32/64 array goes in ``tensor_content``; anything else
  (one element, uint16, bool, complex, strings) in the dtype's ``*_val`` field.
* ``array_from_json(value)`` / ``array_to_json(array)``: the same through proto-JSON (REST
  ``data.tftensor``).

Request-side problems (bad JSON, a dtype numpy lacks, values that do not fit the shape) raise
``TfTensorError`` (the REST runtime answers 400); an answer array of a dtype TensorFlow has no
type for raises ``TypeError`` (500, as TensorFlow's own error would).
"""

import functools
from typing import Any, Dict, List, Tuple

import numpy as np

# tensorflow.DataType numbers (types.proto) used here.
DT_INVALID = 0
DT_FLOAT = 1
DT_DOUBLE = 2
DT_INT32 = 3
DT_UINT8 = 4
DT_INT16 = 5
DT_INT8 = 6
DT_STRING = 7
DT_COMPLEX64 = 8
DT_INT64 = 9
DT_BOOL = 10
DT_UINT16 = 17
DT_COMPLEX128 = 18
DT_HALF = 19
DT_UINT32 = 22
DT_UINT64 = 23

# DataType -> (numpy dtype, the repeated field make_ndarray reads when there is no tensor_content).
_DECODE: Dict[int, Tuple[np.dtype, str]] = {
    DT_FLOAT: (np.dtype(np.float32), "float_val"),
    DT_DOUBLE: (np.dtype(np.float64), "double_val"),
    DT_INT32: (np.dtype(np.int32), "int_val"),
    DT_UINT8: (np.dtype(np.uint8), "int_val"),
    DT_INT16: (np.dtype(np.int16), "int_val"),
    DT_INT8: (np.dtype(np.int8), "int_val"),
    DT_STRING: (np.dtype(object), "string_val"),
    DT_COMPLEX64: (np.dtype(np.complex64), "scomplex_val"),
    DT_INT64: (np.dtype(np.int64), "int64_val"),
    DT_BOOL: (np.dtype(np.bool_), "bool_val"),
    DT_UINT16: (np.dtype(np.uint16), "int_val"),
    DT_COMPLEX128: (np.dtype(np.complex128), "dcomplex_val"),
    DT_HALF: (np.dtype(np.float16), "half_val"),
    DT_UINT32: (np.dtype(np.uint32), "uint32_val"),
    DT_UINT64: (np.dtype(np.uint64), "uint64_val"),
}

# numpy (kind, itemsize) -> DataType, as tf.dtypes.as_dtype maps a numpy dtype.
_ENCODE: Dict[Tuple[str, int], int] = {
    ("f", 2): DT_HALF,
    ("f", 4): DT_FLOAT,
    ("f", 8): DT_DOUBLE,
    ("i", 1): DT_INT8,
    ("i", 2): DT_INT16,
    ("i", 4): DT_INT32,
    ("i", 8): DT_INT64,
    ("u", 1): DT_UINT8,
    ("u", 2): DT_UINT16,
    ("u", 4): DT_UINT32,
    ("u", 8): DT_UINT64,
    ("c", 8): DT_COMPLEX64,
    ("c", 16): DT_COMPLEX128,
    ("b", 1): DT_BOOL,
}

# make_tensor_proto's _TENSOR_CONTENT_TYPES restricted to the dtypes numpy has.
_CONTENT_TYPES = frozenset(
    (DT_HALF, DT_FLOAT, DT_DOUBLE, DT_INT8, DT_INT16, DT_INT32, DT_INT64, DT_UINT8, DT_UINT32, DT_UINT64)
)

_MAX_CONTENT = 1 << 31  # TF refuses a tensor_content of 2 GB or more

# The names of every DataType, for error messages (types.proto; 101-133 are the _REF variants).
_NAMES = (
    "DT_INVALID DT_FLOAT DT_DOUBLE DT_INT32 DT_UINT8 DT_INT16 DT_INT8 DT_STRING DT_COMPLEX64 "
    "DT_INT64 DT_BOOL DT_QINT8 DT_QUINT8 DT_QINT32 DT_BFLOAT16 DT_QINT16 DT_QUINT16 DT_UINT16 "
    "DT_COMPLEX128 DT_HALF DT_RESOURCE DT_VARIANT DT_UINT32 DT_UINT64 DT_FLOAT8_E5M2 "
    "DT_FLOAT8_E4M3FN DT_FLOAT8_E4M3FNUZ DT_FLOAT8_E4M3B11FNUZ DT_FLOAT8_E5M2FNUZ DT_INT4 "
    "DT_UINT4 DT_INT2 DT_UINT2 DT_FLOAT4_E2M1FN"
).split()


class TfTensorError(ValueError):
    """A request tftensor that cannot become a numpy array (answered 400 over REST)."""


def dtype_name(code: int) -> str:
    if 0 <= code < len(_NAMES):
        return _NAMES[code]
    if 100 < code < 100 + len(_NAMES):
        return _NAMES[code - 100] + "_REF"
    return str(code)


@functools.lru_cache(maxsize=None)
def _tensor_proto_class() -> Any:
    from ._grpc_runtime import Protos

    return Protos().cls("tensorflow.TensorProto")


# --------------------------------------------------------------------------------------------
# TensorProto -> numpy (tf.make_ndarray)


def array_from_proto(proto: Any) -> np.ndarray:
    """``tf.make_ndarray(proto)`` for the dtypes numpy has; TfTensorError otherwise."""
    code = int(proto.dtype)
    if code not in _DECODE:
        raise TfTensorError(
            f"tftensor dtype {dtype_name(code)} is not supported: it has no numpy equivalent "
            "(supported: " + ", ".join(dtype_name(c) for c in sorted(_DECODE)) + ")"
        )
    dtype, field = _DECODE[code]
    shape = [int(dim.size) for dim in proto.tensor_shape.dim]
    if any(size < 0 for size in shape):
        raise TfTensorError(f"tftensor shape {shape} has a negative dimension")
    count = int(np.prod(shape, dtype=np.int64))
    if proto.tensor_content:
        return _from_content(bytes(proto.tensor_content), code, dtype, shape, count)
    if code == DT_STRING:
        strings: List[Any] = list(proto.string_val)
        if len(strings) < count:  # TF pads with the last string, or "" when there is none
            strings.extend([strings[-1] if strings else ""] * (count - len(strings)))
        return _reshape(np.array(strings, dtype=object), shape, count, field)
    values = _field_values(getattr(proto, field), code, dtype)
    if values.size == 0:
        return np.zeros(shape, dtype)
    if values.size < count:  # one value fills the shape; more are padded with the last one
        values = np.pad(values, (0, count - values.size), "edge")
    return _reshape(values, shape, count, field)


def _from_content(content: bytes, code: int, dtype: np.dtype, shape: List[int], count: int) -> np.ndarray:
    if code == DT_STRING:
        raise TfTensorError("tftensor of dtype DT_STRING cannot use tensorContent: use stringVal")
    if len(content) % dtype.itemsize:
        raise TfTensorError(
            f"tftensor tensorContent has {len(content)} bytes, not a multiple of "
            f"{dtype.itemsize} ({dtype_name(code)})"
        )
    values = np.frombuffer(content, dtype=dtype.newbyteorder("<")).astype(dtype)
    return _reshape(values, shape, count, "tensorContent")


def _field_values(field: Any, code: int, dtype: np.dtype) -> np.ndarray:
    try:
        if code in (DT_COMPLEX64, DT_COMPLEX128):  # (real, imaginary) pairs; an odd last one is ignored
            parts = np.fromiter(field, dtype=np.float32 if code == DT_COMPLEX64 else np.float64)
            return parts[: parts.size // 2 * 2].view(dtype)
        if code == DT_HALF:  # the float16 bit patterns
            return np.fromiter(field, dtype=np.uint16).view(dtype)
        return np.fromiter(field, dtype=dtype)
    except OverflowError as exc:
        raise TfTensorError(f"tftensor values out of range for {dtype_name(code)}: {exc}") from None


def _reshape(values: np.ndarray, shape: List[int], count: int, field: str) -> np.ndarray:
    if values.size != count:
        raise TfTensorError(
            f"tftensor {field} has {values.size} values, shape {shape} needs {count}"
        )
    return values.reshape(shape)


def array_from_json(value: Any) -> np.ndarray:
    """REST ``data.tftensor`` (proto-JSON of a TensorProto) -> numpy, as
    ``json_format.ParseDict`` + ``tf.make_ndarray`` do."""
    if not isinstance(value, dict):
        raise TfTensorError(f"tftensor must be a JSON object (a tensorflow.TensorProto), got: {value!r}")
    proto = _tensor_proto_class()()
    from google.protobuf import json_format  # imported on first use: it costs ~9 ms of start-up

    try:
        json_format.ParseDict(value, proto)
    except json_format.ParseError as exc:
        raise TfTensorError(f"Invalid tftensor: {exc}") from None
    return array_from_proto(proto)


# --------------------------------------------------------------------------------------------
# numpy -> TensorProto (tf.make_tensor_proto)


def datatype_of(dtype: np.dtype) -> int:
    """The DataType ``tf.make_tensor_proto`` gives an array of ``dtype``; TypeError if none."""
    if dtype.kind in "USO":
        return DT_STRING
    code = _ENCODE.get((dtype.kind, dtype.itemsize))
    if code is None:
        raise TypeError(f"Cannot convert a numpy array of dtype {dtype} to a tensorflow.TensorProto")
    return code


def array_to_proto(array: np.ndarray, proto: Any) -> Any:
    """Fill the empty TensorProto ``proto`` as ``tf.make_tensor_proto(array)`` would; returns it."""
    array = np.asarray(array)
    code = datatype_of(array.dtype)
    proto.dtype = code
    proto.tensor_shape.SetInParent()  # present even for a 0-d array: "tensorShape": {}
    for size in array.shape:
        proto.tensor_shape.dim.add(size=size)
    if code in _CONTENT_TYPES and array.size > 1:
        if array.nbytes >= _MAX_CONTENT:
            raise ValueError("Cannot create a tensor proto whose content is larger than 2GB.")
        proto.tensor_content = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()
        return proto
    flat = np.ascontiguousarray(array.ravel())
    if code == DT_STRING:
        proto.string_val.extend([_as_bytes(item) for item in flat])
    elif code == DT_HALF:
        proto.half_val.extend(flat.astype(np.float16).view(np.uint16).tolist())
    elif code in (DT_COMPLEX64, DT_COMPLEX128):  # (real, imaginary) pairs
        getattr(proto, _DECODE[code][1]).extend(flat.view(np.float32 if code == DT_COMPLEX64 else np.float64).tolist())
    else:
        getattr(proto, _DECODE[code][1]).extend(flat.tolist())
    return proto


def _as_bytes(item: Any) -> bytes:
    """TensorFlow's ``compat.as_bytes``: str as UTF-8, bytes as they are."""
    if isinstance(item, (bytes, bytearray)):
        return bytes(item)
    if isinstance(item, str):
        return item.encode("utf-8")
    raise TypeError(f"Expected binary or unicode string, got {item!r}")


def array_to_json(array: np.ndarray) -> Dict[str, Any]:
    """``json.loads(json_format.MessageToJson(tf.make_tensor_proto(array)))``."""
    from google.protobuf import json_format

    return json_format.MessageToDict(array_to_proto(array, _tensor_proto_class()()))

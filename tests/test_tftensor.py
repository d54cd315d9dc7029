"""tftensor without TensorFlow (seldon_core_c/_tftensor.py; SPEC §4.3, §5.5, §9.3).

The codec reproduces ``tf.make_ndarray`` (request) and ``tf.make_tensor_proto`` + protobuf JSON
(response). TensorFlow is not installed here, so the expected layouts below are written from
TensorFlow's tensor_util.py; where TensorFlow *is* importable, test_matches_tensorflow compares
with it directly. The last tests go through the real REST server (model ``id``).

Run: PATH=$PWD/.venv/bin:$PATH .venv/bin/pytest -q -p no:cacheprovider tests/test_tftensor.py
"""

import base64
import json
import os
import sys
from typing import Any, Dict, List

import numpy as np
import pytest
import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from seldon_core_c import runtime  # noqa: E402
from seldon_core_c._tftensor import (  # noqa: E402
    TfTensorError,
    array_from_json,
    array_from_proto,
    array_to_json,
    array_to_proto,
)

import e2e_util  # noqa: E402

NUMERIC = ["float16", "float32", "float64", "int8", "int16", "int32", "int64",
           "uint8", "uint16", "uint32", "uint64", "complex64", "complex128"]
SHAPES = [(), (1,), (3,), (2, 3), (0,), (2, 0), (1, 2, 2)]


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def dims(*sizes: int) -> Dict[str, Any]:
    return {"dim": [{"size": str(s)} if s else {} for s in sizes]}


def sample(dtype: str, shape: Any) -> np.ndarray:
    count = int(np.prod(shape))
    if dtype == "bool":
        return (np.arange(count) % 3 == 0).reshape(shape)
    if dtype.startswith("complex"):
        return (np.arange(count) * 0.5 - 1j * np.arange(count)).astype(dtype).reshape(shape)
    if dtype.startswith("float"):
        return (np.arange(count) * 0.1 - 0.3).astype(dtype).reshape(shape)
    info = np.iinfo(dtype)
    values = [info.min, info.max, 0, 1, 7][:count] + list(range(max(0, count - 5)))
    return np.array(values, dtype=dtype).reshape(shape)


# ---------------------------------------------------------------------------------------------
# round trips


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", NUMERIC + ["bool"])
def test_round_trip(dtype: str, shape: Any) -> None:
    array = sample(dtype, shape)
    encoded = array_to_json(array)
    assert json.loads(json.dumps(encoded)) == encoded  # plain JSON
    back = array_from_json(encoded)
    assert back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)


def test_round_trip_strings() -> None:
    array = np.array([["a", "\u00e9"], ["", "\U0001f600"]])
    encoded = array_to_json(array)
    assert encoded == {"dtype": "DT_STRING", "tensorShape": dims(2, 2),
                       "stringVal": [b64(b"a"), b64("\u00e9".encode()), b64(b""), b64("\U0001f600".encode())]}
    back = array_from_json(encoded)  # TF gives an object array of bytes
    assert back.dtype == object and back.tolist() == [[b"a", "\u00e9".encode()], [b"", "\U0001f600".encode()]]
    objects = np.array([b"x", "y"], dtype=object)
    assert array_to_json(objects)["stringVal"] == [b64(b"x"), b64(b"y")]


def test_non_native_byte_order() -> None:
    big = np.array([1.5, -2.0], dtype=">f8")
    assert array_to_json(big) == array_to_json(big.astype("<f8"))
    np.testing.assert_array_equal(array_from_json(array_to_json(big)), big)


# ---------------------------------------------------------------------------------------------
# the exact layout of make_tensor_proto(array) + MessageToJson


@pytest.mark.parametrize("array, expected", [
    # more than one element of a _TENSOR_CONTENT_TYPES dtype: little-endian bytes in tensorContent
    (np.array([[1.5, 2], [3, 4]], dtype=np.float32),
     {"dtype": "DT_FLOAT", "tensorShape": dims(2, 2), "tensorContent": b64(np.array([1.5, 2, 3, 4], "<f4").tobytes())}),
    (np.array([[1.5, 2.0]]),  # float64 stays DT_DOUBLE: TF narrows Python lists only, not arrays
     {"dtype": "DT_DOUBLE", "tensorShape": dims(1, 2), "tensorContent": b64(np.array([1.5, 2], "<f8").tobytes())}),
    (np.array([1, 2]),
     {"dtype": "DT_INT64", "tensorShape": dims(2), "tensorContent": b64(np.array([1, 2], "<i8").tobytes())}),
    (np.array([1, 2], dtype=np.int32),
     {"dtype": "DT_INT32", "tensorShape": dims(2), "tensorContent": b64(np.array([1, 2], "<i4").tobytes())}),
    (np.array([1, 2], dtype=np.uint8), {"dtype": "DT_UINT8", "tensorShape": dims(2), "tensorContent": "AQI="}),
    (np.array([1.0, 2.0], dtype=np.float16), {"dtype": "DT_HALF", "tensorShape": dims(2), "tensorContent": "ADwAQA=="}),
    (np.array([1, 2], dtype=np.uint32), {"dtype": "DT_UINT32", "tensorShape": dims(2), "tensorContent": "AQAAAAIAAAA="}),
    # one element: the typed *_val field (float as its shortest float32 form, int64 as strings)
    (np.array([0.1], dtype=np.float32), {"dtype": "DT_FLOAT", "tensorShape": dims(1), "floatVal": [0.1]}),
    (np.array([[0.1]]), {"dtype": "DT_DOUBLE", "tensorShape": dims(1, 1), "doubleVal": [0.1]}),
    (np.array([5]), {"dtype": "DT_INT64", "tensorShape": dims(1), "int64Val": ["5"]}),
    (np.array([-5], dtype=np.int32), {"dtype": "DT_INT32", "tensorShape": dims(1), "intVal": [-5]}),
    (np.array([200], dtype=np.uint8), {"dtype": "DT_UINT8", "tensorShape": dims(1), "intVal": [200]}),
    (np.array([7], dtype=np.uint32), {"dtype": "DT_UINT32", "tensorShape": dims(1), "uint32Val": [7]}),
    (np.array([2**64 - 1], dtype=np.uint64), {"dtype": "DT_UINT64", "tensorShape": dims(1), "uint64Val": [str(2**64 - 1)]}),
    (np.array([1.0], dtype=np.float16), {"dtype": "DT_HALF", "tensorShape": dims(1), "halfVal": [15360]}),
    (np.array(3.0), {"dtype": "DT_DOUBLE", "tensorShape": {}, "doubleVal": [3.0]}),  # 0-d
    (np.array([0.0], dtype=np.float32), {"dtype": "DT_FLOAT", "tensorShape": dims(1), "floatVal": [0.0]}),
    (np.array([np.nan, np.inf], dtype=np.float32)[:1], {"dtype": "DT_FLOAT", "tensorShape": dims(1), "floatVal": ["NaN"]}),
    # dtypes outside _TENSOR_CONTENT_TYPES: always the *_val field
    (np.array([1, 2], dtype=np.uint16), {"dtype": "DT_UINT16", "tensorShape": dims(2), "intVal": [1, 2]}),
    (np.array([True, False]), {"dtype": "DT_BOOL", "tensorShape": dims(2), "boolVal": [True, False]}),
    (np.array([1 + 2j, 3 - 1j], dtype=np.complex64),
     {"dtype": "DT_COMPLEX64", "tensorShape": dims(2), "scomplexVal": [1.0, 2.0, 3.0, -1.0]}),
    (np.array([0.5j]), {"dtype": "DT_COMPLEX128", "tensorShape": dims(1), "dcomplexVal": [0.0, 0.5]}),
    # no elements: no values at all; a dimension of size 0 prints as {}
    (np.zeros((2, 0), dtype=np.float32), {"dtype": "DT_FLOAT", "tensorShape": dims(2, 0)}),
    (np.array([], dtype=np.int64), {"dtype": "DT_INT64", "tensorShape": dims(0)}),
], ids=lambda v: "" if isinstance(v, dict) else f"{v.dtype}{list(v.shape)}")
def test_layout(array: np.ndarray, expected: Dict[str, Any]) -> None:
    assert array_to_json(array) == expected


@pytest.mark.parametrize("array", [
    np.array([1, 2], dtype="timedelta64[s]"), np.array([1.0], dtype=np.longdouble),
    np.array([None], dtype=object), np.zeros(1, dtype=[("a", "i4")]),
], ids=["timedelta", "longdouble", "object-None", "structured"])
def test_answer_dtype_tensorflow_lacks(array: np.ndarray) -> None:
    with pytest.raises(TypeError):
        array_to_json(array)


# ---------------------------------------------------------------------------------------------
# decoding: make_ndarray semantics


@pytest.mark.parametrize("tensor, dtype, values", [
    ({"dtype": "DT_FLOAT", "floatVal": [1.5, 0.1]}, np.float32, [1.5, np.float32(0.1)]),
    ({"dtype": "DT_DOUBLE", "doubleVal": [1.5, "NaN"]}, np.float64, [1.5, np.nan]),
    ({"dtype": "DT_INT32", "intVal": [-1, 2]}, np.int32, [-1, 2]),
    ({"dtype": "DT_UINT8", "intVal": [0, 255]}, np.uint8, [0, 255]),
    ({"dtype": "DT_INT16", "intVal": [-300, 300]}, np.int16, [-300, 300]),
    ({"dtype": "DT_INT8", "intVal": [-128, 127]}, np.int8, [-128, 127]),
    ({"dtype": "DT_UINT16", "intVal": [65535, 1]}, np.uint16, [65535, 1]),
    ({"dtype": "DT_INT64", "int64Val": ["9007199254740993", -2]}, np.int64, [9007199254740993, -2]),
    ({"dtype": "DT_UINT32", "uint32Val": [4294967295, 0]}, np.uint32, [4294967295, 0]),
    ({"dtype": "DT_UINT64", "uint64Val": ["18446744073709551615", "1"]}, np.uint64, [2**64 - 1, 1]),
    ({"dtype": "DT_BOOL", "boolVal": [True, False]}, np.bool_, [True, False]),
    ({"dtype": "DT_HALF", "halfVal": [15360, 48640]}, np.float16, [1.0, -1.5]),
    ({"dtype": "DT_COMPLEX64", "scomplexVal": [1, 2, 3, 4]}, np.complex64, [1 + 2j, 3 + 4j]),
    ({"dtype": "DT_COMPLEX128", "dcomplexVal": [1, 2, 3, 4, 5]}, np.complex128, [1 + 2j, 3 + 4j]),  # odd tail dropped
    ({"dtype": "DT_STRING", "stringVal": [b64(b"a"), b64(b"\xff")]}, object, [b"a", b"\xff"]),
    ({"dtype": 1, "floatVal": [2, 3]}, np.float32, [2, 3]),  # enum by number
    ({"dtype": "DT_FLOAT", "float_val": [2, 3]}, np.float32, [2, 3]),  # proto field names too
], ids=lambda v: v["dtype"] if isinstance(v, dict) else "")
def test_decode_fields(tensor: Dict[str, Any], dtype: Any, values: List[Any]) -> None:
    tensor = dict(tensor, tensorShape=dims(len(values)))
    array = array_from_json(tensor)
    assert array.dtype == np.dtype(dtype) and array.shape == (len(values),)
    if dtype is object:
        assert array.tolist() == values
    else:
        np.testing.assert_array_equal(array, np.array(values, dtype=dtype))


def test_broadcast_and_padding() -> None:
    one = array_from_json({"dtype": "DT_FLOAT", "tensorShape": dims(2, 3), "floatVal": [7]})
    np.testing.assert_array_equal(one, np.full((2, 3), 7, dtype=np.float32))
    padded = array_from_json({"dtype": "DT_INT32", "tensorShape": dims(5), "intVal": [1, 2]})
    assert padded.tolist() == [1, 2, 2, 2, 2]  # TF pads with the last value ("edge")
    none = array_from_json({"dtype": "DT_INT64", "tensorShape": dims(2, 2)})
    assert none.dtype == np.int64 and none.tolist() == [[0, 0], [0, 0]]
    scalar = array_from_json({"dtype": "DT_FLOAT"})  # no shape: a 0-d array
    assert scalar.shape == () and scalar.dtype == np.float32 and float(scalar) == 0.0
    strings = array_from_json({"dtype": "DT_STRING", "tensorShape": dims(3), "stringVal": [b64(b"s")]})
    assert strings.tolist() == [b"s", b"s", b"s"]
    assert array_from_json({"dtype": "DT_STRING", "tensorShape": dims(2)}).tolist() == ["", ""]
    halves = array_from_json({"dtype": "DT_HALF", "tensorShape": dims(2), "halfVal": [15360]})
    assert halves.dtype == np.float16 and halves.tolist() == [1.0, 1.0]
    cplx = array_from_json({"dtype": "DT_COMPLEX64", "tensorShape": dims(2), "scomplexVal": [1, 2]})
    assert cplx.tolist() == [1 + 2j, 1 + 2j]
    empty = array_from_json({"dtype": "DT_FLOAT", "tensorShape": dims(0, 4)})
    assert empty.shape == (0, 4)


def test_tensor_content() -> None:
    content = np.array([[1, -2, 3]], dtype="<i2").tobytes()
    array = array_from_json({"dtype": "DT_INT16", "tensorShape": dims(1, 3), "tensorContent": b64(content)})
    assert array.dtype == np.int16 and array.tolist() == [[1, -2, 3]]
    assert array.flags.writeable  # a copy, as TF's frombuffer(...).copy()
    # tensorContent wins over the typed field
    both = array_from_json({"dtype": "DT_FLOAT", "tensorShape": dims(2), "floatVal": [9, 9],
                            "tensorContent": b64(np.array([1, 2], "<f4").tobytes())})
    assert both.tolist() == [1.0, 2.0]
    # snake_case name, bool and complex content
    flags = array_from_json({"dtype": "DT_BOOL", "tensor_shape": dims(3), "tensor_content": b64(b"\x01\x00\x01")})
    assert flags.tolist() == [True, False, True]
    cplx = array_from_json({"dtype": "DT_COMPLEX64", "tensorShape": dims(1),
                            "tensorContent": b64(np.array([1 - 1j], "<c8").tobytes())})
    assert cplx.tolist() == [1 - 1j]


@pytest.mark.parametrize("tensor, message", [
    ([1, 2], "tftensor must be a JSON object"),
    ({"dtype": "DT_FLOAT", "foo": 1}, "Invalid tftensor: "),
    ({"dtype": "DT_NOPE"}, "Invalid tftensor: "),
    ({"dtype": "DT_FLOAT", "floatVal": ["x"]}, "Invalid tftensor: "),
    ({"dtype": "DT_FLOAT", "tensorContent": 5}, "Invalid tftensor: "),
    ({"floatVal": [1]}, "tftensor dtype DT_INVALID is not supported"),
    ({"dtype": "DT_BFLOAT16", "halfVal": [1]}, "tftensor dtype DT_BFLOAT16 is not supported"),
    ({"dtype": "DT_QINT8", "intVal": [1]}, "tftensor dtype DT_QINT8 is not supported"),
    ({"dtype": "DT_RESOURCE"}, "tftensor dtype DT_RESOURCE is not supported"),
    ({"dtype": "DT_VARIANT"}, "tftensor dtype DT_VARIANT is not supported"),
    ({"dtype": "DT_FLOAT_REF", "floatVal": [1]}, "tftensor dtype DT_FLOAT_REF is not supported"),
    ({"dtype": 250}, "tftensor dtype 250 is not supported"),
    ({"dtype": "DT_FLOAT", "tensorShape": dims(2), "floatVal": [1, 2, 3]}, "tftensor float_val has 3 values, shape [2] needs 2"),
    ({"dtype": "DT_STRING", "tensorShape": dims(1), "stringVal": ["YQ==", "YQ=="]}, "tftensor string_val has 2 values"),
    ({"dtype": "DT_FLOAT", "tensorShape": {"dim": [{"size": "-1"}]}, "floatVal": [1]}, "negative dimension"),
    ({"dtype": "DT_FLOAT", "tensorShape": dims(2), "tensorContent": b64(b"12345")}, "not a multiple of 4"),
    ({"dtype": "DT_FLOAT", "tensorShape": dims(3), "tensorContent": b64(b"12345678")}, "tftensor tensorContent has 2 values, shape [3] needs 3"),
    ({"dtype": "DT_STRING", "tensorContent": "YQ=="}, "DT_STRING cannot use tensorContent"),
    ({"dtype": "DT_UINT8", "intVal": [256]}, "out of range for DT_UINT8"),
    ({"dtype": "DT_HALF", "halfVal": [-1]}, "out of range for DT_HALF"),
])
def test_bad_input(tensor: Any, message: str) -> None:
    with pytest.raises(TfTensorError) as info:
        array_from_json(tensor)
    assert message in str(info.value)


def test_any_tensor_proto_class() -> None:
    """The proto-level functions work on any TensorProto (here: the gRPC runtime's own pool)."""
    from seldon_core_c._grpc_runtime import Protos

    datadef = Protos().DefaultData()
    array = np.array([[1.5, 2.5]], dtype=np.float32)
    array_to_proto(array, datadef.tftensor)
    assert datadef.WhichOneof("data_oneof") == "tftensor"
    np.testing.assert_array_equal(array_from_proto(datadef.tftensor), array)


def test_matches_tensorflow() -> None:
    """Where TensorFlow is importable, its make_tensor_proto/make_ndarray must agree with ours."""
    tf = pytest.importorskip("tensorflow")
    from google.protobuf import json_format

    for dtype in NUMERIC + ["bool"]:
        for shape in SHAPES:
            array = sample(dtype, shape)
            theirs = tf.make_tensor_proto(array)
            assert json.loads(json_format.MessageToJson(theirs)) == array_to_json(array), (dtype, shape)
            np.testing.assert_array_equal(tf.make_ndarray(theirs), array_from_json(array_to_json(array)))


# ---------------------------------------------------------------------------------------------
# REST semantics (runtime.Runtime.handle)


class Echo:
    def predict(self, X: Any, names: Any) -> Any:
        return X


class Returns:
    def __init__(self, value: Any) -> None:
        self.value = value

    def predict(self, X: Any, names: Any) -> Any:
        return self.value


def rest(model: Any, request: Any) -> Any:
    rt = runtime.Runtime(model, environ={})
    status, body, mode = rt.handle(runtime.PREDICT, request, None)
    assert mode == runtime.MODE_JSON
    return status, json.loads(json.dumps(body, default=rt.json_default))


def test_rest_echo_round_trip() -> None:
    tensor = {"dtype": "DT_FLOAT", "tensorShape": dims(2, 2),
              "tensorContent": b64(np.array([1, 2, 3, 4], "<f4").tobytes())}
    status, body = rest(Echo(), {"data": {"names": ["a", "b"], "tftensor": tensor}})
    assert status == 200
    assert body == {"data": {"names": ["t:0", "t:1"], "tftensor": tensor}, "meta": {}}


def test_rest_answer_kinds() -> None:
    request = {"data": {"tftensor": {"dtype": "DT_INT32", "tensorShape": dims(1), "intVal": [1]}}}
    assert rest(Returns(np.array([0.5, 1.5])), request)[1]["data"]["tftensor"] == {
        "dtype": "DT_DOUBLE", "tensorShape": dims(2), "tensorContent": b64(np.array([0.5, 1.5], "<f8").tobytes())}
    assert rest(Returns([1, 2]), request)[1]["data"]["tftensor"]["dtype"] == "DT_INT64"  # a list too
    # bool and strings are not numbers: ndarray, as the original
    assert rest(Echo(), {"data": {"tftensor": {"dtype": "DT_BOOL", "tensorShape": dims(2), "boolVal": [True]}}})[1] == {
        "data": {"names": [], "ndarray": [True, True]}, "meta": {}}
    assert rest(Returns(["a"]), request)[1]["data"] == {"names": [], "ndarray": ["a"]}
    # numbers from a request without tftensor never become tftensor
    assert "tensor" in rest(Returns(np.array([1.0])), {"strData": "x"})[1]["data"]


def test_rest_bad_tftensor_is_400() -> None:
    status, body = rest(Echo(), {"data": {"tftensor": {"dtype": "DT_BFLOAT16", "halfVal": [1]}}})
    assert status == 400
    assert body["status"]["reason"] == "MICROSERVICE_BAD_DATA"
    assert body["status"]["info"].startswith("tftensor dtype DT_BFLOAT16 is not supported")


def test_rest_answer_dtype_tensorflow_lacks_is_500() -> None:
    request = {"data": {"tftensor": {"dtype": "DT_FLOAT", "floatVal": [1]}}}
    status, body = rest(Returns(np.array([1], dtype="timedelta64[s]")), request)
    assert status == 500 and body["status"]["reason"] == "MICROSERVICE_INTERNAL_ERROR"


# ---------------------------------------------------------------------------------------------
# over real HTTP (the original without TensorFlow answers 500 NameError: ours only)


@pytest.mark.ours_only
def test_e2e_rest_tftensor(id_server: Any) -> None:
    tensor = {"dtype": "DT_DOUBLE", "tensorShape": dims(1, 3),
              "tensorContent": b64(np.array([0.1, -2, 1e300], "<f8").tobytes())}
    r = requests.post(id_server.url("/api/v1.0/predictions"), json={"data": {"tftensor": tensor}}, timeout=e2e_util.T)
    assert (r.status_code, r.headers["Content-Type"]) == (200, "application/json")
    assert r.content == e2e_util.jbody({"data": {"names": ["t:0", "t:1", "t:2"], "tftensor": tensor}, "meta": {}})
    single = {"dtype": "DT_FLOAT", "tensorShape": dims(2, 2), "floatVal": [0.1]}
    r = requests.post(id_server.url("/predict"), json={"data": {"tftensor": single}}, timeout=e2e_util.T)
    expected = {"dtype": "DT_FLOAT", "tensorShape": dims(2, 2), "tensorContent": b64(np.full(4, 0.1, "<f4").tobytes())}
    assert r.status_code == 200 and r.json()["data"]["tftensor"] == expected
    r = requests.post(id_server.url("/predict"), json={"data": {"tftensor": {"dtype": "DT_VARIANT"}}}, timeout=e2e_util.T)
    assert r.status_code == 400
    assert r.json()["status"]["reason"] == "MICROSERVICE_BAD_DATA"

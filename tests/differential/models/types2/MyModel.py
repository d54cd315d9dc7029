# More return values, selected by the strData (meta.tags.kind when given).
import datetime
import decimal
import uuid

import numpy as np
from seldon_core.user_model import SeldonResponse

OUTPUTS = {
    "list_of_arrays": lambda: [np.array([1, 2]), np.array([3, 4])],
    "list_np_scalars": lambda: [np.float32(1.5), np.int64(2)],
    "list_of_tuples": lambda: [(1, 2), (3, 4)],
    "obj_array_dicts": lambda: np.array([{"a": 1}, {"b": 2}], dtype=object),
    "datetime64": lambda: np.array(["2020-01-02T03:04:05"], dtype="datetime64[s]"),
    "dict_flask_types": lambda: {"d": datetime.date(2020, 1, 2), "dt": datetime.datetime(2020, 1, 2, 3, 4, 5),
                                 "dec": decimal.Decimal("1.50"),
                                 "u": uuid.UUID("12345678-1234-5678-1234-567812345678")},
    "dict_nan": lambda: {"n": float("nan"), "i": float("inf")},
    "dict_int_keys": lambda: {1: "a", 2: "b"},
    "dict_mixed_keys": lambda: {1: "a", "b": 2},
    "dict_tuple": lambda: {"t": (1, 2)},
    "dict_set": lambda: {"s": {1}},
    "set": lambda: {1, 2},
    "bytearray": lambda: bytearray(b"\x00ab"),
    "memoryview": lambda: memoryview(b"ab"),
    "generator": lambda: (i for i in range(2)),
    "float": lambda: 1.5,
    "bool": lambda: True,
    "resp_dict": lambda: SeldonResponse(data={"k": 1}, tags={"rt": "x"}),
    "resp_none_tags": lambda: SeldonResponse(data=[1], tags=None, metrics=None),
    "resp_str_metrics": lambda: SeldonResponse(data="s", metrics=[{"type": "GAUGE", "key": "g", "value": 1.25}]),
    "resp_nested": lambda: SeldonResponse(data=SeldonResponse(data=[1])),
    "arr_2d_str": lambda: np.array([["a", "b"], ["c", "d"]]),
    "arr_2d_float32": lambda: np.array([[0.1, 0.2]], dtype=np.float32),
    "arr_int8": lambda: np.array([-128, 127], dtype=np.int8),
    "arr_float16": lambda: np.array([0.1], dtype=np.float16),
    "arr_empty_2d": lambda: np.zeros((0, 3)),
    "arr_3d": lambda: np.arange(8).reshape(2, 2, 2),
    "list_none": lambda: [None],
    "list_nested_empty": lambda: [[]],
    "ragged_list": lambda: [[1], [2, 3]],
    "unicode_str": lambda: "\u2028\ud800",
    "empty_str": lambda: "",
    "empty_bytes": lambda: b"",
    "empty_dict": lambda: {},
}


class MyModel:
    def predict(self, X, names, meta=None):
        kind = (meta or {}).get("tags", {}).get("kind", X)
        return OUTPUTS[kind]()

    def transform_input(self, X, names):
        return SeldonResponse(data=X, tags={"ti": 1}, metrics=[{"key": "tic", "value": 1}])

    def route(self, X, names):
        return SeldonResponse(data=1, tags={"routed": True})

    def aggregate(self, Xs, names):
        return SeldonResponse(data=Xs[-1], metrics=[{"type": "TIMER", "key": "aggt", "value": 2}])

    def class_names(self):
        return ["only-one"]

    def health_status(self):
        return np.array([[1.5, 2.5]])

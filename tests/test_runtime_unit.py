"""Unit tests of seldon_core_c.runtime, pure Python (no C server).

Each case runs a small model class through ``Runtime.handle`` twice when possible (with the
decoded request dict, and with the pre-extracted ``parts`` the C side would send) and compares
the encoded answer with the ORIGINAL wrapper's answer for the same model and request, obtained by
running tests/orig_runner.py with the original's interpreter. Without the original installed the
comparisons are skipped; the assertions on literal SPEC examples and our documented differences
still run.

Run: python3 -m pytest tests/test_runtime_unit.py -q   (ORIG_PYTHON overrides the interpreter)
"""

import base64
import json
import os
import re
import subprocess
import sys
import textwrap
from typing import Any, Dict, List, NamedTuple, Optional

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from seldon_core_c import _compat, runtime  # noqa: E402
from seldon_core_c.runtime import (  # noqa: E402
    AGGREGATE,
    HEALTH_STATUS,
    METADATA,
    PREDICT,
    ROUTE,
    SEND_FEEDBACK,
    TRANSFORM_INPUT,
    TRANSFORM_OUTPUT,
    Runtime,
)

ALIASED = _compat.install_aliases()  # False where the original package is installed

ORIG_PYTHON = os.environ.get("ORIG_PYTHON", "/opt/seldon-orig/bin/python")
RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "orig_runner.py")
PATHS = {
    PREDICT: "/predict",
    HEALTH_STATUS: "/health/status",
    TRANSFORM_INPUT: "/transform-input",
    TRANSFORM_OUTPUT: "/transform-output",
    ROUTE: "/route",
    AGGREGATE: "/aggregate",
    SEND_FEEDBACK: "/send-feedback",
    METADATA: "/metadata",
}
NO_BODY = (HEALTH_STATUS, METADATA)

# ---------------------------------------------------------------------------------------------
# models (source text, so that the original can run the very same code)

HEADER = "import numpy as np\nfrom seldon_core.user_model import SeldonComponent, SeldonResponse, SeldonNotImplementedError\nfrom seldon_core.flask_utils import SeldonMicroserviceException\n"


def model(body: str) -> str:
    return HEADER + textwrap.dedent(body)


ID = model(
    """
    class Model:
        def predict(self, X, features_names):
            return X
        def send_feedback(self, features, feature_names, reward, truth, routing=None):
            return []
    """
)

UO = model(
    """
    class Model:
        def predict(self, X, names, **kw):
            return X
        def tags(self):
            return {"mytag": 1}
        def metrics(self):
            return [{"type": "COUNTER", "key": "mycounter", "value": 1}]
        def health_status(self):
            return self.predict([0.123], ["a"])
        def init_metadata(self):
            return {
                "name": "my-model-name", "versions": ["model-version"], "platform": "model-platform",
                "inputs": [{"name": "input", "datatype": "BYTES", "shape": [1]}],
                "outputs": [{"name": "output", "datatype": "BYTES", "shape": [1]}],
                "custom": {},
            }
    """
)


def returning(expr: str, extra: str = "") -> str:
    """A model whose predict returns ``expr`` (X, names, meta in scope)."""
    source = "class Model:\n    def predict(self, X, names, meta=None):\n        return " + expr + "\n"
    return HEADER + source + textwrap.indent(textwrap.dedent(extra), "    ") + "\n"


TAGGED = """
def tags(self):
    return {"mytag": 1}
def metrics(self):
    return [{"type": "COUNTER", "key": "mycounter", "value": 1}]
"""

CUSTOM_METRICS = model(
    """
    class Model:
        def predict(self, X, names):
            return SeldonResponse(X, tags={"runtime": "tag", "shared": "right one"},
                                  metrics=[{"type": "COUNTER", "key": "instance_counter", "value": 1}])
        def tags(self):
            return {"static": "tag", "shared": "not this one"}
        def metrics(self):
            return [{"type": "COUNTER", "key": "requests_counter", "value": 1}]
    """
)

ROUTER = model(
    """
    class Model:
        def route(self, X, names):
            return 22
        def tags(self):
            return {"mytag": 1}
        def metrics(self):
            return [{"type": "COUNTER", "key": "mycounter", "value": 1}]
    """
)

COMBINER = model(
    """
    class Model:
        def aggregate(self, Xs, names):
            return Xs[0]
        def tags(self):
            return {"mytag": 1}
        def metrics(self):
            return [{"type": "COUNTER", "key": "mycounter", "value": 1}]
    """
)

EMPTY = model(
    """
    class Model:
        pass
    """
)

COMPONENT = model(
    """
    class Model(SeldonComponent):
        pass
    """
)


class Case(NamedTuple):
    name: str
    model: str
    endpoint: int
    body: Optional[str]  # request body text (JSON); None for health/metadata
    env: Dict[str, str] = {}
    expect: Optional[str] = None  # literal expected "status body" (SPEC example), optional
    compare: bool = True  # False: a documented difference from the original


def j(value: Any) -> str:
    return json.dumps(value)


def case(name: str, model_src: str, endpoint: int, request: Any = None, env: Optional[Dict[str, str]] = None,
         expect: Optional[str] = None, raw: Optional[str] = None, compare: bool = True) -> Case:
    body = raw if raw is not None else (None if endpoint in NO_BODY else j(request))
    return Case(name, model_src, endpoint, body, env or {}, expect, compare)


NDARRAY_12 = {"data": {"names": ["a", "b"], "ndarray": [[1.0, 2.0]]}}

FEEDBACK_RAW_PROTO = model(
    """
    class Model:
        def send_feedback_raw(self, fb):
            out = type(fb.request)()
            out.strData = "%s %r %s %r %r" % (type(fb).__name__, fb.reward, list(fb.request.data.names),
                                              list(fb.truth.data.tensor.values), dict(fb.response.meta.routing))
            out.meta.puid = fb.request.meta.puid
            out.meta.tags["reward"].number_value = fb.reward
            metric = out.meta.metrics.add()
            metric.key, metric.type, metric.value = "fb_gauge", 1, fb.reward
            return out
    """
)
FEEDBACK_PROTO_BODY = {
    "request": {"data": {"names": ["a", "b"], "ndarray": [[1, 2]]}, "meta": {"puid": "p1"}},
    "response": {"meta": {"routing": {"r": 1}}},
    "reward": 0.1,
    "truth": {"data": {"tensor": {"shape": [1], "values": [3]}}},
}

CASES: List[Case] = [
    # ---- predict: payload kinds and numpy inference (SPEC §5.5, §9.3, §9.4)
    case("E1", ID, PREDICT, NDARRAY_12, expect='200 {"data":{"names":["t:0","t:1"],"ndarray":[[1.0,2.0]]},"meta":{}}'),
    case("E1-int", ID, PREDICT, {"data": {"names": ["a", "b"], "ndarray": [[1, 2]]}},
         expect='200 {"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},"meta":{}}'),
    case("ndarray-1d", ID, PREDICT, {"data": {"ndarray": [1, 2, 3]}}),
    case("ndarray-3d", ID, PREDICT, {"data": {"ndarray": [[[1, 2], [3, 4]], [[5, 6], [7, 8.5]]]}}),
    case("ndarray-bool", ID, PREDICT, {"data": {"ndarray": [[True, False]]}}),
    case("ndarray-bool-int", ID, PREDICT, {"data": {"ndarray": [[True, 2]]}}),
    case("ndarray-str", ID, PREDICT, {"data": {"ndarray": ["a", "b"]}}),
    case("ndarray-mixed-str", ID, PREDICT, {"data": {"ndarray": [1, "a"]}}),
    case("ndarray-none", ID, PREDICT, {"data": {"ndarray": [[1, None], [2.5, "x"]]}}),
    case("ndarray-nan", ID, PREDICT, raw='{"data":{"ndarray":[NaN, Infinity, -Infinity, 1e-05, 1e16]}}'),
    case("ndarray-unicode", ID, PREDICT, {"data": {"ndarray": ["\u00e9", "\U0001f600"]}}),
    case("ndarray-empty", ID, PREDICT, {"data": {"ndarray": []}}),
    case("ndarray-ragged", ID, PREDICT, {"data": {"ndarray": [[1], [1, 2]]}}),
    case("data-no-kind", ID, PREDICT, {"data": {"names": ["a"]}}),
    case("data-empty", ID, PREDICT, {"data": {}}),
    case("tensor-int", ID, PREDICT, {"data": {"tensor": {"shape": [1, 2], "values": [1, 2]}}}),
    case("tensor-float", ID, PREDICT, {"data": {"tensor": {"shape": [2, 1], "values": [1.5, 2]}}}),
    case("tensor-3d", ID, PREDICT, {"data": {"tensor": {"shape": [2, 2, 2], "values": list(range(8))}}}),
    case("tensor-1d", ID, PREDICT, {"data": {"names": ["x"], "tensor": {"shape": [3], "values": [1, 2, 3]}}}),
    case("tensor-bool", ID, PREDICT, {"data": {"tensor": {"shape": [2], "values": [True, False]}}}),
    case("tensor-reshape-error", ID, PREDICT, {"data": {"tensor": {"shape": [3, 2], "values": [1, 2]}}}),
    case("tensor-missing-values", ID, PREDICT, {"data": {"tensor": {"shape": [1]}}}),
    # The original without TensorFlow answers 500 NameError; ours decodes natively (tests/test_tftensor.py).
    case("tftensor", ID, PREDICT, {"data": {"tftensor": {"dtype": "DT_FLOAT"}}}, compare=False,
         expect='200 {"data":{"names":[],"tftensor":{"dtype":"DT_FLOAT","floatVal":[0.0],"tensorShape":{}}},"meta":{}}'),
    case("strData", ID, PREDICT, {"strData": "my data"}),
    case("binData", ID, PREDICT, {"binData": "MTIz"}),
    case("binData-lenient", ID, PREDICT, {"binData": "M$TIz"}),
    case("binData-bad-padding", ID, PREDICT, {"binData": "MTI"}),
    case("jsonData", ID, PREDICT, {"jsonData": {"b": [1, 2.5, None, True], "a": {"z": "\u00e9", "y": {}}}}),
    case("jsonData-list", ID, PREDICT, {"jsonData": [1, 2]}),
    case("jsonData-scalar", ID, PREDICT, {"jsonData": 3}),
    case("precedence", ID, PREDICT, {"strData": "s", "binData": "MTIz", "jsonData": {"a": 1}}),
    case("not-a-dict", ID, PREDICT, [1, 2]),
    case("no-payload", ID, PREDICT, {"foo": "bar", "flag": True, "none": None}),
    case("customData", ID, PREDICT, {"customData": {}}),
    case("meta-null", ID, PREDICT, {"meta": None, "data": {"ndarray": [1]}}),
    case("meta-not-dict", ID, PREDICT, {"meta": [1], "data": {"ndarray": [1]}}),
    case("E3-tags", ID, PREDICT, {"meta": {"tags": {"foo": "bar"}}, **NDARRAY_12},
         expect='200 {"data":{"names":["t:0","t:1"],"ndarray":[[1.0,2.0]]},"meta":{"tags":{"foo":"bar"}}}'),
    case("E4-metrics", ID, PREDICT, {"meta": {"metrics": [{"key": "mygauge", "type": "GAUGE", "value": 100}]}, **NDARRAY_12},
         expect='200 {"data":{"names":["t:0","t:1"],"ndarray":[[1.0,2.0]]},'
                '"meta":{"metrics":[{"key":"mygauge","type":"GAUGE","value":100}]}}'),
    case("meta-routing-not-copied", ID, PREDICT, {"meta": {"routing": {"a": 1}, "puid": ""}, "data": {"ndarray": [1]}}),
    # ---- predict: return types
    case("ret-0d-ndarray", returning("np.array(3.0)"), PREDICT, {"data": {"ndarray": [1]}},
         expect='200 {"data":{"names":[],"ndarray":3.0},"meta":{}}'),
    case("ret-0d-strdata", returning("np.array(3.0)"), PREDICT, {"strData": "x"},
         expect='200 {"data":{"names":[],"tensor":{"shape":[],"values":[3.0]}},"meta":{}}'),
    case("ret-0d-tensor", returning("np.array(3)"), PREDICT, {"data": {"tensor": {"shape": [1], "values": [1]}}}),
    case("ret-np-scalar", returning("np.float64(3.0)"), PREDICT, {"data": {"ndarray": [1]}}),
    case("ret-int", returning("3"), PREDICT, {"data": {"ndarray": [1]}}),
    case("ret-tuple", returning("(1, 2)"), PREDICT, {"data": {"ndarray": [1]}}),
    case("ret-none", returning("None"), PREDICT, {"data": {"ndarray": [1]}}),
    case("ret-float32", returning("np.array([0.1, 1.5], dtype=np.float32)"), PREDICT, {"data": {"ndarray": [1]}}),
    case("ret-uint8", returning("np.array([[1, 255]], dtype=np.uint8)"), PREDICT, {"strData": "x"}),
    case("ret-int32-tensor", returning("np.array([[1, 2]], dtype=np.int32)"), PREDICT,
         {"data": {"tensor": {"shape": [1], "values": [1]}}}),
    case("ret-complex", returning("np.array([1+2j])"), PREDICT, {"data": {"ndarray": [1]}}),
    case("ret-bool-array", returning("np.array([True, False])"), PREDICT, {"strData": "x"}),
    case("ret-str-array", returning("np.array([['a', 'b']])"), PREDICT, {"data": {"tensor": {"shape": [1], "values": [1]}}}),
    case("ret-object-array", returning("np.array([1, None], dtype=object)"), PREDICT, {"data": {"ndarray": [1]}}),
    case("ret-list-mixed", returning("[[1, 'a'], [2.5, None]]"), PREDICT, {"data": {"ndarray": [1]}}),
    case("ret-list-ints-tensor", returning("[[1, 2], [3, 4]]"), PREDICT, {"data": {"tensor": {"shape": [1], "values": [1]}}}),
    case("ret-list-ints-nodata", returning("[1, 2]"), PREDICT, {"jsonData": {}}),
    case("ret-list-np-float", returning("[np.float64(1.5), np.float32(2.5)]"), PREDICT, {"data": {"ndarray": [1]}}),
    case("ret-list-np-int", returning("[np.int64(1)]"), PREDICT, {"data": {"ndarray": [1]}}),
    case("ret-list-ragged", returning("[[1], [1, 2]]"), PREDICT, {"data": {"ndarray": [1]}}),
    case("ret-list-empty", returning("[]"), PREDICT, {"strData": "x"}),
    case("ret-dict", returning("{'b': 1, 'a': [1.5, None]}"), PREDICT, {"data": {"ndarray": [1]}}),
    case("ret-dict-np", returning("{'a': np.int64(1)}"), PREDICT, {"data": {"ndarray": [1]}}),
    case("ret-dict-ndarray", returning("{'a': np.array([1])}"), PREDICT, {"data": {"ndarray": [1]}}),
    case("ret-bytes", returning("b'\\x00\\xffabc'"), PREDICT, {"data": {"ndarray": [1]}}),
    case("ret-bytearray", returning("bytearray(b'abc')"), PREDICT, {"strData": "x"}),
    case("ret-str", returning("'hello \u00e9'"), PREDICT, {"data": {"ndarray": [1]}}),
    case("ret-np-str", returning("np.str_('x')"), PREDICT, {"data": {"ndarray": [1]}}),
    case("ret-meta", returning("{'meta': meta}"), PREDICT, {"meta": {"puid": "p", "tags": {"a": "b"}}, "data": {"ndarray": [1]}}),
    case("ret-names", returning("{'names': names, 'type': str(type(X).__name__)}"), PREDICT,
         {"data": {"names": ["a", "b"], "ndarray": [[1, 2]]}}),
    case("ret-binData-in", returning("X"), PREDICT, {"binData": base64.b64encode(b"\x00\x01\xfe").decode()}),
    case("ret-datetime", returning("{'d': __import__('datetime').date(2020, 1, 2), 'x': __import__('decimal').Decimal('1.5')}"),
         PREDICT, {"data": {"ndarray": [1]}}),
    case("class-names-method", returning("np.array([[1, 2]])", "def class_names(self):\n    return ['x', 'y']"),
         PREDICT, {"data": {"ndarray": [1]}}),
    case("class-names-1d", returning("np.array([1, 2])", "def class_names(self):\n    return ['x', 'y']"),
         PREDICT, {"data": {"ndarray": [1]}}),
    case("class-names-attr", returning("np.array([[1, 2]])", "class_names = ['p', 'q']"),
         PREDICT, {"data": {"ndarray": [1]}}),
    case("class-names-3d", returning("np.zeros((1, 3, 2))"), PREDICT, {"data": {"ndarray": [1]}}),
    # ---- tags, metrics, puid, requestPath (SPEC §5.5, §6)
    case("E7", UO, PREDICT, {"meta": {"puid": "123"}, "data": {"names": ["a", "b"], "ndarray": [[1, 2]]}},
         expect='200 {"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},"meta":{"metrics":[{"key":"mycounter",'
                '"type":"COUNTER","value":1}],"puid":"123","tags":{"mytag":1}}}'),
    case("E8", UO, PREDICT, {"meta": {"tags": {"foo": "bar"}, "metrics": [{"key": "request_gauge", "type": "GAUGE", "value": 100}]},
                             "data": {"ndarray": [[1, 2]]}},
         expect='200 {"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},"meta":{"metrics":[{"key":"request_gauge",'
                '"type":"GAUGE","value":100},{"key":"mycounter","type":"COUNTER","value":1}],"tags":{"foo":"bar","mytag":1}}}'),
    case("E9-str", UO, PREDICT, {"strData": "my data"}),
    case("E9-bin", UO, PREDICT, {"binData": "MTIz"}),
    case("E9-tensor", returning("np.array([1, 2, 3])"), PREDICT, {"strData": "my data"}),
    case("E15", CUSTOM_METRICS, PREDICT, {"data": {"ndarray": [[1, 2, 3]]}},
         expect='200 {"data":{"names":["t:0","t:1","t:2"],"ndarray":[[1,2,3]]},"meta":{"metrics":[{"key":"requests_counter",'
                '"type":"COUNTER","value":1},{"key":"instance_counter","type":"COUNTER","value":1}],'
                '"tags":{"runtime":"tag","shared":"right one","static":"tag"}}}'),
    case("metric-method-tag", returning("X", "def metrics(self):\n    return [{'type': 'GAUGE', 'key': 'g', 'value': 2, 'tags': {'a': 'b'}}]"),
         PREDICT, {"data": {"ndarray": [1]}}),
    case("metric-timer", returning("SeldonResponse(X, metrics=[{'type': 'TIMER', 'key': 't', 'value': 20.5}])"),
         PREDICT, {"data": {"ndarray": [1]}}),
    case("E10-bad-metric", returning("X", "def metrics(self):\n    return [{'type': 'BAD', 'key': 'mycounter', 'value': 1}]"),
         PREDICT, {"data": {"ndarray": []}},
         expect='500 {"status":{"code":-1,"info":"Bad metric created during request: [{\\"type\\": \\"BAD\\", \\"key\\": '
                '\\"mycounter\\", \\"value\\": 1}]","reason":"MICROSERVICE_BAD_METRIC","status":1}}'),
    case("bad-metric-not-list", returning("X", "def metrics(self):\n    return {'type': 'COUNTER', 'key': 'k', 'value': 1}"),
         PREDICT, {"data": {"ndarray": [1]}}),
    case("bad-metric-str-value", returning("X", "def metrics(self):\n    return [{'type': 'GAUGE', 'key': 'k', 'value': '1'}]"),
         PREDICT, {"data": {"ndarray": [1]}}),
    case("bad-metric-no-key", returning("X", "def metrics(self):\n    return [{'type': 'GAUGE', 'value': 1}]"),
         PREDICT, {"data": {"ndarray": [1]}}),
    case("bad-runtime-metric", returning("SeldonResponse(X, metrics=[{'type': 'COUNTER', 'key': 'k'}])"),
         PREDICT, {"data": {"ndarray": [1]}}),
    case("tags-none", returning("X", "def tags(self):\n    return None"), PREDICT, {"meta": {"tags": {"a": "b"}}, "data": {"ndarray": [1]}}),
    case("tags-not-impl", returning("X", "def tags(self):\n    raise SeldonNotImplementedError('x')"), PREDICT, {"data": {"ndarray": [1]}}),
    case("request-tags-null", returning("X", "def tags(self):\n    return {'a': 1}"), PREDICT,
         {"meta": {"tags": None}, "data": {"ndarray": [1]}}),
    case("E18", ID, PREDICT, {"meta": {"puid": "p1", "requestPath": {"earlier": "img:1"}}, "data": {"ndarray": [[1, 2]]}},
         env={"PREDICTIVE_UNIT_ID": "my-model", "PREDICTIVE_UNIT_IMAGE": "myrepo/my-image:0.3"},
         expect='200 {"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},"meta":{"puid":"p1","requestPath":'
                '{"earlier":"img:1","my-model":"myrepo/my-image:0.3"}}}'),
    case("requestPath-collision", ID, PREDICT, {"meta": {"requestPath": {"my-model": "other"}}, "data": {"ndarray": [1]}},
         env={"PREDICTIVE_UNIT_ID": "my-model", "PREDICTIVE_UNIT_IMAGE": "myrepo/my-image:0.3"}),
    case("requestPath-no-image", ID, PREDICT, {"data": {"ndarray": [1]}}, env={"PREDICTIVE_UNIT_ID": "m"}),
    case("no-metrics-in-response", UO, PREDICT, {"meta": {"metrics": [{"key": "g", "type": "GAUGE", "value": 1}]}, "data": {"ndarray": [1]}},
         env={"INCLUDE_METRICS_IN_CLIENT_RESPONSE": "false"}),
    case("no-metrics-in-response-1", CUSTOM_METRICS, PREDICT, {"data": {"ndarray": [1]}},
         env={"INCLUDE_METRICS_IN_CLIENT_RESPONSE": "1"}),
    # ---- predict: exceptions (SPEC §3.7, §5.9)
    case("E10-seldon-exception", returning("X", "def predict(self, X, names):\n    raise SeldonMicroserviceException('foo', status_code=403)"),
         PREDICT, {"data": {"ndarray": [1]}},
         expect='403 {"status":{"code":-1,"info":"foo","reason":"MICROSERVICE_BAD_DATA","status":1}}'),
    case("seldon-exception-reason", returning("X", "def predict(self, X, names):\n    raise SeldonMicroserviceException('m', reason='R')"),
         PREDICT, {"data": {"ndarray": [1]}}),
    case("value-error", returning("X", "def predict(self, X, names):\n    raise ValueError('boom')"), PREDICT, {"data": {"ndarray": [1]}}),
    case("key-error", returning("X", "def predict(self, X, names):\n    return {}['k']"), PREDICT, {"data": {"ndarray": [1]}}),
    case("not-implemented-predict", COMPONENT, PREDICT, {"data": {"ndarray": [1]}}),
    case("missing-predict", EMPTY, PREDICT, {"strData": "x"}),
    case("user-not-implemented", returning("X", "def predict(self, X, names):\n    raise SeldonNotImplementedError('no')"),
         PREDICT, {"data": {"ndarray": [1]}}),
    # ---- meta keyword (SPEC decision 9 where it agrees with the original)
    case("meta-kw", model("class Model:\n    def predict(self, X, names, meta):\n        return {'m': meta}\n"), PREDICT,
         {"meta": {"tags": {"t": 1}}, "data": {"ndarray": [1]}}),
    case("meta-kwargs", model("class Model:\n    def predict(self, X, names, **kwargs):\n        return {'k': sorted(kwargs)}\n"),
         PREDICT, {"data": {"ndarray": [1]}}),
    case("meta-absent", model("class Model:\n    def predict(self, X, names, meta=None):\n        return {'m': meta}\n"),
         PREDICT, {"data": {"ndarray": [1]}}),
    case("no-meta-param", model("class Model:\n    def predict(self, X, names):\n        return {'ok': 1}\n"),
         PREDICT, {"meta": {"puid": "x"}, "data": {"ndarray": [1]}}),
    case("meta-typeerror-retry",
         model("class Model:\n    def predict(self, X, names, meta=None):\n        if meta is not None:\n            raise TypeError('boom')\n        return X\n"),
         PREDICT, {"meta": {}, "data": {"ndarray": [1]}}, compare=False,
         expect='500 {"status":{"code":-1,"info":"boom","reason":"MICROSERVICE_INTERNAL_ERROR","status":1}}'),
    # ---- raw and deprecated methods
    case("E17", model("class Model:\n    def predict_raw(self, msg):\n        return {'data': {'ndarray': [1]}, 'status': {'code': 400, 'status': 'FAILURE'}}\n"),
         PREDICT, {"data": {"ndarray": [1]}},
         expect='400 {"data":{"ndarray":[1]},"status":{"code":400,"status":"FAILURE"}}'),
    case("raw-echo", model("class Model:\n    def predict_raw(self, msg):\n        return msg\n"), PREDICT,
         {"data": {"ndarray": [[1, 2]]}, "meta": {"metrics": [{"key": "c", "value": 1, "tags": {"x": "y"}}]}}),
    case("raw-echo-no-metrics", model("class Model:\n    def predict_raw(self, msg):\n        return msg\n"), PREDICT,
         {"data": {"ndarray": [1]}, "meta": {"metrics": [{"key": "c", "value": 1}]}}, env={"INCLUDE_METRICS_IN_CLIENT_RESPONSE": "false"}),
    case("raw-metric-no-key", model("class Model:\n    def predict_raw(self, msg):\n        return msg\n"), PREDICT,
         {"data": {"ndarray": [1]}, "meta": {"metrics": [{"value": 1}]}}),
    case("raw-metric-unknown-type", model("class Model:\n    def predict_raw(self, msg):\n        return msg\n"), PREDICT,
         {"data": {"ndarray": [1]}, "meta": {"metrics": [{"key": "k", "type": "X", "value": 1}]}}),
    case("raw-list", model("class Model:\n    def predict_raw(self, msg):\n        return [1, msg]\n"), PREDICT, {"strData": "x"}),
    case("raw-not-implemented", model("class Model(SeldonComponent):\n    def predict(self, X, names):\n        return X * 2\n"),
         PREDICT, {"data": {"ndarray": [1]}}),
    case("raw-falls-through", model(
        "class Model:\n    def predict_raw(self, msg):\n        raise SeldonNotImplementedError('x')\n    def predict(self, X, names):\n        return X\n"),
        PREDICT, {"data": {"tensor": {"shape": [1], "values": [5]}}}),
    case("raw-status-string", model("class Model:\n    def predict_raw(self, msg):\n        return {'status': {'code': '401'}}\n"),
         PREDICT, {"strData": "x"}),
    case("raw-status-bad", model("class Model:\n    def predict_raw(self, msg):\n        return {'status': 'code'}\n"),
         PREDICT, {"strData": "x"}),
    case("raw-status-float", model("class Model:\n    def predict_raw(self, msg):\n        return {'status': {'code': 400.0}}\n"),
         PREDICT, {"strData": "x"}),
    case("raw-bytes", model("class Model:\n    def predict_raw(self, msg):\n        return b'x'\n"), PREDICT, {"strData": "x"}),
    case("predict-rest", model("class Model:\n    def predict_rest(self, msg):\n        return {'got': msg, 'status': {'code': 201}}\n"),
         PREDICT, {"anything": [1]}),
    # ---- passthrough (SPEC §9.1)
    case("passthrough-bytes", model("class Model:\n    def predict_raw(self, msg):\n        return msg\n"), PREDICT,
         {"data": {"ndarray": [1]}}, env={"PAYLOAD_PASSTHROUGH": "true"}),
    case("passthrough-str", model("class Model:\n    def predict_raw(self, msg):\n        return 'echo: ' + str(type(msg).__name__)\n"),
         PREDICT, {"data": {"ndarray": [1]}}, env={"PAYLOAD_PASSTHROUGH": "true"}),
    case("passthrough-status", model("class Model:\n    def predict_raw(self, msg):\n        return {'status': {'code': 418}}\n"),
         PREDICT, {"x": 1}, env={"PAYLOAD_PASSTHROUGH": "true"}, compare=False,
         expect='418 {"status":{"code":418}}'),
    case("passthrough-high-level", ID, PREDICT, {"data": {"ndarray": [1]}}, env={"PAYLOAD_PASSTHROUGH": "true"}),
    # ---- transform input / output
    case("transform-input-identity", EMPTY, TRANSFORM_INPUT, {"meta": {"tags": {"a": "b"}}, "data": {"ndarray": [[1, 2]]}}),
    case("transform-input-component", COMPONENT, TRANSFORM_INPUT, {"data": {"tensor": {"shape": [2], "values": [1, 2]}}}),
    case("transform-input-str", EMPTY, TRANSFORM_INPUT, {"strData": "abc"}),
    case("transform-input", model("class Model:\n    def transform_input(self, X, names, meta=None):\n        return X + 1\n" + textwrap.indent(TAGGED, "    ")),
         TRANSFORM_INPUT, {"data": {"names": ["a"], "ndarray": [[1.5]]}}),
    case("transform-output", model("class Model:\n    def transform_output(self, X, names):\n        return SeldonResponse(X * 2, tags={'t': 'o'})\n"),
         TRANSFORM_OUTPUT, {"data": {"tensor": {"shape": [1, 2], "values": [1, 2]}}}),
    case("transform-output-raw", model("class Model:\n    def transform_output_raw(self, msg):\n        return {'x': msg}\n"),
         TRANSFORM_OUTPUT, {"jsonData": {"a": 1}}),
    case("transform-input-rest", model("class Model:\n    def transform_input_rest(self, msg):\n        return [msg]\n"),
         TRANSFORM_INPUT, {"jsonData": {"a": 1}}),
    case("transform-input-grpc", model("class Model:\n    def transform_input_grpc(self, msg):\n        return {'grpc': msg}\n"),
         TRANSFORM_INPUT, {"jsonData": {"a": 1}}),
    case("transform-invalid", EMPTY, TRANSFORM_OUTPUT, {"foo": 1}),
    # ---- route (SPEC §5.4, E11)
    case("E11", ROUTER, ROUTE, {"data": {"ndarray": [2]}},
         expect='200 {"data":{"names":["t:0"],"ndarray":[[22]]},"meta":{"metrics":[{"key":"mycounter","type":"COUNTER",'
                '"value":1}],"tags":{"mytag":1}}}'),
    case("E11-tensor", ROUTER, ROUTE, {"data": {"tensor": {"shape": [1], "values": [2]}}}),
    case("route-no-request-meta", ROUTER, ROUTE, {"meta": {"puid": "p", "tags": {"x": "y"}, "metrics": [{"key": "k", "type": "GAUGE", "value": 1}],
                                                         "requestPath": {"a": "b"}}, "strData": "s"},
         env={"PREDICTIVE_UNIT_ID": "r", "PREDICTIVE_UNIT_IMAGE": "img:1"}),
    case("E11-undefined", EMPTY, ROUTE, {"data": {"ndarray": [2]}},
         expect='400 {"status":{"code":-1,"info":"Route not defined","reason":"MICROSERVICE_BAD_DATA","status":1}}'),
    case("route-not-implemented", COMPONENT, ROUTE, {"data": {"ndarray": [2]}}),
    case("route-np-int", model("class Model:\n    def route(self, X, names):\n        return np.int64(1)\n"), ROUTE, {"data": {"ndarray": [2]}}),
    case("route-bool", model("class Model:\n    def route(self, X, names):\n        return True\n"), ROUTE, {"data": {"ndarray": [2]}}),
    case("route-negative", model("class Model:\n    def route(self, X, names, meta=None):\n        return SeldonResponse(-1, tags={'r': 1})\n"),
         ROUTE, {"data": {"ndarray": [2]}}),
    case("route-raw", model("class Model:\n    def route_raw(self, msg):\n        return {'data': {'ndarray': [[0]]}}\n"), ROUTE, {"strData": "x"}),
    # ---- aggregate (SPEC §5.6, E12)
    case("E12", COMBINER, AGGREGATE, {"seldonMessages": [{"meta": {"tags": {"input-1": "yes", "common": 1}}, "data": {"ndarray": [0]}},
                                                        {"meta": {"tags": {"input-2": "yes", "common": 2}}, "data": {"ndarray": [1]}}]},
         expect='200 {"data":{"names":[],"ndarray":[0]},"meta":{"metrics":[{"key":"mycounter","type":"COUNTER","value":1}],'
                '"tags":{"common":2,"input-1":"yes","input-2":"yes","mytag":1}}}'),
    case("E12-list", COMBINER, AGGREGATE, [{"data": {"ndarray": [1]}}]),
    case("E12-wrong", COMBINER, AGGREGATE, {"wrong": [{"data": {"ndarray": [1]}}]}),
    case("E12-not-list", COMBINER, AGGREGATE, {"seldonMessages": {"data": {"ndarray": [1]}}}),
    case("aggregate-empty", COMBINER, AGGREGATE, {"seldonMessages": []}),
    case("aggregate-invalid-msg", COMBINER, AGGREGATE, [{"data": {"ndarray": [1]}}, {"x": 1}]),
    case("aggregate-undefined", EMPTY, AGGREGATE, [{"data": {"ndarray": [1]}}]),
    case("aggregate-not-implemented", COMPONENT, AGGREGATE, [{"data": {"ndarray": [1]}}]),
    case("aggregate-merge", model("class Model:\n    def aggregate(self, Xs, names):\n        return SeldonResponse([str(type(x).__name__) for x in Xs] + [n for n in names], tags={'r': 't'})\n"),
         AGGREGATE, [{"meta": {"puid": "first", "metrics": [{"key": "a", "type": "GAUGE", "value": 1}], "requestPath": {"x": "1"}},
                      "data": {"names": ["n1"], "tensor": {"shape": [1], "values": [1]}}},
                     {"meta": {"metrics": [{"key": "b", "type": "GAUGE", "value": 2}], "requestPath": {"x": "2", "y": "3"}}, "strData": "s"},
                     {"jsonData": {"j": 1}}, {"binData": "MTIz"}],
         env={"PREDICTIVE_UNIT_ID": "agg", "PREDICTIVE_UNIT_IMAGE": "img:2"}),
    case("aggregate-tensor-kind", model("class Model:\n    def aggregate(self, Xs, names):\n        return Xs[1]\n"),
         AGGREGATE, [{"data": {"tensor": {"shape": [1], "values": [1]}}}, {"data": {"ndarray": [[2, 3]]}}]),
    case("aggregate-raw", model("class Model:\n    def aggregate_raw(self, msgs):\n        return {'n': len(msgs)}\n"),
         AGGREGATE, [{"data": {"ndarray": [1]}}]),
    # ---- health (SPEC §5.8, E13)
    case("E13-uo", UO, HEALTH_STATUS,
         expect='200 {"data":{"names":[],"tensor":{"shape":[1],"values":[0.123]}},"meta":{"metrics":[{"key":"mycounter",'
                '"type":"COUNTER","value":1}],"tags":{"mytag":1}}}'),
    case("E13-missing", EMPTY, HEALTH_STATUS, expect='200 {"meta":{},"strData":"healthy"}'),
    case("E13-raw", model("class Model:\n    def health_status_raw(self):\n        return {'data': {'ndarray': [123.456, 7.89]}}\n"),
         HEALTH_STATUS, expect='200 {"data":{"ndarray":[123.456,7.89]}}'),
    case("health-component", COMPONENT, HEALTH_STATUS),
    case("health-list-str", model("class Model:\n    def health_status(self):\n        return [['a']]\n"), HEALTH_STATUS),
    case("health-seldon-response", model("class Model:\n    def health_status(self):\n        return SeldonResponse('ok')\n"), HEALTH_STATUS),
    case("health-raises", model("class Model:\n    def health_status(self):\n        raise RuntimeError('unhealthy')\n"), HEALTH_STATUS),
    case("health-requestPath", EMPTY, HEALTH_STATUS, env={"PREDICTIVE_UNIT_ID": "h", "PREDICTIVE_UNIT_IMAGE": "img:3"}),
    # ---- metadata (SPEC §7, E14)
    case("E14", UO, METADATA,
         expect='200 {"custom":{},"inputs":[{"datatype":"BYTES","name":"input","shape":[1]}],"name":"my-model-name",'
                '"outputs":[{"datatype":"BYTES","name":"output","shape":[1]}],"platform":"model-platform","versions":["model-version"]}'),
    case("metadata-default", EMPTY, METADATA, expect='200 {"custom":{},"inputs":[],"name":"","outputs":[],"platform":"","versions":[""]}'),
    case("metadata-image", EMPTY, METADATA, env={"PREDICTIVE_UNIT_IMAGE": "myrepo:5000/my-image:0.3"}),
    case("metadata-image-no-tag", EMPTY, METADATA, env={"PREDICTIVE_UNIT_IMAGE": "image"}),
    case("metadata-invalid-versions", model("class Model:\n    def init_metadata(self):\n        return {'versions': 'string-not-array-of-strings'}\n"),
         METADATA, expect='500 {"status":{"code":-1,"info":"Model metadata unavailable","reason":"MICROSERVICE_BAD_METADATA","status":1}}'),
    case("metadata-env-yaml", UO, METADATA, env={"MODEL_METADATA": "name: env-name\nplatform: p\ncustom:\n  a: b\n"}),
    case("metadata-env-json", EMPTY, METADATA, env={"MODEL_METADATA": '{"inputs": [{"messagetype": "tensor", "schema": {"names": ["a"], "shape": [1, 2.0]}}]}'}),
    case("metadata-env-bad-yaml", EMPTY, METADATA, env={"MODEL_METADATA": "a: [1"}),
    case("metadata-not-dict", model("class Model:\n    def init_metadata(self):\n        return [1]\n"), METADATA),
    case("metadata-component", COMPONENT, METADATA),
]

# Metadata validation matrix (SPEC §7.2): (name, user metadata) -> compared with the original.
METADATA_SAMPLES = {
    "versions-int": {"versions": [1]},
    "extra-key": {"other": 1},
    "custom-non-str": {"custom": {"a": 1}},
    "bad-datatype": {"inputs": [{"name": "tensor-name", "datatype": "data-type", "shape": [1, 2]}]},
    "inputs-str": {"inputs": "x"},
    "inputs-list-str": {"inputs": ["x"]},
    "json-extra": {"inputs": [{"messagetype": "jsonData", "invalid": "field"}]},
    "json-schema": {"outputs": [{"messagetype": "jsonData", "schema": {"anything": [1]}}]},
    "str-schema": {"outputs": [{"messagetype": "strData", "schema": {}}]},
    "bin": {"outputs": [{"messagetype": "binData"}]},
    "tensor-extra-schema": {"outputs": [{"messagetype": "tensor", "schema": {"names": ["a"], "x": 1}}]},
    "ndarray-shape-float": {"outputs": [{"messagetype": "ndarray", "schema": {"shape": [1.5]}}]},
    "ndarray-shape-bool": {"outputs": [{"messagetype": "ndarray", "schema": {"shape": [True]}}]},
    "custom-type": {"outputs": [{"messagetype": "mytype", "schema": {"a": 1}}]},
    "custom-type-extra": {"outputs": [{"messagetype": "mytype", "x": 1}]},
    "v2-empty": {"outputs": [{}]},
    "v2-full": {"outputs": [{"name": "n", "datatype": "FP32", "shape": [-1, 3]}]},
    "v2-shape-str": {"outputs": [{"name": "n", "shape": ["1"]}]},
    "item-not-object": {"outputs": [1]},
    "name-none": {"name": None},
    "platform-int": {"platform": 1},
    "messagetype-int": {"outputs": [{"messagetype": 1}]},
}
for _name, _meta in METADATA_SAMPLES.items():
    CASES.append(case("metadata-" + _name, model(f"class Model:\n    def init_metadata(self):\n        return {_meta!r}\n"), METADATA))

FEEDBACK_ID = ID
FEEDBACK_UO = model(
    """
    class Model:
        def send_feedback(self, features, names, reward, truth, routing=None):
            return SeldonResponse(np.array([[1, 2]]), tags={"rt": 2},
                                  metrics=[{"type": "GAUGE", "key": "g", "value": 0.1, "tags": {"a": "b"}}])
        def tags(self):
            return {"mytag": 1, "s": "x", "l": [1, "a", None], "d": {"k": True}}
        def metrics(self):
            return [{"type": "COUNTER", "key": "mycounter", "value": 1}, {"type": "TIMER", "key": "t", "value": 3}]
    """
)
FEEDBACK_ECHO = model(
    """
    class Model:
        def send_feedback(self, features, names, reward, truth, routing=None):
            return {"f": features.tolist(), "fdtype": str(features.dtype), "names": list(names), "reward": reward,
                    "truth": truth.tolist(), "routing": routing}
    """
)
E2_BODY = {"request": {"data": {"names": ["a", "b"], "ndarray": [[1.0, 2.0]]}},
           "response": {"meta": {"routing": {"router": 0}}, "data": {"names": ["a", "b"], "ndarray": [[1.0, 2.0]]}}, "reward": 1}
CASES += [
    case("E2", FEEDBACK_ID, SEND_FEEDBACK, E2_BODY, expect='200 {"data":{"ndarray":[]},"meta":{}}'),
    case("feedback-no-data", FEEDBACK_ID, SEND_FEEDBACK, {"reward": 1}, expect='200 {"data":{"tensor":{"shape":[0]}},"meta":{}}'),
    case("feedback-unknown-field", FEEDBACK_ID, SEND_FEEDBACK, {"reward": 1, "foo": 2}),
    case("feedback-nested-unknown", FEEDBACK_ID, SEND_FEEDBACK, {"request": {"data": {"ndarray": [1], "x": 1}}}),
    case("feedback-bad-reward", FEEDBACK_ID, SEND_FEEDBACK, {"reward": "abc"}),
    case("feedback-reward-list", FEEDBACK_ID, SEND_FEEDBACK, {"reward": [1]}),
    case("feedback-two-oneofs", FEEDBACK_ID, SEND_FEEDBACK, {"request": {"strData": "a", "binData": "MTIz"}}),
    case("feedback-names-not-list", FEEDBACK_ID, SEND_FEEDBACK, {"request": {"data": {"names": "a"}}}),
    case("feedback-null-item", FEEDBACK_ID, SEND_FEEDBACK, {"request": {"data": {"names": [None]}}}),
    case("feedback-bad-routing", FEEDBACK_ID, SEND_FEEDBACK, {"response": {"meta": {"routing": {"a": 1.5}}}}),
    case("feedback-routing-str", FEEDBACK_ID, SEND_FEEDBACK, {"response": {"meta": {"routing": {"a": "x"}}}}),
    case("feedback-bad-enum", FEEDBACK_ID, SEND_FEEDBACK, {"response": {"status": {"status": "BAD"}}}),
    case("feedback-bad-metric", FEEDBACK_ID, SEND_FEEDBACK, {"response": {"meta": {"metrics": [{"key": 1}]}}}),
    case("feedback-not-dict", FEEDBACK_ID, SEND_FEEDBACK, "abc"),
    case("feedback-list", FEEDBACK_ID, SEND_FEEDBACK, [1]),
    case("feedback-nan-reward", FEEDBACK_ID, SEND_FEEDBACK, raw='{"reward": NaN}'),
    case("feedback-uo", FEEDBACK_UO, SEND_FEEDBACK, {"request": {"meta": {"puid": "p", "tags": {"x": 1}}, "data": {"ndarray": [[1, 2]]}}, "reward": 0.1},
         env={"PREDICTIVE_UNIT_ID": "fb", "PREDICTIVE_UNIT_IMAGE": "img:4"}),
    case("feedback-uo-tensor", FEEDBACK_UO, SEND_FEEDBACK, {"request": {"data": {"tensor": {"shape": [1, 2], "values": [1, 2]}}}}),
    case("feedback-uo-strdata", FEEDBACK_UO, SEND_FEEDBACK, {"request": {"strData": "s"}}),
    case("feedback-uo-nokind", FEEDBACK_UO, SEND_FEEDBACK, {"request": {"data": {"names": ["a"]}}}),
    case("feedback-echo", FEEDBACK_ECHO, SEND_FEEDBACK,
         {"request": {"data": {"names": ["a", "b"], "ndarray": [[1, 2], [3, 4.5]]}}, "truth": {"data": {"tensor": {"shape": [2], "values": [1, 0]}}},
          "response": {"meta": {"routing": {"0": 3, "other": 1}}}, "reward": 0.1}),
    case("feedback-echo-routing", FEEDBACK_ECHO, SEND_FEEDBACK,
         {"request": {"data": {"ndarray": ["a", True, None]}}, "response": {"meta": {"routing": {"me": 2}}}}, env={"PREDICTIVE_UNIT_ID": "me"}),
    case("feedback-echo-empty-tensor", FEEDBACK_ECHO, SEND_FEEDBACK, {"request": {"data": {"tensor": {}}}}),
    case("feedback-requestpath-no-image", FEEDBACK_ID, SEND_FEEDBACK, {"reward": 1}, env={"PREDICTIVE_UNIT_ID": "me"}),
    case("feedback-returns-values", model(
        "class Model:\n    def send_feedback(self, f, n, r, t, routing=None):\n        return [[1, 'a', None, True]]\n"), SEND_FEEDBACK, {"request": {"data": {"ndarray": [1]}}}),
    case("feedback-returns-str", model(
        "class Model:\n    def send_feedback(self, f, n, r, t, routing=None):\n        return 'ok'\n"), SEND_FEEDBACK, {}),
    case("feedback-returns-bytes", model(
        "class Model:\n    def send_feedback(self, f, n, r, t, routing=None):\n        return b'ok'\n"), SEND_FEEDBACK, {}),
    case("feedback-returns-dict", model(
        "class Model:\n    def send_feedback(self, f, n, r, t, routing=None):\n        return {'a': [1, {'b': None}]}\n"), SEND_FEEDBACK, {}),
    case("feedback-returns-int", model(
        "class Model:\n    def send_feedback(self, f, n, r, t, routing=None):\n        return 5\n"), SEND_FEEDBACK, {}),
    case("feedback-returns-0d", model(
        "class Model:\n    def send_feedback(self, f, n, r, t, routing=None):\n        return np.array(1.5)\n"), SEND_FEEDBACK, {"request": {"data": {"ndarray": [1]}}}),
    case("feedback-returns-float32", model(
        "class Model:\n    def send_feedback(self, f, n, r, t, routing=None):\n        return np.array([0.1], dtype=np.float32)\n"), SEND_FEEDBACK, {"request": {"strData": "x"}}),
    case("feedback-bad-user-metric", model(
        "class Model:\n    def send_feedback(self, f, n, r, t, routing=None):\n        return SeldonResponse([], metrics=[{'type': 'GAUGE', 'key': 'k', 'value': 1, 'extra': 1}])\n"),
        SEND_FEEDBACK, {}),
    case("feedback-bad-tag", model(
        "class Model:\n    def send_feedback(self, f, n, r, t, routing=None):\n        return SeldonResponse([], tags={'a': np.int64(1)})\n"), SEND_FEEDBACK, {}),
    case("feedback-no-routing-param", model(
        "class Model:\n    def send_feedback(self, f, n, r, t):\n        return []\n"), SEND_FEEDBACK, {}),
    case("feedback-missing", EMPTY, SEND_FEEDBACK, {"request": {"data": {"ndarray": [[1]]}}}),
    case("feedback-component", COMPONENT, SEND_FEEDBACK, {"request": {"data": {"tensor": {"shape": [1], "values": [1]}}}}),
    case("feedback-class-names", model(
        "class Model:\n    def send_feedback(self, f, n, r, t, routing=None):\n        return np.zeros((1, 2))\n    def class_names(self):\n        return ['x', 'y']\n"),
        SEND_FEEDBACK, {"request": {"data": {"tensor": {"shape": [1], "values": [1]}}}}),
    case("feedback-rest", model(
        "class Model:\n    def send_feedback_rest(self, text):\n        import json\n        return {'strData': text, 'meta': {'tags': {'n': 1}}, 'status': {'status': 'FAILURE'}}\n"),
        SEND_FEEDBACK, {"request": {"data": {"ndarray": [1]}, "meta": {"metrics": [{"key": "k", "type": "COUNTER", "value": 2.5}]}}, "reward": 2}),
    case("feedback-rest-str", model("class Model:\n    def send_feedback_rest(self, text):\n        return '{}'\n"), SEND_FEEDBACK, {}),
    case("feedback-nan-ndarray", FEEDBACK_ECHO, SEND_FEEDBACK, raw='{"request": {"data": {"ndarray": [NaN, 1.5]}}, "truth": {"data": {"tensor": {"shape": [1], "values": [Infinity]}}}}'),
    case("feedback-nan-ndarray-2", FEEDBACK_ECHO, SEND_FEEDBACK, raw='{"request": {"data": {"ndarray": [NaN, 1.5]}}, "truth": {"data": {"tensor": {"shape": [2], "values": ["NaN", "-Infinity"]}}}}'),
    case("feedback-returns-nan", model(
        "class Model:\n    def send_feedback(self, f, n, r, t, routing=None):\n        return np.array([np.nan, np.inf, 1e16])\n"), SEND_FEEDBACK, {"request": {"data": {"ndarray": [1]}}}),
    case("feedback-rest-none", model("class Model:\n    def send_feedback_rest(self, text):\n        return None\n"), SEND_FEEDBACK, {}),
    # send_feedback_raw / send_feedback_grpc get a real Feedback proto (float32 reward, proto accessors).
    case("feedback-raw-proto", FEEDBACK_RAW_PROTO, SEND_FEEDBACK, FEEDBACK_PROTO_BODY),
    case("feedback-raw-proto-no-metrics", FEEDBACK_RAW_PROTO, SEND_FEEDBACK, FEEDBACK_PROTO_BODY,
         env={"INCLUDE_METRICS_IN_CLIENT_RESPONSE": "false"}),
    case("feedback-raw-proto-empty", FEEDBACK_RAW_PROTO, SEND_FEEDBACK, {}),
    case("feedback-raw-any", model("""
        class Model:
            def send_feedback_raw(self, fb):
                out = type(fb.request)()
                out.customData.Pack(fb.request)
                return out
        """), SEND_FEEDBACK, {"request": {"strData": "x", "meta": {"tags": {"a": 1}}}}),
    case("feedback-grpc-proto", model("""
        class Model:
            def send_feedback_grpc(self, fb):
                return {"strData": "%s %r %r %s" % (type(fb).__name__, fb.reward, fb.HasField("truth"),
                                                     fb.request.WhichOneof("data_oneof")),
                        "meta": {"tags": {"reward": fb.reward}}}
        """), SEND_FEEDBACK, {"request": {"binData": "MTIz"}, "reward": 0.3}),
]


# ---------------------------------------------------------------------------------------------
# running our runtime


def make_parts(request: Any) -> Any:
    """What the C side would hand over instead of the dict (None: it would send the dict)."""
    if not isinstance(request, dict):
        return None
    meta = request.get("meta")
    if "meta" in request and not isinstance(meta, dict):
        return None
    if "data" in request:
        datadef = request["data"]
        if not isinstance(datadef, dict) or "tftensor" in datadef:
            return None
        names = datadef.get("names", [])
        if not isinstance(names, list):
            return None
        if "tensor" in datadef:
            tensor = datadef["tensor"]
            if not isinstance(tensor, dict) or "values" not in tensor or "shape" not in tensor:
                return None
            values = tensor["values"]
            array = np.array(values) if isinstance(values, list) else None
            if array is not None and array.ndim == 1 and array.dtype.kind in "iuf":
                values = array
            return ("data", (values, tensor["shape"]), names, meta, "tensor")
        if "ndarray" in datadef:
            value = datadef["ndarray"]
            try:
                array = np.array(value)
            except ValueError:
                return ("data", value, names, meta, "ndarray")
            if array.dtype.kind in "biuf":
                return ("data", array, names, meta, "ndarray")
            return ("data", value, names, meta, "ndarray")
        return ("data", None, names, meta, None)
    for key in ("jsonData", "strData"):
        if key in request:
            return (key, request[key], [], meta, None)
    if "binData" in request:
        try:
            return ("binData", base64.b64decode(request["binData"]), [], meta, None)
        except Exception:
            return None
    return None


def encode(rt: Runtime, status: int, body: Any, mode: int) -> str:
    if mode == 1:
        return f"{status} {body.decode('utf-8')}"
    try:
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=rt.json_default)
    except Exception as exc:  # the C encoder asks the runtime for the error answer
        status, body = rt.error(exc)
        text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return f"{status} {text}\n"


def build(c: Case) -> Runtime:
    namespace: Dict[str, Any] = {"__name__": "model_under_test"}
    exec(compile(c.model, "<model>", "exec"), namespace)
    return Runtime(namespace["Model"](), environ=dict(c.env))


def run_ours(c: Case, use_parts: bool) -> Optional[str]:
    rt = build(c)
    rt.load()
    if c.body is None:
        return encode(rt, *rt.handle(c.endpoint, None, None))
    if rt.passthrough and c.endpoint == PREDICT:
        return encode(rt, *rt.handle(c.endpoint, c.body.encode("utf-8"), None))
    request = json.loads(c.body)
    if not use_parts:
        return encode(rt, *rt.handle(c.endpoint, request, None))
    parts = make_parts(request)
    if parts is None or rt.wants_dict(c.endpoint):
        return None
    return encode(rt, *rt.handle(c.endpoint, None, parts))


# ---------------------------------------------------------------------------------------------
# running the original


def _clean_env() -> Dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    return {k: v for k, v in os.environ.items() if k in keep}


@pytest.fixture(scope="session")
def original() -> Dict[str, str]:
    if not os.path.exists(ORIG_PYTHON):
        pytest.skip("the original seldon-core is not installed")
    groups: Dict[Any, List[Case]] = {}
    for c in CASES:
        if c.compare:
            groups.setdefault(tuple(sorted(c.env.items())), []).append(c)
    results: Dict[str, str] = {}
    for env_items, cases in groups.items():
        spec = {"env": dict(env_items), "cases": [
            {"model": c.model, "path": PATHS[c.endpoint], "method": "GET" if c.body is None else "POST", "body": c.body}
            for c in cases]}
        done = subprocess.run([ORIG_PYTHON, RUNNER], input=json.dumps(spec), capture_output=True, text=True,
                              env=_clean_env(), timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        for c, result in zip(cases, json.loads(done.stdout)):
            results[c.name] = result.get("error") or f"{result['status']} {result['body']}"
    version = subprocess.run([ORIG_PYTHON, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True)
    results["__same_python__"] = version.stdout.strip() == str(sys.version_info[:2])
    return results


def _normalise(text: Optional[str], exact: bool = True) -> Optional[str]:
    """Object reprs differ only by address and by our package name."""
    if text is None:
        return None
    text = re.sub(r" at 0x[0-9a-f]+>", " at 0x?>", text.replace("seldon_core_c.", "seldon_core."))
    return text if exact else re.sub(r'"info":"(\\.|[^"\\])*"', '"info":"?"', text)


def _has_yaml() -> bool:
    try:
        import yaml  # noqa: F401  # pyflakes: ignore
    except ImportError:
        return False
    return True


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_matches_original(c: Case, original: Dict[str, str]) -> None:
    if not c.compare:
        pytest.skip("documented difference")
    if "MODEL_METADATA" in c.env and not _has_yaml():
        pytest.skip("PyYAML is not installed")
    # Python's own error texts change between versions: then compare all but the error info.
    exact = bool(original["__same_python__"])
    expected = _normalise(original[c.name], exact)
    assert _normalise(run_ours(c, use_parts=False), exact) == expected
    with_parts = run_ours(c, use_parts=True)
    if with_parts is not None:
        assert _normalise(with_parts, exact) == expected


@pytest.mark.parametrize("c", [c for c in CASES if c.expect], ids=[c.name for c in CASES if c.expect])
def test_spec_examples(c: Case) -> None:
    assert run_ours(c, use_parts=False) == c.expect + "\n"
    with_parts = run_ours(c, use_parts=True)
    if with_parts is not None:
        assert with_parts == c.expect + "\n"


# ---------------------------------------------------------------------------------------------
# start-up: parameters, import, logging (SPEC §1.2, §1.5, §1.6)


@pytest.mark.parametrize(
    "params, expected",
    [
        ([], {}),
        ([{"name": "a", "value": " 1_0 ", "type": "INT"}], {"a": 10}),
        ([{"name": "f", "value": "nan", "type": "FLOAT"}, {"name": "d", "value": "1e3", "type": "DOUBLE"}], {"f": float("nan"), "d": 1000.0}),
        ([{"name": "s", "value": "x", "type": "STRING"}], {"s": "x"}),
        ([{"name": "b", "value": "Yes", "type": "BOOL"}, {"name": "c", "value": "off", "type": "BOOL"}], {"b": True, "c": False}),
    ],
)
def test_parse_parameters(params: List[Dict[str, str]], expected: Dict[str, Any]) -> None:
    got = runtime.parse_parameters(params)
    assert json.dumps(got, sort_keys=True) == json.dumps(expected, sort_keys=True)


@pytest.mark.parametrize(
    "param, message",
    [
        ({"name": "a", "value": "1.5", "type": "INT"}, "Bad model parameter: a with value 1.5 can't be parsed as a INT"),
        ({"name": "a", "value": "x", "type": "FLOAT"}, "Bad model parameter: a with value x can't be parsed as a FLOAT"),
        ({"name": "a", "value": "{}", "type": "JSON"}, "Bad model parameter type: JSON valid are INT, FLOAT, DOUBLE, STRING, BOOL"),
    ],
)
def test_parse_parameters_errors(param: Dict[str, str], message: str) -> None:
    with pytest.raises(runtime.SeldonMicroserviceException) as info:
        runtime.parse_parameters([param])
    assert info.value.message == message
    assert info.value.reason == "MICROSERVICE_BAD_PARAMETER"


def test_parse_parameters_bad_bool() -> None:
    with pytest.raises(ValueError, match="invalid truth value 'maybe'"):
        runtime.parse_parameters([{"name": "b", "value": "maybe", "type": "BOOL"}])


def test_boot_imports_and_constructs(tmp_path: Any, monkeypatch: Any) -> None:
    (tmp_path / "BootModel.py").write_text(
        "from seldon_core.user_model import SeldonComponent\n"
        "class BootModel(SeldonComponent):\n"
        "    def __init__(self, n=0, flag=False):\n        self.n, self.flag = n, flag\n"
        "    def predict(self, X, names):\n        return X * self.n\n"
    )
    ns = tmp_path / "nspkg" / "inner"  # namespace package: no __init__.py anywhere
    ns.mkdir(parents=True)
    (ns / "mod.py").write_text("class Deep:\n    def predict(self, X, names):\n        return ['deep']\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delenv("SELDON_LOG_LEVEL", raising=False)
    params = json.dumps([{"name": "n", "value": "3", "type": "INT"}, {"name": "flag", "value": "true", "type": "BOOL"}])
    rt = runtime.boot("BootModel", params, "INFO")
    assert (rt.model.n, rt.model.flag) == (3, True)
    assert str(tmp_path) in sys.path
    status, body, _ = rt.handle(PREDICT, None, ("data", np.array([1, 2]), [], None, "ndarray"))
    assert status == 200 and body["data"]["ndarray"].array.tolist() == [3, 6]
    deep = runtime.boot("nspkg.inner.mod.Deep", "[]", "WARNING")
    assert deep.handle(PREDICT, {"strData": "x"}, None)[1]["data"]["ndarray"] == ["deep"]
    assert runtime.logger.level == runtime.logging.WARNING
    with pytest.raises(TypeError):  # unknown keyword argument for the constructor
        runtime.boot("BootModel", json.dumps([{"name": "zz", "value": "1", "type": "INT"}]), "INFO")
    with pytest.raises(ValueError):  # --parameters is not JSON
        runtime.boot("BootModel", "[", "INFO")
    with pytest.raises(ModuleNotFoundError):
        runtime.boot("NoSuchModel", "[]", "INFO")
    monkeypatch.setenv("SELDON_LOG_LEVEL", "debug")  # must be an exact upper-case level name
    with pytest.raises(ValueError):
        runtime.boot("BootModel", "[]", "INFO")
    monkeypatch.setenv("SELDON_LOG_LEVEL", "ERROR")
    runtime.boot("BootModel", "[]", "INFO")
    assert runtime.logging.getLogger().level == runtime.logging.ERROR
    runtime.logging.getLogger().setLevel(runtime.logging.WARNING)


def test_compat_aliases() -> None:
    if not ALIASED:
        pytest.skip("the original seldon_core is importable here, so no aliases are installed")
    import seldon_core.flask_utils
    import seldon_core.metrics
    import seldon_core.user_model

    from seldon_core_c import flask_utils, metrics, user_model

    assert seldon_core.user_model is user_model
    assert seldon_core.flask_utils is flask_utils
    assert seldon_core.metrics is metrics
    assert user_model.SeldonNotImplementedError("x").status_code == 400
    assert flask_utils.SeldonMicroserviceException("m").to_dict() == {
        "status": {"status": 1, "info": "m", "code": -1, "reason": "MICROSERVICE_BAD_DATA"}}
    assert metrics.create_counter("k", 1) == {"key": "k", "type": "COUNTER", "value": 1}
    assert metrics.create_timer("k", 1.5)["type"] == "TIMER" and metrics.create_gauge("k", 2)["type"] == "GAUGE"
    with pytest.raises(TypeError):
        metrics.create_gauge("k", "1")


def test_component_defaults() -> None:
    from seldon_core_c.user_model import SeldonComponent, SeldonNotImplementedError

    component = SeldonComponent(anything=1)
    component.load()
    expected = {"tags": "tags", "class_names": "class_names", "metrics": "metrics", "feature_names": "feature_names",
                "health_status": "health", "health_status_raw": "health_raw", "metadata": "metadata",
                "init_metadata": "init_metadata"}
    for method, label in expected.items():
        with pytest.raises(SeldonNotImplementedError) as info:
            getattr(component, method)()
        assert info.value.message == label + " is not implemented"
    for method in ("predict_raw", "route_raw", "aggregate_raw", "transform_input_raw", "send_feedback_raw"):
        with pytest.raises(SeldonNotImplementedError) as info:
            getattr(component, method)(None)
        assert info.value.message == method + " is not implemented"
    for method in ("predict", "transform_input", "transform_output", "route"):
        with pytest.raises(SeldonNotImplementedError) as info:
            getattr(component, method)(None, [])
        assert info.value.message == method + " is not implemented"
    with pytest.raises(SeldonNotImplementedError):
        component.aggregate([], [])


# ---------------------------------------------------------------------------------------------
# load() (SPEC decision 8), wants_dict, error(), json_default


def _rt(source: str, **env: str) -> Runtime:
    return build(Case("x", model(source), PREDICT, None, env))


def test_load_decision_8() -> None:
    rt = _rt("class Model:\n    loaded = 0\n    def load(self):\n        self.loaded += 1\n")
    rt.load()
    assert rt.model.loaded == 1
    _rt("class Model:\n    def load(self):\n        raise NotImplementedError()\n").load()
    _rt("class Model:\n    pass\n").load()
    with pytest.raises(AttributeError):
        _rt("class Model:\n    def load(self):\n        self.x.y\n").load()
    with pytest.raises(RuntimeError):
        _rt("class Model:\n    def load(self):\n        raise RuntimeError('no weights')\n").load()


def test_load_resolves_again() -> None:
    rt = _rt("class Model:\n    def load(self):\n        self.class_names = ['late']\n    def predict(self, X, names):\n        return np.zeros((1, 1))\n")
    rt.load()
    assert rt.handle(PREDICT, {"strData": ""}, None)[1]["data"]["names"] == ["late"]


def test_wants_dict() -> None:
    plain = _rt("class Model:\n    def predict(self, X, names):\n        return X\n")
    assert [plain.wants_dict(e) for e in range(8)] == [False, False, False, False, False, True, True, False]
    component = _rt("class Model(SeldonComponent):\n    pass\n")  # untouched *_raw defaults do not count
    assert not component.wants_dict(PREDICT) and not component.wants_dict(ROUTE)
    raw = _rt("class Model:\n    def predict_raw(self, m):\n        return m\n    def route_raw(self, m):\n        return m\n"
              "    def transform_input_rest(self, m):\n        return m\n    def transform_output_raw(self, m):\n        return m\n")
    assert [raw.wants_dict(e) for e in (PREDICT, TRANSFORM_INPUT, TRANSFORM_OUTPUT, ROUTE)] == [True] * 4
    assert _rt("class Model:\n    pass\n", PAYLOAD_PASSTHROUGH="1").wants_dict(PREDICT)


def test_error_bodies() -> None:
    rt = _rt("class Model:\n    pass\n")

    class Foreign(Exception):  # shaped like the original's SeldonMicroserviceException
        status_code = 402
        reason = "R"

        def to_dict(self) -> Dict[str, Any]:
            return {"status": {"code": -1, "info": "foreign", "reason": self.reason, "status": 1}}

    assert rt.error(Foreign()) == (402, {"status": {"code": -1, "info": "foreign", "reason": "R", "status": 1}})
    assert rt.error(TypeError("Object of type int64 is not JSON serializable")) == (
        500, {"status": {"status": 1, "info": "Object of type int64 is not JSON serializable", "code": -1,
                         "reason": "MICROSERVICE_INTERNAL_ERROR"}})
    with pytest.raises(TypeError, match="Object of type int64 is not JSON serializable"):
        rt.json_default(np.int64(1))
    assert rt.json_default(runtime.ArrayOut(np.array([[1, 2]], dtype=np.uint8))) == [[1, 2]]
    import datetime
    import uuid

    assert rt.json_default(datetime.datetime(2020, 1, 2, 3, 4, 5)) == "Thu, 02 Jan 2020 03:04:05 GMT"
    assert rt.json_default(uuid.UUID(int=1)) == "00000000-0000-0000-0000-000000000001"


def test_meta_by_signature() -> None:
    """SPEC decision 9: one call, with meta only when the signature takes it."""
    calls: List[Any] = []
    src = ("class Model:\n    def __init__(self):\n        self.calls = []\n"
           "    def predict(self, X, names, meta=None):\n        self.calls.append(meta)\n"
           "        if meta is not None:\n            raise TypeError('inside')\n        return X\n")
    rt = _rt(src)
    status, body, _ = rt.handle(PREDICT, {"meta": {"puid": "p"}, "data": {"ndarray": [1]}}, None)
    assert (status, body["status"]["info"], rt.model.calls) == (500, "inside", [{"puid": "p"}])
    del calls
    assert runtime._accepts_meta(lambda X, names, meta: 0) is True
    assert runtime._accepts_meta(lambda X, names, **kw: 0) is True
    assert runtime._accepts_meta(lambda X, names, *args: 0) is False
    assert runtime._accepts_meta(max) is None  # unreadable signature: the original's retry applies


def test_passthrough_modes() -> None:
    rt = _rt("class Model:\n    def predict_raw(self, m):\n        return m\n", PAYLOAD_PASSTHROUGH="true")
    assert rt.handle(PREDICT, b"\x00raw", None) == (200, b"\x00raw", 1)
    assert rt.handle(PREDICT, "text", None) == (200, b"text", 1)
    assert rt.handle(PREDICT, {"status": {"code": 418}}, None) == (418, {"status": {"code": 418}}, 0)
    assert rt.handle(PREDICT, ["a", b"b"], None) == (200, b"ab", 1)
    assert rt.handle(PREDICT, 5, None)[0] == 500


# ---------------------------------------------------------------------------------------------
# the metric store hand-off (SPEC §6, decision 11)


class _Store:
    def __init__(self) -> None:
        self.calls: List[Any] = []

    def record_metrics(self, method: str, entries: List[Any]) -> None:
        self.calls.append((method, [(t, k, v, dict(tags)) for t, k, v, tags in entries]))


@pytest.fixture
def store(monkeypatch: Any) -> _Store:
    fake = _Store()
    monkeypatch.setattr(runtime, "_native", fake)
    return fake


def test_metrics_recorded(store: _Store) -> None:
    rt = build(next(c for c in CASES if c.name == "E15"))
    rt.handle(PREDICT, None, ("data", np.array([[1, 2, 3]]), [], {"metrics": [{"key": "req", "type": "GAUGE", "value": 1}]}, "ndarray"))
    assert store.calls == [
        ("predict", [("COUNTER", "instance_counter", 1.0, {"method": "predict"})]),
        ("predict", [("COUNTER", "requests_counter", 1.0, {"method": "predict"})]),
    ]
    store.calls.clear()
    timer = _rt("class Model:\n    def predict(self, X, n):\n        return SeldonResponse(X, metrics=[{'type': 'TIMER', 'key': 't', 'value': 250, 'tags': {'a': 'b'}}])\n")
    _, body, _ = timer.handle(PREDICT, {"strData": "x"}, None)
    assert store.calls == [("predict", [("TIMER", "t", 0.25, {"a": "b", "method": "predict"})])]
    assert body["meta"]["metrics"] == [{"type": "TIMER", "key": "t", "value": 250, "tags": {"a": "b", "method": "predict"}}]


def test_metrics_health_transform_route(store: _Store) -> None:
    src = ("class Model:\n    def metrics(self):\n        return [{'type': 'GAUGE', 'key': 'g', 'value': 1}]\n"
           "    def route(self, X, n):\n        return 0\n")
    rt = _rt(src)
    for endpoint in (HEALTH_STATUS, TRANSFORM_INPUT, TRANSFORM_OUTPUT, ROUTE):
        assert rt.handle(endpoint, None if endpoint == HEALTH_STATUS else {"strData": "x"}, None)[0] == 200
    assert [method for method, _ in store.calls] == ["health", "inputtransform", "outputtransform", "router"]


def test_metrics_raw_and_feedback(store: _Store) -> None:
    raw = _rt("class Model:\n    def predict_raw(self, m):\n        return m\n", INCLUDE_METRICS_IN_CLIENT_RESPONSE="false")
    status, body, _ = raw.handle(PREDICT, {"meta": {"metrics": [{"key": "c", "value": 2}, {"key": "u", "type": "X", "value": 1}]}}, None)
    assert (status, body) == (200, {"meta": {}})
    assert store.calls == [("predict", [("COUNTER", "c", 2.0, {"method": "predict"})])]
    store.calls.clear()
    feedback = _rt("class Model:\n    def send_feedback(self, f, n, r, t, routing=None):\n        return []\n")
    assert feedback.handle(SEND_FEEDBACK, {"reward": 0.1}, None)[0] == 200
    assert store.calls == [("feedback", [("COUNTER", "seldon_api_model_feedback", 1.0, {"method": "feedback"})]),
                           ("feedback", [("COUNTER", "seldon_api_model_feedback_reward", 0.10000000149011612, {"method": "feedback"})])]
    store.calls.clear()
    assert feedback.handle(SEND_FEEDBACK, {"reward": 0}, None)[0] == 200
    legacy = _rt("class Model:\n    pass\n", SELDON_EXECUTOR_ENABLED="FALSE")
    assert legacy.handle(SEND_FEEDBACK, {"reward": 1}, None)[0] == 200
    assert store.calls == []


@pytest.mark.parametrize("metric", [
    {"type": "COUNTER", "key": "bad-name", "value": 1},
    {"type": "COUNTER", "key": "ok", "value": 1, "tags": {"bad-label": "x"}},
    {"type": "COUNTER", "key": "ok", "value": 1, "tags": {"__reserved": "x"}},
    {"type": "GAUGE", "key": "ok", "value": 1j},
])
def test_invalid_prometheus_names_rejected(store: _Store, metric: Dict[str, Any]) -> None:
    rt = _rt(f"class Model:\n    def predict(self, X, n):\n        return SeldonResponse(X, metrics=[{metric!r}])\n")
    status, body, _ = rt.handle(PREDICT, {"strData": "x"}, None)
    assert status == 500
    assert body["status"]["reason"] in ("MICROSERVICE_BAD_METRIC", "MICROSERVICE_INTERNAL_ERROR")
    assert store.calls == []


def test_tag_values_must_be_strings(store: _Store) -> None:
    rt = _rt("class Model:\n    def predict(self, X, n):\n        return SeldonResponse(X, metrics=[{'type': 'GAUGE', 'key': 'k', 'value': 1, 'tags': {'a': 1}}])\n")
    status, body, _ = rt.handle(PREDICT, {"strData": "x"}, None)
    assert (status, body["status"]["info"]) == (500, "sequence item 1: expected str instance, int found")


def test_feedback_raw_gets_message(store: _Store) -> None:
    src = ("class Model:\n    def send_feedback_raw(self, fb):\n        self.got = fb\n"
           "        return {'data': {'ndarray': [1]}, 'meta': {'metrics': [{'key': 'k', 'type': 'GAUGE', 'value': 3}]}}\n")
    rt = _rt(src)
    status, body, _ = rt.handle(SEND_FEEDBACK, {"request": {"data": {"ndarray": [[1, 2]]}}, "reward": 1}, None)
    assert status == 200
    assert body == {"meta": {"metrics": [{"key": "k", "type": "GAUGE", "value": 3.0}]}, "data": {"ndarray": [1.0]}}
    got = rt.model.got
    if not isinstance(got, dict):  # a real Feedback proto where the original package is installed
        from google.protobuf import json_format

        got = json_format.MessageToDict(got)
    assert got == {"request": {"data": {"ndarray": [[1.0, 2.0]]}}, "reward": 1.0}
    assert store.calls[-1] == ("feedback", [("GAUGE", "k", 3.0, {"method": "feedback"})])


def test_model_error_handler_e16() -> None:
    """SPEC §5.10 / E16: a handler registered on the model's Flask blueprint answers."""
    pytest.importorskip("flask")
    source = model(
        """
        import flask
        class UserCustomException(Exception):
            def __init__(self, message, app_code, http_status):
                self.message, self.app_code, self.status_code = message, app_code, http_status
        class Model:
            model_error_handler = flask.Blueprint("error_handlers", __name__)
            @model_error_handler.app_errorhandler(UserCustomException)
            def handle(error):
                response = flask.jsonify({"status": {"status": error.status_code, "message": error.message,
                                                     "app_code": error.app_code}})
                response.status_code = error.status_code
                return response
            def predict(self, X, names):
                if isinstance(X, str):
                    raise ValueError("plain")
                raise UserCustomException("Test-Error-Msg", 1402, 402)
        """
    )
    rt = build(Case("e16", source, PREDICT, None))
    status, (body, headers), mode = rt.handle(PREDICT, {"data": {"ndarray": [1]}}, None)
    assert (status, body, mode) == (
        402, b'{"status":{"app_code":1402,"message":"Test-Error-Msg","status":402}}\n', 2)
    assert ("Content-Type", "application/json") in headers
    assert rt.handle(PREDICT, {"strData": "x"}, None)[:2] == (
        500, {"status": {"status": 1, "info": "plain", "code": -1, "reason": "MICROSERVICE_INTERNAL_ERROR"}})

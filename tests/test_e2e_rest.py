"""Black-box REST tests: SPEC §3, §5, §9 and the §10.2 examples, byte for byte.

Every expectation here was checked against the original (SC_TEST_TARGET=original).
"""

import hashlib
import json
import re

import pytest
import requests

import e2e_util
from e2e_util import (METHOD_NOT_ALLOWED_INFO, NOT_FOUND_INFO, T, err_body, jbody, raw_http)

JSON_CT = {"Content-Type": "application/json"}
BAD_DATA = "MICROSERVICE_BAD_DATA"
CANT_FIND = err_body("Can't find JSON in data", BAD_DATA)
UO_META = {"metrics": [{"key": "mycounter", "type": "COUNTER", "value": 1}], "tags": {"mytag": 1}}


def get(srv, path, **kw):
    kw.setdefault("timeout", T)
    return requests.get(srv.url(path), **kw)


def post(srv, path, **kw):
    kw.setdefault("timeout", T)
    return requests.post(srv.url(path), **kw)


def assert_json(r, status, body):
    """Exact status, exact body bytes (body: bytes, or a JSON-native object), JSON content type."""
    if not isinstance(body, bytes):
        body = jbody(body)
    assert (r.status_code, r.content) == (status, body)
    assert r.headers["Content-Type"] == "application/json"


def assert_alive(srv):
    r = post(srv, "/predict", json={"strData": "still alive"})
    assert r.status_code == 200
    assert b'"strData":"still alive"' in r.content


# --------------------------------------------------------------------------------------------
# §10.2 examples


def test_e1_get_query_json(id_server):
    r = get(id_server, "/predict",
            params={"json": '{"data":{"names":["a","b"],"ndarray":[[1.0,2.0]]}}'})
    assert_json(r, 200, b'{"data":{"names":["t:0","t:1"],"ndarray":[[1.0,2.0]]},"meta":{}}\n')


def test_e1_ints_stay_ints(id_server):
    r = get(id_server, "/predict", params={"json": '{"data":{"names":["a","b"],"ndarray":[[1,2]]}}'})
    assert_json(r, 200, b'{"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},"meta":{}}\n')


def test_e3_request_tags_pass_through(id_server):
    q = '{"meta":{"tags":{"foo":"bar"}},"data":{"names":["a","b"],"ndarray":[[1.0,2.0]]}}'
    r = get(id_server, "/predict", params={"json": q})
    assert_json(r, 200, b'{"data":{"names":["t:0","t:1"],"ndarray":[[1.0,2.0]]},'
                        b'"meta":{"tags":{"foo":"bar"}}}\n')


def test_e4_request_metrics_pass_through(id_server):
    q = ('{"meta":{"metrics":[{"key":"mygauge","type":"GAUGE","value":100}]},'
         '"data":{"names":["a","b"],"ndarray":[[1.0,2.0]]}}')
    r = get(id_server, "/predict", params={"json": q})
    assert_json(r, 200, b'{"data":{"names":["t:0","t:1"],"ndarray":[[1.0,2.0]]},'
                        b'"meta":{"metrics":[{"key":"mygauge","type":"GAUGE","value":100}]}}\n')
    # request metrics are passed through, not recorded (the ID model records nothing)
    m = requests.get(id_server.metrics_url + "/metrics", timeout=T)
    assert (m.status_code, m.content) == (200, b"")


E7_BODY = (b'{"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},"meta":{"metrics":[{"key":"mycounter",'
           b'"type":"COUNTER","value":1}],"tags":{"mytag":1}}}\n')


def test_e7_uo_get_with_puid(uo_server):
    q = '{"meta":{"puid":"123"},"data":{"names":["a","b"],"ndarray":[[1,2]]}}'
    r = get(uo_server, "/predict", params={"json": q})
    assert_json(r, 200, b'{"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},"meta":{"metrics":'
                        b'[{"key":"mycounter","type":"COUNTER","value":1}],"puid":"123",'
                        b'"tags":{"mytag":1}}}\n')


@pytest.mark.parametrize("path", ["/predict", "/api/v1.0/predictions", "/api/v0.1/predictions"])
def test_e7_uo_all_predict_routes(uo_server, path):
    r = post(uo_server, path, json={"data": {"names": ["a", "b"], "ndarray": [[1, 2]]}})
    assert_json(r, 200, E7_BODY)


@pytest.mark.parametrize("path", ["/predict", "/api/v1.0/predictions", "/api/v0.1/predictions"])
def test_e7_uo_multipart(uo_server, path):
    r = post(uo_server, path, files={"data": (None, '{"names":["a","b"],"ndarray":[[1,2]]}')})
    assert_json(r, 200, E7_BODY)


def test_e8_tag_and_metric_order(uo_server):
    r = post(uo_server, "/predict", json={
        "meta": {"tags": {"foo": "bar"},
                 "metrics": [{"key": "request_gauge", "type": "GAUGE", "value": 100}]},
        "data": {"ndarray": [[1, 2]]}})
    assert_json(r, 200, b'{"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},"meta":{"metrics":'
                        b'[{"key":"request_gauge","type":"GAUGE","value":100},{"key":"mycounter",'
                        b'"type":"COUNTER","value":1}],"tags":{"foo":"bar","mytag":1}}}\n')


def test_e9_strdata(uo_server):
    r = get(uo_server, "/predict", params={"json": '{"strData":"my data"}'})
    assert_json(r, 200, {"meta": UO_META, "strData": "my data"})


def test_e9_bindata(uo_server):
    r = get(uo_server, "/predict", params={"json": '{"binData":"MTIz"}'})
    assert_json(r, 200, {"binData": "MTIz", "meta": UO_META})


def test_e9_jsondata_sorted(uo_server):
    r = post(uo_server, "/predict", json={"jsonData": {"z": 1, "a": [1, 2.5]}})
    assert_json(r, 200, b'{"jsonData":{"a":[1,2.5],"z":1},"meta":{"metrics":[{"key":"mycounter",'
                        b'"type":"COUNTER","value":1}],"tags":{"mytag":1}}}\n')


def test_e9_numeric_output_without_data_is_tensor(types_server):
    r = post(types_server, "/predict", json={"strData": "int"})
    assert_json(r, 200, b'{"data":{"names":["t:0","t:1"],"tensor":{"shape":[2,2],'
                        b'"values":[1,2,3,4]}},"meta":{}}\n')


def test_e10_no_body_json_content_type(id_server):
    r = get(id_server, "/predict", headers=JSON_CT)
    assert_json(r, 400, CANT_FIND)
    assert CANT_FIND == (b'{"status":{"code":-1,"info":"Can\'t find JSON in data",'
                         b'"reason":"MICROSERVICE_BAD_DATA","status":1}}\n')


def test_e10_bad_metrics(server):
    with server("bad_metrics") as srv:
        r = get(srv, "/predict", params={"json": '{"data":{"ndarray":[]}}'})
        assert_json(r, 500, b'{"status":{"code":-1,"info":"Bad metric created during request: '
                            b'[{\\"type\\": \\"BAD\\", \\"key\\": \\"mycounter\\", \\"value\\": 1}]",'
                            b'"reason":"MICROSERVICE_BAD_METRIC","status":1}}\n')
        # health_status records metrics() too (SPEC §3.8)
        r = get(srv, "/health/status")
        assert r.status_code == 500
        assert b'"reason":"MICROSERVICE_BAD_METRIC"' in r.content


def test_e10_seldon_exception_403(server):
    with server("raise403") as srv:
        for path in ("/predict", "/api/v1.0/predictions"):
            r = post(srv, path, json={"data": {"ndarray": [1]}})
            assert_json(r, 403, b'{"status":{"code":-1,"info":"foo","reason":"MICROSERVICE_BAD_DATA",'
                                b'"status":1}}\n')
        assert get(srv, "/health/ping").status_code == 200


def test_e13_ping(id_server):
    r = get(id_server, "/health/ping")
    assert (r.status_code, r.content) == (200, b"pong")
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("path", ["/health/status", "/api/v1.0/health/status"])
def test_e13_uo_health_status(uo_server, path):
    r = get(uo_server, path)
    assert_json(r, 200, b'{"data":{"names":[],"tensor":{"shape":[1],"values":[0.123]}},"meta":'
                        b'{"metrics":[{"key":"mycounter","type":"COUNTER","value":1}],'
                        b'"tags":{"mytag":1}}}\n')


def test_e13_health_default(id_server):
    assert_json(get(id_server, "/health/status"), 200, b'{"meta":{},"strData":"healthy"}\n')


def test_health_variants(server):
    with server("health_raw") as srv:
        assert_json(get(srv, "/health/status"), 200, b'{"data":{"ndarray":[123.456,7.89]}}\n')
        assert_json(get(srv, "/api/v1.0/health/status"), 200,
                    b'{"data":{"ndarray":[123.456,7.89]}}\n')
    with server("health_raises") as srv:
        assert_json(get(srv, "/health/status"), 500, err_body("not ready yet"))
        assert (get(srv, "/health/ping").content) == b"pong"
    with server("component") as srv:  # SeldonComponent default health_status
        assert_json(get(srv, "/health/status"), 200,
                    b'{"meta":{},"strData":"not implemented - assuming healthy"}\n')


def test_e14_uo_metadata(uo_server):
    for path in ("/metadata", "/api/v1.0/metadata"):
        assert_json(get(uo_server, path), 200,
                    b'{"custom":{},"inputs":[{"datatype":"BYTES","name":"input","shape":[1]}],'
                    b'"name":"my-model-name","outputs":[{"datatype":"BYTES","name":"output",'
                    b'"shape":[1]}],"platform":"model-platform","versions":["model-version"]}\n')


def test_e15_custom_metrics_model(server):
    with server("custom_metrics") as srv:
        r = post(srv, "/api/v1.0/predictions", json={"data": {"ndarray": [[1, 2, 3]]}})
        assert_json(r, 200, b'{"data":{"names":["t:0","t:1","t:2"],"ndarray":[[1,2,3]]},"meta":'
                            b'{"metrics":[{"key":"requests_counter","type":"COUNTER","value":1},'
                            b'{"key":"instance_counter","type":"COUNTER","value":1}],"tags":'
                            b'{"runtime":"tag","shared":"right one","static":"tag"}}}\n')
        m = requests.get(srv.metrics_url + "/metrics", timeout=T)
        assert m.status_code == 200
        for name in ("requests_counter_total", "instance_counter_total"):
            lines = [ln for ln in m.text.splitlines() if ln.startswith(name + "{")]
            assert len(lines) == 1, m.text
            assert 'method="predict"' in lines[0]
            assert re.search(r'worker_id="[0-9]+"', lines[0])
            assert lines[0].endswith("} 1.0")
            assert "# HELP %s \n# TYPE %s counter\n%s\n" % (name, name, lines[0]) in m.text


def test_e17_predict_raw_status_override(server):
    with server("raw400") as srv:
        for path in ("/predict", "/api/v1.0/predictions", "/api/v0.1/predictions"):
            r = post(srv, path, json={"data": {"ndarray": [0]}})
            assert_json(r, 400, b'{"data":{"ndarray":[1,2]},"status":{"code":400,'
                                b'"status":"FAILURE"}}\n')


def test_e18_request_path(server):
    env = {"PREDICTIVE_UNIT_ID": "my-model", "PREDICTIVE_UNIT_IMAGE": "myrepo/my-image:0.3"}
    with server("id", env=env) as srv:
        r = post(srv, "/predict", json={"meta": {"puid": "p1", "requestPath": {"earlier": "img:1"}},
                                        "data": {"ndarray": [[1, 2]]}})
        assert_json(r, 200, b'{"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},"meta":{"puid":"p1",'
                            b'"requestPath":{"earlier":"img:1","my-model":"myrepo/my-image:0.3"}}}\n')
        # request entries win on collision; an empty puid is dropped
        r = post(srv, "/predict", json={"meta": {"puid": "", "requestPath": {"my-model": "x"}},
                                        "data": {"ndarray": [[1, 2]]}})
        assert_json(r, 200, b'{"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},'
                            b'"meta":{"requestPath":{"my-model":"x"}}}\n')
        assert_json(get(srv, "/health/status"), 200,
                    b'{"meta":{"requestPath":{"my-model":"myrepo/my-image:0.3"}},'
                    b'"strData":"healthy"}\n')
        assert_json(get(srv, "/metadata"), 200,
                    b'{"custom":{},"inputs":[],"name":"myrepo/my-image","outputs":[],'
                    b'"platform":"","versions":["0.3"]}\n')


def test_e19_unknown_path(id_server):
    r = get(id_server, "/nonexistent")
    assert_json(r, 500, err_body(NOT_FOUND_INFO))
    assert r.content == (
        b'{"status":{"code":-1,"info":"404 Not Found: The requested URL was not found on the '
        b'server. If you entered the URL manually please check your spelling and try again.",'
        b'"reason":"MICROSERVICE_INTERNAL_ERROR","status":1}}\n')


# --------------------------------------------------------------------------------------------
# unknown paths, wrong methods, OPTIONS, HEAD, CORS (SPEC corrections 1, §3.4)


@pytest.mark.parametrize("path", ["/nonexistent", "/metrics", "/api/v1.0/predictions",
                                  "/api/v0.1/predictions", "/api/v1.0/feedback",
                                  "/api/v0.1/feedback", "/predict/extra"])
def test_get_unknown_or_post_only_route_is_404_info(id_server, path):
    assert_json(get(id_server, path), 500, err_body(NOT_FOUND_INFO))


@pytest.mark.parametrize("method,path", [
    ("POST", "/nonexistent"), ("PUT", "/nonexistent"), ("DELETE", "/nonexistent"),
    ("PATCH", "/nonexistent"), ("POST", "/health/ping"), ("PUT", "/predict"),
    ("DELETE", "/api/v1.0/predictions"), ("POST", "/metadata"), ("POST", "/health/status")])
def test_wrong_method_is_405_info(id_server, method, path):
    r = requests.request(method, id_server.url(path), timeout=T)
    assert_json(r, 500, err_body(METHOD_NOT_ALLOWED_INFO))


def test_head_unknown_path(id_server):
    r = raw_http(id_server.http_port, "HEAD", "/nonexistent")
    assert r.status == 500
    assert r.body == b""
    assert r.header("Content-Length") == str(len(err_body(NOT_FOUND_INFO)))


def test_head_ping(id_server):
    r = raw_http(id_server.http_port, "HEAD", "/health/ping")
    assert (r.status, r.body) == (200, b"")
    assert r.header("Content-Length") == "4"
    assert r.header("Content-Type") == "text/html; charset=utf-8"


def _allow(r):
    return {m.strip() for m in r.headers["Allow"].split(",")}


@pytest.mark.parametrize("path,methods", [
    ("/predict", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("/api/v1.0/predictions", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("/send-feedback", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("/health/ping", {"GET", "HEAD", "OPTIONS"}),
    ("/nope", {"GET", "HEAD", "OPTIONS"}),
])
def test_options(id_server, path, methods):
    r = requests.options(id_server.url(path), timeout=T)
    assert (r.status_code, r.content) == (200, b"")
    assert _allow(r) == methods
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Methods" not in r.headers


def test_options_preflight_with_origin(id_server):
    r = requests.options(id_server.url("/api/v1.0/predictions"), timeout=T, headers={
        "Origin": "http://x.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert (r.status_code, r.content) == (200, b"")
    assert r.headers["Access-Control-Allow-Origin"] == "http://x.example"
    assert r.headers["Access-Control-Allow-Methods"] == "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"
    assert r.headers["Access-Control-Allow-Headers"].lower() == "content-type"
    assert "Origin" in r.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in r.headers


def test_cors_without_origin(id_server):
    for r in (post(id_server, "/predict", json={"strData": "x"}), get(id_server, "/health/ping"),
              get(id_server, "/nonexistent"), post(id_server, "/predict", headers=JSON_CT)):
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        assert "Vary" not in r.headers


def test_cors_echoes_origin(id_server):
    for r in (post(id_server, "/predict", json={"strData": "x"}, headers={"Origin": "http://a.b"}),
              get(id_server, "/nonexistent", headers={"Origin": "http://a.b"})):
        assert r.headers["Access-Control-Allow-Origin"] == "http://a.b"
        assert r.headers["Vary"] == "Origin"
        assert "Access-Control-Allow-Credentials" not in r.headers


# --------------------------------------------------------------------------------------------
# §3.2 decoding order and content types


def test_form_json_beats_query_json(id_server):
    r = post(id_server, '/predict?json={"strData":"query"}', data={"json": '{"strData":"form"}'})
    assert_json(r, 200, b'{"meta":{},"strData":"form"}\n')


def test_query_json_beats_body(id_server):
    r = post(id_server, '/predict?json={"strData":"query"}', json={"strData": "body"})
    assert_json(r, 200, b'{"meta":{},"strData":"query"}\n')


def test_multipart_beats_query_json(id_server):
    r = post(id_server, '/predict?json={"strData":"query"}', files={"strData": (None, "multi")})
    assert_json(r, 200, b'{"meta":{},"strData":"multi"}\n')


def test_empty_form_json_falls_through_to_query(id_server):
    r = post(id_server, '/predict?json={"strData":"query"}', data={"json": ""})
    assert_json(r, 200, b'{"meta":{},"strData":"query"}\n')


def test_empty_query_json_falls_through_to_body(id_server):
    r = requests.get(id_server.url("/predict?json="), data=b'{"strData":"body"}', headers=JSON_CT,
                     timeout=T)
    assert_json(r, 200, b'{"meta":{},"strData":"body"}\n')


def test_get_with_json_body(id_server):
    r = requests.get(id_server.url("/predict"), json={"data": {"ndarray": [3]}}, timeout=T)
    assert_json(r, 200, b'{"data":{"names":[],"ndarray":[3]},"meta":{}}\n')


def test_form_without_json_field(id_server):
    assert_json(post(id_server, "/predict", data={"other": "1"}), 400, CANT_FIND)
    assert_json(post(id_server, "/predict", data={"json": ""}), 400, CANT_FIND)


def test_query_json_non_ascii(id_server):
    r = get(id_server, "/predict", params={"json": '{"strData":"\u00e9\u2603"}'})
    assert_json(r, 200, b'{"meta":{},"strData":"\\u00e9\\u2603"}\n')


@pytest.mark.parametrize("body,headers", [
    (b"", JSON_CT),
    (b"", {}),
    (b'{"data":', JSON_CT),
    (b"null", JSON_CT),
    (b'{"strData":"\xff\xfe"}', JSON_CT),
    (b'{"data":{"ndarray":[1]}}', {"Content-Type": "text/plain"}),
    (b'{"data":{"ndarray":[1]}}', {"Content-Type": ""}),
    (b'{"data":{"ndarray":[1]}}', {"Content-Type": "application/octet-stream"}),
], ids=["empty-json", "empty-noct", "invalid", "null", "bad-utf8", "text-plain", "no-ct",
        "octet-stream"])
def test_cant_find_json(id_server, body, headers):
    r = post(id_server, "/predict", data=body, headers=headers)
    assert_json(r, 400, CANT_FIND)
    assert_alive(id_server)


@pytest.mark.parametrize("ct", ["application/json; charset=utf-8", "APPLICATION/JSON",
                                "application/vnd.seldon+json"])
def test_json_content_type_variants(id_server, ct):
    r = post(id_server, "/predict", data=b'{"strData":"a"}', headers={"Content-Type": ct})
    assert_json(r, 200, b'{"meta":{},"strData":"a"}\n')


@pytest.mark.parametrize("body", [
    b'  \n {"strData":"a"} \n ',
    b'\xef\xbb\xbf{"strData":"a"}',
    '{"strData":"a"}'.encode("utf-16"),
], ids=["whitespace", "utf8-bom", "utf16"])
def test_body_encodings_python_json_accepts(id_server, body):
    r = post(id_server, "/predict", data=body, headers=JSON_CT)
    assert_json(r, 200, b'{"meta":{},"strData":"a"}\n')


@pytest.mark.parametrize("value,info", [
    ("{bad", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    ("[1,", "Expecting value: line 1 column 4 (char 3)"),
    ('{"a":1} x', "Extra data: line 1 column 9 (char 8)"),
    ('"\\x"', "Invalid \\escape: line 1 column 2 (char 1)"),
    ("nul", "Expecting value: line 1 column 1 (char 0)"),
    ('{"a":NaN', "Expecting ',' delimiter: line 1 column 9 (char 8)"),
])
@pytest.mark.parametrize("where", ["form", "query"])
def test_json_field_invalid_is_500_with_python_message(id_server, value, info, where):
    if where == "form":
        r = post(id_server, "/predict", data={"json": value})
    else:
        r = get(id_server, "/predict", params={"json": value})
    assert_json(r, 500, err_body(info))
    assert_alive(id_server)


def test_multipart_fields(uo_server):
    r = post(uo_server, "/predict", files={"data": (None, '{"ndarray":[[1,2]]}'),
                                           "meta": (None, '{"puid":"1234"}')})
    assert_json(r, 200, b'{"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},"meta":{"metrics":'
                        b'[{"key":"mycounter","type":"COUNTER","value":1}],"puid":"1234",'
                        b'"tags":{"mytag":1}}}\n')


def test_multipart_strdata_field_is_text(id_server):
    r = post(id_server, "/predict", files={"strData": (None, "plain text")})
    assert_json(r, 200, b'{"meta":{},"strData":"plain text"}\n')


def test_multipart_strdata_file(id_server):
    r = post(id_server, "/predict",
             files={"strData": ("a.txt", "file text \u00e9".encode(), "text/plain")})
    assert_json(r, 200, b'{"meta":{},"strData":"file text \\u00e9"}\n')


def test_multipart_bindata_file(id_server):
    r = post(id_server, "/predict",
             files={"binData": ("a.png", b"\x89PNG\x00\xff", "application/octet-stream")})
    assert_json(r, 200, b'{"binData":"iVBORwD/","meta":{}}\n')


def test_multipart_jsondata_field(id_server):
    r = post(id_server, "/predict", files={"jsonData": (None, '{"b":1,"a":2}')})
    assert_json(r, 200, b'{"jsonData":{"a":2,"b":1},"meta":{}}\n')


def test_multipart_invalid_json_field(id_server):
    r = post(id_server, "/predict", files={"data": (None, "{bad")})
    assert_json(r, 500, err_body(
        "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"))
    assert_alive(id_server)


# --------------------------------------------------------------------------------------------
# bad input: each followed by a successful request


def test_ragged_ndarray(id_server):
    r = post(id_server, "/predict", json={"data": {"ndarray": [[1, 2], [3]]}})
    assert r.status_code == 500
    body = json.loads(r.content)
    assert body["status"]["reason"] == "MICROSERVICE_INTERNAL_ERROR"
    assert body["status"]["info"].startswith("setting an array element with a sequence.")
    assert r.content.endswith(b"}}\n")
    assert_alive(id_server)


def test_tensor_shape_mismatch(id_server):
    r = post(id_server, "/predict",
             json={"data": {"tensor": {"shape": [2, 2], "values": [1, 2, 3]}}})
    assert_json(r, 500, err_body("cannot reshape array of size 3 into shape (2,2)"))
    assert_alive(id_server)


def test_bad_base64_padding(id_server):
    assert_json(post(id_server, "/predict", json={"binData": "abc"}), 500,
                err_body("Incorrect padding"))
    assert_alive(id_server)


def test_base64_lenient(id_server):
    assert_json(post(id_server, "/predict", json={"binData": "MT!Iz"}), 200,
                b'{"binData":"MTIz","meta":{}}\n')


@pytest.mark.parametrize("payload,info", [
    ([1, 2], "Invalid request data type: [1, 2]"),
    ({"foo": "bar", "x": True, "n": None}, "Invalid request data type: {'foo': 'bar', 'x': True, 'n': None}"),
    ("hello", "Invalid request data type: hello"),
    (3, "Invalid request data type: 3"),
    ({"customData": {}}, "Invalid request data type: {'customData': {}}"),
])
def test_invalid_request_data_type(id_server, payload, info):
    assert_json(post(id_server, "/predict", json=payload), 400, err_body(info, BAD_DATA))
    assert_alive(id_server)


@pytest.mark.parametrize("body,out", [
    (b'{"data":{"ndarray":[123456789012345678901234567890]}}',
     b'{"data":{"names":[],"ndarray":[123456789012345678901234567890]},"meta":{}}\n'),
    (b'{"data":{"ndarray":[1e400]}}', b'{"data":{"names":[],"ndarray":[Infinity]},"meta":{}}\n'),
    (b'{"data":{"ndarray":[9223372036854775807,-9223372036854775808]}}',
     b'{"data":{"names":[],"ndarray":[9223372036854775807,-9223372036854775808]},"meta":{}}\n'),
    (b'{"data":{"ndarray":[9223372036854775808]}}',
     b'{"data":{"names":[],"ndarray":[9223372036854775808]},"meta":{}}\n'),
    (b'{"jsonData":{"a":123456789012345678901234567890,"b":1e400,"c":-0.0,"d":1E5}}',
     b'{"jsonData":{"a":123456789012345678901234567890,"b":Infinity,"c":-0.0,"d":100000.0},'
     b'"meta":{}}\n'),
    (b'{"data":{"ndarray":[1E2,0.1,1e-7,12345678901234567890.0,5e-324,1.7976931348623157e308,-0.0]}}',
     b'{"data":{"names":[],"ndarray":[100.0,0.1,1e-07,1.2345678901234567e+19,5e-324,'
     b'1.7976931348623157e+308,-0.0]},"meta":{}}\n'),
], ids=["bigint", "float-overflow", "int64-edges", "uint64", "jsondata-numbers", "float-repr"])
def test_number_edge_cases(id_server, body, out):
    assert_json(post(id_server, "/predict", data=body, headers=JSON_CT), 200, out)


@pytest.mark.parametrize("body,out", [
    (b'{"data":{"ndarray":[NaN,Infinity,-Infinity,1]}}',
     b'{"data":{"names":[],"ndarray":[NaN,Infinity,-Infinity,1.0]},"meta":{}}\n'),
    (b'{"data":{"tensor":{"shape":[2],"values":[NaN,1]}}}',
     b'{"data":{"names":[],"tensor":{"shape":[2],"values":[NaN,1.0]}},"meta":{}}\n'),
    (b'{"jsonData":{"x":NaN,"y":-Infinity}}', b'{"jsonData":{"x":NaN,"y":-Infinity},"meta":{}}\n'),
], ids=["ndarray", "tensor", "jsondata"])
def test_nan_infinity_literals(id_server, body, out):
    assert_json(post(id_server, "/predict", data=body, headers=JSON_CT), 200, out)


@pytest.mark.parametrize("payload,out", [
    ({"data": {"ndarray": [1, "a"]}}, b'{"data":{"names":[],"ndarray":["1","a"]},"meta":{}}\n'),
    ({"data": {"ndarray": [1, None]}}, b'{"data":{"names":[],"ndarray":[1,null]},"meta":{}}\n'),
    ({"data": {"ndarray": [True, 2]}}, b'{"data":{"names":[],"ndarray":[1,2]},"meta":{}}\n'),
    ({"data": {"ndarray": [True, False]}}, b'{"data":{"names":[],"ndarray":[true,false]},"meta":{}}\n'),
    ({"data": {"names": ["a"]}}, b'{"data":{"names":[],"ndarray":[]},"meta":{}}\n'),
    ({"data": {"tensor": {"shape": [2, 1], "values": [1, 2]}}},
     b'{"data":{"names":["t:0"],"tensor":{"shape":[2,1],"values":[1,2]}},"meta":{}}\n'),
    ({"data": {"tensor": {"shape": [2], "values": [1.5, 2]}}},
     b'{"data":{"names":[],"tensor":{"shape":[2],"values":[1.5,2.0]}},"meta":{}}\n'),
], ids=["str-mix", "null", "bool-int", "bool", "no-kind", "tensor-int", "tensor-float"])
def test_numpy_inference(id_server, payload, out):
    assert_json(post(id_server, "/predict", json=payload), 200, out)


def test_data_precedence_and_duplicate_keys(id_server):
    r = post(id_server, "/predict", json={"strData": "s", "data": {"ndarray": [1]}, "binData": "MTIz"})
    assert_json(r, 200, b'{"data":{"names":[],"ndarray":[1]},"meta":{}}\n')
    r = post(id_server, "/predict", data=b'{"strData":"a","strData":"b"}', headers=JSON_CT)
    assert_json(r, 200, b'{"meta":{},"strData":"b"}\n')


def test_string_escapes_round_trip(id_server):
    r = post(id_server, "/predict", data=b'{"strData":"\\ud83d\\ude00 \\u0000 \\t \\u00e9 \\/"}',
             headers=JSON_CT)
    assert_json(r, 200, b'{"meta":{},"strData":"\\ud83d\\ude00 \\u0000 \\t \\u00e9 /"}\n')
    r = post(id_server, "/predict", data=b'{"strData":"\\ud83d"}', headers=JSON_CT)
    assert_json(r, 200, b'{"meta":{},"strData":"\\ud83d"}\n')


def test_deep_nesting_ok(id_server):
    body = b'{"jsonData":' + b'{"a":' * 100 + b"1" + b"}" * 100 + b"}"
    r = post(id_server, "/predict", data=body, headers=JSON_CT)
    assert_json(r, 200, b'{"jsonData":' + b'{"a":' * 100 + b"1" + b"}" * 100 + b',"meta":{}}\n')


# 70 levels: beyond numpy 1.x's 32 and numpy 2.x's 64 dimensions, so both raise.
def test_deep_nesting_array_too_many_dims(id_server):
    body = b'{"data":{"ndarray":' + b"[" * 70 + b"]" * 70 + b"}}"
    r = post(id_server, "/predict", data=body, headers=JSON_CT)
    assert r.status_code == 500
    info = json.loads(r.content)["status"]["info"]
    assert info.startswith("setting an array element with a sequence.")
    assert_alive(id_server)


@pytest.mark.parametrize("kind,info", [
    ("object", "maximum recursion depth exceeded while decoding a JSON object from a unicode string"),
    ("array", "maximum recursion depth exceeded while decoding a JSON array from a unicode string"),
])
def test_extreme_nesting(id_server, kind, info):
    n = 5000
    inner = (b'{"a":' * n + b"1" + b"}" * n) if kind == "object" else (b"[" * n + b"]" * n)
    r = post(id_server, "/predict", data=b'{"jsonData":' + inner + b"}", headers=JSON_CT)
    assert_json(r, 500, err_body(info))
    assert_alive(id_server)


# --------------------------------------------------------------------------------------------
# output formats (§3.4, §5.5, §9.4)


def _with_data(kind):
    return {"data": {"ndarray": [0]}, "meta": {"tags": {"kind": kind}}}


OUTPUTS = {
    # kind: (status, body when the request has no data (strData), body when it has data.ndarray)
    "int": (200, b'{"data":{"names":["t:0","t:1"],"tensor":{"shape":[2,2],"values":[1,2,3,4]}},"meta":{}}\n',
            b'{"data":{"names":["t:0","t:1"],"ndarray":[[1,2],[3,4]]},"meta":{"tags":{"kind":"int"}}}\n'),
    "f64": (200, b'{"data":{"names":[],"tensor":{"shape":[6],"values":[0.1,1e-05,1e+16,1.0,-2.5,123456789.0]}},"meta":{}}\n',
            b'{"data":{"names":[],"ndarray":[0.1,1e-05,1e+16,1.0,-2.5,123456789.0]},"meta":{"tags":{"kind":"f64"}}}\n'),
    "f32": (200, b'{"data":{"names":[],"tensor":{"shape":[3],"values":[0.10000000149011612,0.5,3.0]}},"meta":{}}\n',
            b'{"data":{"names":[],"ndarray":[0.10000000149011612,0.5,3.0]},"meta":{"tags":{"kind":"f32"}}}\n'),
    "uint8": (200, b'{"data":{"names":["t:0","t:1"],"tensor":{"shape":[1,2],"values":[0,255]}},"meta":{}}\n',
              b'{"data":{"names":["t:0","t:1"],"ndarray":[[0,255]]},"meta":{"tags":{"kind":"uint8"}}}\n'),
    "zerod": (200, b'{"data":{"names":[],"tensor":{"shape":[],"values":[3.0]}},"meta":{}}\n',
              b'{"data":{"names":[],"ndarray":3.0},"meta":{"tags":{"kind":"zerod"}}}\n'),
    "bool": (200, b'{"data":{"names":[],"ndarray":[true,false]},"meta":{}}\n',
             b'{"data":{"names":[],"ndarray":[true,false]},"meta":{"tags":{"kind":"bool"}}}\n'),
    "strarr": (200, b'{"data":{"names":[],"ndarray":["a","b\\u00e9"]},"meta":{}}\n',
               b'{"data":{"names":[],"ndarray":["a","b\\u00e9"]},"meta":{"tags":{"kind":"strarr"}}}\n'),
    "nan": (200, b'{"data":{"names":[],"tensor":{"shape":[3],"values":[NaN,Infinity,-Infinity]}},"meta":{}}\n',
            b'{"data":{"names":[],"ndarray":[NaN,Infinity,-Infinity]},"meta":{"tags":{"kind":"nan"}}}\n'),
    "mixed": (200, b'{"data":{"names":["t:0","t:1"],"ndarray":[[1,"a"],[2.5,null]]},"meta":{}}\n',
              b'{"data":{"names":["t:0","t:1"],"ndarray":[[1,"a"],[2.5,null]]},"meta":{"tags":{"kind":"mixed"}}}\n'),
    "list3d": (200, b'{"data":{"names":["t:0"],"tensor":{"shape":[2,1,2],"values":[1,2,3,4]}},"meta":{}}\n',
               b'{"data":{"names":["t:0"],"ndarray":[[[1,2]],[[3,4]]]},"meta":{"tags":{"kind":"list3d"}}}\n'),
    "empty": (200, b'{"data":{"names":[],"tensor":{"shape":[0],"values":[]}},"meta":{}}\n',
              b'{"data":{"names":[],"ndarray":[]},"meta":{"tags":{"kind":"empty"}}}\n'),
    "dict": (200, b'{"jsonData":{"a":{"x":[1.5,null,true],"y":"\\u00e9\\u2603\\ud83d\\ude00"},"b":1},"meta":{}}\n',
             b'{"jsonData":{"a":{"x":[1.5,null,true],"y":"\\u00e9\\u2603\\ud83d\\ude00"},"b":1},"meta":{"tags":{"kind":"dict"}}}\n'),
    "str": (200, b'{"meta":{},"strData":"h\\u00e9llo \\u2603 \\ud83d\\ude00 \\"q\\"\\n"}\n',
            b'{"meta":{"tags":{"kind":"str"}},"strData":"h\\u00e9llo \\u2603 \\ud83d\\ude00 \\"q\\"\\n"}\n'),
    "bytes": (200, b'{"binData":"AAH/YmluYXJ5","meta":{}}\n',
              b'{"binData":"AAH/YmluYXJ5","meta":{"tags":{"kind":"bytes"}}}\n'),
}

UNKNOWN_PAYLOAD = "Unknown data type returned as payload (must be list or np array):"
OUTPUT_ERRORS = {
    "tuple": (400, err_body(UNKNOWN_PAYLOAD + "(1, 2)", BAD_DATA)),
    "none": (400, err_body(UNKNOWN_PAYLOAD + "None", BAD_DATA)),
    "f64scalar": (400, err_body(UNKNOWN_PAYLOAD + "3.0", BAD_DATA)),
    "pyint": (400, err_body(UNKNOWN_PAYLOAD + "7", BAD_DATA)),
    "dict_np": (500, err_body("Object of type int64 is not JSON serializable")),
    "complex": (500, err_body("Object of type complex is not JSON serializable")),
}


@pytest.mark.parametrize("kind", sorted(OUTPUTS))
def test_output_types_without_data(types_server, kind):
    status, body, _ = OUTPUTS[kind]
    assert_json(post(types_server, "/predict", json={"strData": kind}), status, body)


@pytest.mark.parametrize("kind", sorted(OUTPUTS))
def test_output_types_with_ndarray_request(types_server, kind):
    status, _, body = OUTPUTS[kind]
    assert_json(post(types_server, "/predict", json=_with_data(kind)), status, body)


@pytest.mark.parametrize("kind", sorted(OUTPUT_ERRORS))
def test_output_type_errors(types_server, kind):
    status, body = OUTPUT_ERRORS[kind]
    assert_json(post(types_server, "/predict", json={"strData": kind}), status, body)
    assert_json(post(types_server, "/predict", json=_with_data(kind)), status, body)
    assert_json(post(types_server, "/predict", json={"strData": "int"}), 200, OUTPUTS["int"][1])


def test_output_tensor_request_keeps_tensor(types_server):
    r = post(types_server, "/predict", json={"data": {"tensor": {"shape": [1], "values": [0]}},
                                             "meta": {"tags": {"kind": "int"}}})
    assert_json(r, 200, b'{"data":{"names":["t:0","t:1"],"tensor":{"shape":[2,2],"values":[1,2,3,4]}},'
                        b'"meta":{"tags":{"kind":"int"}}}\n')
    # bool is not numeric: ndarray even for a tensor request
    r = post(types_server, "/predict", json={"data": {"tensor": {"shape": [1], "values": [0]}},
                                             "meta": {"tags": {"kind": "bool"}}})
    assert_json(r, 200, b'{"data":{"names":[],"ndarray":[true,false]},"meta":{"tags":{"kind":"bool"}}}\n')


def test_response_headers(id_server):
    r = raw_http(id_server.http_port, "POST", "/predict", body=b'{"strData":"x"}',
                 headers=[("Content-Type", "application/json")])
    assert r.status == 200
    assert r.body == b'{"meta":{},"strData":"x"}\n'
    assert r.header("Content-Type") == "application/json"
    assert r.header("Content-Length") == str(len(r.body))
    assert r.header("Access-Control-Allow-Origin") == "*"


def test_seldon_json(id_server):
    r = get(id_server, "/seldon.json")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    doc = json.loads(r.content)
    assert doc["info"]["title"] == "Seldon External API"
    if e2e_util.IS_ORIGINAL:
        # the original serves its packaged file; ours serves a document of its own that
        # describes every route (tests/test_openapi.py checks it)
        assert len(r.content) == 34888
        assert hashlib.sha256(r.content).hexdigest() == (
            "a55bca82a5374eb2356eadb085ed8974cd306c0915f5a1f65d0e5389ec64d2df")
        assert sorted(doc["paths"]) == ["/aggregate", "/predict", "/route", "/send-feedback",
                                        "/transform-input", "/transform-output"]
    else:
        assert doc["openapi"].startswith("3.0")
        assert {"/aggregate", "/predict", "/route", "/send-feedback", "/transform-input",
                "/transform-output"} <= set(doc["paths"])

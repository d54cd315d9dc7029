"""Black-box CLI tests: SPEC §1 (flags, env defaults, parameters, interface names, annotations)."""

import json
import os
import socket
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

import e2e_util
from e2e_util import T, free_ports, run_cli

ALL_FLAGS = ["--service-type", "--persistence", "--parameters", "--log-level", "--debug",
             "--tracing", "--workers", "--threads", "--max-requests", "--max-requests-jitter",
             "--keepalive", "--single-threaded", "--http-port", "--grpc-port", "--metrics-port",
             "--pidfile", "--access-log", "--grpc-threads", "--grpc-workers"]


def port_args():
    h, g, m = free_ports(3)
    return ["--http-port", str(h), "--grpc-port", str(g), "--metrics-port", str(m)]


def predict(srv, payload):
    r = requests.post(srv.url("/predict"), json=payload, timeout=T)
    return r.status_code, r.content


def served_pid(srv):
    status, body = predict(srv, {"strData": "pid"})
    assert status == 200, body
    return json.loads(body)["jsonData"]["pid"]


# --------------------------------------------------------------------------------------------
# argument errors


def test_unknown_positional_exits_255():
    rc, out = run_cli("id", ["REST"] + port_args(), interface="MyModel")
    assert rc == 255, out
    assert "Unknown args" in out
    assert "REST" in out


def test_invalid_service_type_exits_2():
    rc, out = run_cli("id", ["--service-type", "FOO"] + port_args(), interface="MyModel")
    assert rc == 2, out
    assert "usage:" in out
    assert "invalid choice: 'FOO'" in out


def test_invalid_int_flag_exits_2():
    rc, out = run_cli("id", ["--workers", "abc"] + port_args(), interface="MyModel")
    assert rc == 2, out
    assert "invalid int value: 'abc'" in out


def test_missing_interface_name_exits_2():
    rc, out = run_cli("id", port_args())
    assert rc == 2, out
    assert "usage:" in out


def test_help_exits_0_and_lists_flags():
    rc, out = run_cli("id", ["--help"])
    assert rc == 0, out
    assert "usage:" in out
    assert "interface_name" in out
    for flag in ALL_FLAGS:
        assert flag in out, flag


def test_bad_parameters_json_exits_1():
    rc, out = run_cli("id", ["--parameters", "[{bad"] + port_args(), interface="MyModel")
    assert rc == 1, out
    assert "JSONDecodeError" in out


BAD_PARAMS = [
    ({"name": "a", "value": "1.5", "type": "INT"},
     "Bad model parameter: a with value 1.5 can't be parsed as a INT"),
    ({"name": "a", "value": "abc", "type": "FLOAT"},
     "Bad model parameter: a with value abc can't be parsed as a FLOAT"),
    ({"name": "a", "value": "1", "type": "JSON"},
     "Bad model parameter type: JSON valid are INT, FLOAT, DOUBLE, STRING, BOOL"),
]


@pytest.mark.parametrize("param,message", BAD_PARAMS, ids=["int", "float", "json-type"])
def test_bad_parameter_value_exits_1(param, message):
    rc, out = run_cli("params_echo", ["--parameters", json.dumps([param])] + port_args(),
                      interface="MyModel")
    assert rc == 1, out
    assert "Traceback" in out
    assert "SeldonMicroserviceException" in out


@pytest.mark.ours_only
@pytest.mark.parametrize("param,message", BAD_PARAMS, ids=["int", "float", "json-type"])
def test_bad_parameter_message_is_printed(param, message):
    # the original raises SeldonMicroserviceException without args: its traceback has no text
    rc, out = run_cli("params_echo", ["--parameters", json.dumps([param])] + port_args(),
                      interface="MyModel")
    assert rc == 1, out
    assert message in out


def test_bad_bool_parameter_exits_1():
    p = json.dumps([{"name": "a", "value": "maybe", "type": "BOOL"}])
    rc, out = run_cli("params_echo", ["--parameters", p] + port_args(), interface="MyModel")
    assert rc == 1, out
    assert "invalid truth value 'maybe'" in out


def test_unknown_constructor_keyword_exits_1():
    p = json.dumps([{"name": "a", "value": "1", "type": "INT"}])
    rc, out = run_cli("id", ["--parameters", p] + port_args(), interface="MyModel")
    assert rc == 1, out
    assert "TypeError" in out and "unexpected keyword argument 'a'" in out


def test_import_failure_exits_1():
    rc, out = run_cli("id", port_args(), interface="NoSuchModule")
    assert rc == 1, out
    assert "No module named 'NoSuchModule'" in out


def test_invalid_seldon_log_level_exits_1():
    rc, out = run_cli("id", port_args(), env={"SELDON_LOG_LEVEL": "debug"}, interface="MyModel",
                      timeout=20)
    assert rc == 1, out


def test_non_integer_tracing_env_exits_1():
    rc, out = run_cli("id", port_args(), env={"TRACING": "abc"}, interface="MyModel", timeout=20)
    assert rc == 1, out


# --------------------------------------------------------------------------------------------
# parameters reach the constructor


PARAMS = [
    {"name": "i", "value": " 1_000 ", "type": "INT"},
    {"name": "f", "value": "1e-3", "type": "FLOAT"},
    {"name": "d", "value": "-2.5", "type": "DOUBLE"},
    {"name": "inf", "value": "inf", "type": "FLOAT"},
    {"name": "n", "value": "nan", "type": "DOUBLE"},
    {"name": "s", "value": "h\u00e9llo", "type": "STRING"},
    {"name": "b", "value": "Yes", "type": "BOOL"},
    {"name": "b2", "value": "off", "type": "BOOL"},
    {"name": "b3", "value": "1", "type": "BOOL"},
]
PARAMS_OUT = (b'{"jsonData":{"b":["bool",true],"b2":["bool",false],"b3":["bool",true],'
              b'"d":["float",-2.5],"f":["float",0.001],"i":["int",1000],"inf":["float",Infinity],'
              b'"n":["float","nan"],"s":["str","h\\u00e9llo"]},"meta":{}}\n')


def test_typed_parameters_flag(server):
    with server("params_echo", args=["--parameters", json.dumps(PARAMS)]) as srv:
        assert predict(srv, {"strData": "x"}) == (200, PARAMS_OUT)


def test_typed_parameters_env_and_flag_precedence(server):
    env = {"PREDICTIVE_UNIT_PARAMETERS": json.dumps(PARAMS)}
    with server("params_echo", env=env) as srv:
        assert predict(srv, {"strData": "x"}) == (200, PARAMS_OUT)
    flag = json.dumps([{"name": "x", "value": "8", "type": "INT"}])
    env = {"PREDICTIVE_UNIT_PARAMETERS": json.dumps([{"name": "x", "value": "7", "type": "INT"}])}
    with server("params_echo", env=env, args=["--parameters", flag]) as srv:
        assert predict(srv, {"strData": "x"}) == (200, b'{"jsonData":{"x":["int",8]},"meta":{}}\n')


# --------------------------------------------------------------------------------------------
# interface names, imports


def test_dotted_interface_in_namespace_package(server):
    with server("ns_model", "mymodule.my_model.MyModel") as srv:
        assert predict(srv, {"data": {"ndarray": [[1, 2]]}}) == (
            200, b'{"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},'
                 b'"meta":{"tags":{"where":"mymodule.my_model"}}}\n')


def test_seldon_component_subclass(server):
    # `from seldon_core.user_model import SeldonComponent` must work for ours even when the
    # original package is not installed (the test environment for ours has no seldon_core).
    with server("component") as srv:
        assert predict(srv, {"data": {"ndarray": [[1.5]]}}) == (
            200, b'{"data":{"names":["t:0"],"ndarray":[[1.5]]},"meta":{}}\n')


# --------------------------------------------------------------------------------------------
# env defaults, flag syntax


def test_env_port_defaults_and_gunicorn_workers(server):
    h, g, m = free_ports(3)
    env = {"PREDICTIVE_UNIT_HTTP_SERVICE_PORT": h, "PREDICTIVE_UNIT_GRPC_SERVICE_PORT": g,
           "PREDICTIVE_UNIT_METRICS_SERVICE_PORT": m, "GUNICORN_WORKERS": 2}
    srv = e2e_util.spawn("pid", env=env, ports=(h, g, m), pass_ports=False)
    try:
        e2e_util.wait_ready(srv)
        assert srv.base_url.endswith(":%d" % h)
        r = requests.get("http://127.0.0.1:%d/metrics" % m, timeout=T)
        assert r.status_code == 200
        pids = set()
        with ThreadPoolExecutor(4) as ex:  # concurrent slow requests: both workers must serve
            for _ in range(5):
                pids |= set(ex.map(lambda _: predict(srv, {"jsonData": {"sleep": 0.1}}), range(4)))
        assert all(status == 200 for status, _ in pids), pids
        pids = {json.loads(body)["jsonData"]["pid"] for _, body in pids}
        assert len(pids) == 2, pids
        if not (not e2e_util.IS_ORIGINAL and os.environ.get("SC_TEST_NO_GRPC") == "1"):
            deadline = time.monotonic() + 10
            while True:  # the gRPC port opens after the gRPC worker's load()
                try:
                    socket.create_connection(("127.0.0.1", g), timeout=2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
    except BaseException:
        print(srv.output())
        raise
    finally:
        srv.stop()


def test_metrics_endpoint_env(server):
    env = {"PREDICTIVE_UNIT_METRICS_ENDPOINT": "/metrics-endpoint"}
    with server("id", env=env) as srv:
        r = requests.get(srv.metrics_url + "/metrics-endpoint", timeout=T)
        assert (r.status_code, r.content) == (200, b"")
        assert requests.get(srv.metrics_url + "/metrics", timeout=T).status_code == 404


def test_flag_prefixes_and_equals_syntax(server):
    h, g, m = free_ports(3)
    srv = e2e_util.spawn("id", pass_ports=False, ports=(h, g, m), args=[
        "--http-p", str(h), "--grpc-port=%d" % g, "--metrics-p=%d" % m, "--service-type",
        "TRANSFORMER", "--persistence", "--log-level", "WARNING"])
    try:
        e2e_util.wait_ready(srv)
        assert predict(srv, {"strData": "x"}) == (200, b'{"meta":{},"strData":"x"}\n')
        assert requests.get(srv.metrics_url + "/metrics", timeout=T).status_code == 200
    except BaseException:
        print(srv.output())
        raise
    finally:
        srv.stop()


@pytest.mark.parametrize("svc", ["MODEL", "ROUTER", "COMBINER", "OUTLIER_DETECTOR"])
def test_service_type_only_validated(server, svc):
    with server("id", args=["--service-type", svc, "--persistence", "0"]) as srv:
        assert predict(srv, {"strData": "x"}) == (200, b'{"meta":{},"strData":"x"}\n')
        r = requests.get(srv.url("/transform-input"), params={"json": '{"strData":"t"}'},
                         timeout=T)
        assert (r.status_code, r.content) == (200, b'{"meta":{},"strData":"t"}\n')


def test_debug_flag_serves_in_main_process(server):
    with server("pid", args=["--debug"]) as srv:
        assert served_pid(srv) == srv.pid
        # the metrics port has a loop thread of its own in this mode, beside the REST one
        for _ in range(3):
            r = requests.get(srv.metrics_url + "/metrics", timeout=T)
            assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain")
            assert served_pid(srv) == srv.pid


@pytest.mark.ours_only
def test_debug_zero_is_false(server):
    # SPEC decision 4: `--debug 0` is false (the original treats any value as true)
    with server("pid", args=["--debug", "0"]) as srv:
        assert served_pid(srv) != srv.pid


# --------------------------------------------------------------------------------------------
# annotations (ours: SC_ANNOTATIONS_PATH instead of /etc/podinfo/annotations)


@pytest.mark.ours_only
def test_annotations_rest_timeout(server):
    with tempfile.NamedTemporaryFile("w", suffix=".annotations", delete=False) as f:
        f.write('kubernetes.io/config.seen="2024-01-01"\n'
                'this line has no equals sign\n'
                ' seldon.io/rest-timeout  =   "500"  \n'
                'seldon.io/grpc-max-message-size="10000000"\n')
        path = f.name
    try:
        with server("slow", env={"SC_ANNOTATIONS_PATH": path}) as srv:
            t0 = time.monotonic()
            r = requests.post(srv.url("/predict"), json={"jsonData": {"sleep": 3}}, timeout=T)
            elapsed = time.monotonic() - t0
            assert r.status_code == 504, r.content
            body = json.loads(r.content)
            assert body["status"]["reason"] == "MICROSERVICE_TIMEOUT"
            assert (body["status"]["code"], body["status"]["status"]) == (-1, 1)
            assert r.content.endswith(b"\n")
            assert elapsed < 2.5, elapsed
            # under the deadline: served (the worker may be a fresh replacement)
            deadline = time.monotonic() + 10
            while True:
                r = requests.post(srv.url("/predict"), json={"jsonData": {"sleep": 0.05}},
                                  timeout=T)
                if r.status_code == 200 or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            assert (r.status_code, r.content) == (200, b'{"jsonData":{"sleep":0.05},"meta":{}}\n')
    finally:
        os.unlink(path)

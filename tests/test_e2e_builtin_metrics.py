"""Our seldon_core_c_* metrics (docs/metrics.md): on by default, off with SC_BUILTIN_METRICS=0."""
import os
import re
import signal
import time

import pytest
import requests

T = 20
pytestmark = pytest.mark.ours_only


def _scrape(srv):
    r = requests.get("http://127.0.0.1:%d/metrics" % srv.metrics_port, timeout=T)
    assert r.status_code == 200
    return r.text


def _value(text, name, **labels):
    """The sample of `name` whose labels include all of `labels` (summed over the rest)."""
    total, found = 0.0, False
    for line in text.splitlines():
        m = re.match(r'^(\w+)\{(.*)\} (\S+)$', line)
        if not m or m.group(1) != name:
            continue
        have = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2)))
        if all(have.get(k) == v for k, v in labels.items()):
            total += float(m.group(3))
            found = True
    return total if found else None


def test_request_counts_latency_and_restarts(server):
    with server("id", env={"SC_BUILTIN_METRICS": "1"}, args=["--grpc-workers", "0"]) as srv:
        for _ in range(5):
            r = requests.post(srv.url("/api/v1.0/predictions"), json={"data": {"ndarray": [[1]]}}, timeout=T)
            assert r.status_code == 200
        requests.get(srv.url("/nowhere"), timeout=T)
        text = _scrape(srv)
        # readiness pings of the fixture count as HealthPing, not Predict
        assert _value(text, "seldon_core_c_requests_total", route="Predict", code="200") == 5.0
        assert _value(text, "seldon_core_c_requests_total", route="unknown", code="500") == 1.0
        assert _value(text, "seldon_core_c_request_duration_seconds_count", route="Predict") == 5.0
        assert _value(text, "seldon_core_c_requests_in_flight") == 0.0
        assert _value(text, "seldon_core_c_worker_resident_memory_bytes", kind="rest") > 1e6
        # every series carries the default labels and the slot
        assert 'worker_id="0"' in text and 'model_name="NOT_IMPLEMENTED"' in text

        with open(f"/proc/{srv.pid}/task/{srv.pid}/children") as f:
            worker = int(f.read().split()[0])
        os.kill(worker, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            text = _scrape(srv)
            if _value(text, "seldon_core_c_worker_restarts_total", kind="rest", cause="crash") == 1.0:
                break
            time.sleep(0.1)
        assert _value(text, "seldon_core_c_worker_restarts_total", kind="rest", cause="crash") == 1.0
        # the replacement continues the slot's counters (SPEC decision 6)
        r = requests.post(srv.url("/api/v1.0/predictions"), json={"data": {"ndarray": [[1]]}}, timeout=T)
        assert r.status_code == 200
        assert _value(_scrape(srv), "seldon_core_c_requests_total", route="Predict", code="200") == 6.0


def test_off_gives_the_original_exposition(server):
    with server("id", env={"SC_BUILTIN_METRICS": "0"}, args=["--grpc-workers", "0"]) as srv:
        requests.post(srv.url("/api/v1.0/predictions"), json={"data": {"ndarray": [[1]]}}, timeout=T)
        assert _scrape(srv) == ""  # the identity model records nothing; the original says nothing


def test_scrape_parses_with_prometheus_client(server):
    parser = pytest.importorskip("prometheus_client.parser")
    with server("metrics_any", env={"SC_BUILTIN_METRICS": "1"}, args=["--grpc-workers", "0"]) as srv:
        metrics = [{"type": "COUNTER", "key": "c1", "value": 2},
                   {"type": "GAUGE", "key": "g1", "value": 1.5, "tags": {"a": "x\"y"}},
                   {"type": "TIMER", "key": "t1", "value": 20.2}]
        r = requests.post(srv.url("/predict"), json={"jsonData": {"metrics": metrics}}, timeout=T)
        assert r.status_code == 200, r.content
        text = _scrape(srv)
        families = {f.name: f for f in parser.text_string_to_metric_families(text)}
        assert {"c1", "g1", "t1", "seldon_core_c_requests", "seldon_core_c_request_duration_seconds"} <= set(families)
        g = [s for s in families["g1"].samples][0]
        assert g.labels["a"] == 'x"y' and g.value == 1.5


@pytest.mark.skipif(os.environ.get("SC_TEST_NO_GRPC") == "1", reason="no gRPC workers")
def test_grpc_calls_are_counted(server):
    grpc = pytest.importorskip("grpc")
    with server("id", env={"SC_BUILTIN_METRICS": "1"}, args=["--grpc-workers", "1"]) as srv:
        with grpc.insecure_channel("127.0.0.1:%d" % srv.grpc_port) as ch:
            grpc.channel_ready_future(ch).result(timeout=30)
            from google.protobuf import json_format
            from test_e2e_metrics_grpc import _seldon_message_class

            msg = json_format.ParseDict({"data": {"ndarray": [[1.0]]}}, _seldon_message_class()())
            predict = ch.unary_unary("/seldon.protos.Model/Predict")
            for _ in range(3):
                predict(msg.SerializeToString(), timeout=T)
            bad = ch.unary_unary("/seldon.protos.Model/Predict")
            with pytest.raises(grpc.RpcError) as err:
                bad(b"\xff\xff", timeout=T)  # not a SeldonMessage
            assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            with pytest.raises(grpc.RpcError) as err:
                ch.unary_unary("/seldon.protos.Model/Nope")(b"", timeout=T)
            assert err.value.code() == grpc.StatusCode.UNIMPLEMENTED
        text = _scrape(srv)
        assert _value(text, "seldon_core_c_grpc_requests_total", method="seldon.protos.Model/Predict", code="OK") == 3.0
        assert _value(text, "seldon_core_c_grpc_requests_total", method="seldon.protos.Model/Predict",
                      code="INVALID_ARGUMENT") == 1.0
        assert _value(text, "seldon_core_c_grpc_requests_total", method="unknown", code="UNIMPLEMENTED") == 1.0
        assert _value(text, "seldon_core_c_grpc_request_duration_seconds_count",
                      method="seldon.protos.Model/Predict") == 4.0
        assert 'worker_id="1"' in text  # the gRPC worker's slot (after the one REST worker)

"""Custom metrics from REST and gRPC workers add up exactly in the master's scrape (issue 5):
2 REST + 2 gRPC workers, COUNTER/GAUGE/TIMER over both transports, slots numbered REST then gRPC."""
import os
import re

import pytest
import requests

import e2e_util

grpc = pytest.importorskip("grpc")
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory  # noqa: E402

pytestmark = [pytest.mark.ours_only,
              pytest.mark.skipif(os.environ.get("SC_TEST_NO_GRPC") == "1", reason="no gRPC workers")]
T = e2e_util.T
DESCRIPTOR_SET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "seldon_core_c", "_protos.pb")


def _seldon_message_class():
    pool = descriptor_pool.DescriptorPool()
    with open(DESCRIPTOR_SET, "rb") as f:
        for proto in descriptor_pb2.FileDescriptorSet.FromString(f.read()).file:
            pool.Add(proto)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("seldon.protos.SeldonMessage"))


METRICS = [{"type": "COUNTER", "key": "calls", "value": 1, "tags": {"via": "x"}},
           {"type": "GAUGE", "key": "level", "value": 7},
           {"type": "TIMER", "key": "work", "value": 20.2}]


def _samples(text, name):
    out = []
    for line in text.splitlines():
        m = re.match(r'^(\w+)\{(.*)\} (\S+)$', line)
        if m and m.group(1) == name:
            out.append((dict(re.findall(r'(\w+)="([^"]*)"', m.group(2))), float(m.group(3))))
    return out


def test_totals_across_rest_and_grpc_workers(server):
    SeldonMessage = _seldon_message_class()
    with server("metrics_any", args=["--workers", "2", "--grpc-workers", "2"]) as srv:
        n_rest, n_grpc = 40, 30
        with requests.Session() as s:
            for _ in range(n_rest):
                r = s.post(srv.url("/predict"), json={"jsonData": {"metrics": METRICS}}, timeout=T)
                assert r.status_code == 200, r.content
        msg = json_format.ParseDict({"jsonData": {"metrics": METRICS}}, SeldonMessage())
        channels = [grpc.insecure_channel("127.0.0.1:%d" % srv.grpc_port,
                                          options=[("grpc.use_local_subchannel_pool", 1)]) for _ in range(6)]
        try:
            for ch in channels:  # the gRPC port opens once the gRPC workers have loaded
                grpc.channel_ready_future(ch).result(timeout=30)
            for i in range(n_grpc):
                ch = channels[i % len(channels)]
                call = ch.unary_unary("/seldon.protos.Model/Predict",
                                      request_serializer=lambda m: m.SerializeToString(),
                                      response_deserializer=SeldonMessage.FromString)
                call(msg, timeout=T)
        finally:
            for ch in channels:
                ch.close()
        text = requests.get("http://127.0.0.1:%d/metrics" % srv.metrics_port, timeout=T).text
        calls = _samples(text, "calls_total")
        assert sum(v for _, v in calls) == n_rest + n_grpc
        assert all(lab["via"] == "x" and lab["method"] == "predict" for lab, _ in calls)
        workers = {lab["worker_id"] for lab, _ in calls}
        assert workers & {"0", "1"} and workers & {"2", "3"}, workers  # REST slots 0-1, gRPC 2-3
        assert workers <= {"0", "1", "2", "3"}
        assert {v for _, v in _samples(text, "level")} == {7.0}
        assert sum(v for _, v in _samples(text, "work_count")) == n_rest + n_grpc
        total_sum = sum(v for _, v in _samples(text, "work_sum"))
        assert abs(total_sum - 0.0202 * (n_rest + n_grpc)) < 1e-9
        # 20.2 ms lands in the bucket whose upper bound is 0.02347185009632733, not below
        below = sum(v for lab, v in _samples(text, "work_bucket") if lab["le"] == "0.019018554321561593")
        at = sum(v for lab, v in _samples(text, "work_bucket") if lab["le"] == "0.02347185009632733")
        assert below == 0 and at == n_rest + n_grpc

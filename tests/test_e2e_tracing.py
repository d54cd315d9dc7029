"""Black-box tracing suite (SPEC §8; docs/tracing.md) against the real server.

A UDP "Jaeger agent" on a free loopback port decodes what the server sends (jaeger.thrift
`Agent.emitBatch` in the Thrift compact protocol; the small decoder is below, independent of the
server's encoder), and an HTTP "collector" receives OTLP/HTTP JSON. Checked: one server span per
REST request and per gRPC call, the original's operation names (Flask view names; the full gRPC
method path), tags, parents from uber-trace-id and traceparent (headers and gRPC metadata), the
sampled flag of the caller, JAEGER_EXTRA_TAGS, JAEGER_CONFIG_PATH, the final flush on SIGTERM,
and silence when TRACING is unset.
"""

import http.server
import json
import os
import socket
import struct
import threading
import time

import pytest
import requests

import e2e_util

pytestmark = pytest.mark.ours_only  # the original needs jaeger/flask-opentracing pins; see docs

T = e2e_util.T
MASK64 = (1 << 64) - 1


# ---- a Thrift compact-protocol decoder (jaeger.thrift / agent.thrift) --------------------------

class CompactReader:
    def __init__(self, data):
        self.d = data
        self.i = 0

    def byte(self):
        b = self.d[self.i]
        self.i += 1
        return b

    def varint(self):
        v = shift = 0
        while True:
            b = self.byte()
            v |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return v

    def zigzag(self):
        v = self.varint()
        return (v >> 1) ^ -(v & 1)

    def binary(self):
        n = self.varint()
        s = self.d[self.i:self.i + n]
        assert len(s) == n, "truncated string"
        self.i += n
        return s

    def value(self, t, in_list=False):
        if t in (1, 2):  # bool: in a list, one byte (1 true)
            return self.byte() == 1 if in_list else t == 1
        if t == 3:
            return self.byte()
        if t in (4, 5, 6):
            return self.zigzag()
        if t == 7:
            v = struct.unpack("<d", self.d[self.i:self.i + 8])[0]
            self.i += 8
            return v
        if t == 8:
            return self.binary()
        if t in (9, 10):
            b = self.byte()
            n, et = b >> 4, b & 0x0F
            if n == 15:
                n = self.varint()
            return [self.value(et, True) for _ in range(n)]
        if t == 12:
            return self.struct()
        raise AssertionError("unexpected compact type %d at %d" % (t, self.i))

    def struct(self):
        fields, last = {}, 0
        while True:
            b = self.byte()
            if b == 0:
                return fields
            t, delta = b & 0x0F, b >> 4
            fid = last + delta if delta else self.zigzag()
            last = fid
            fields[fid] = t == 1 if t in (1, 2) else self.value(t)


def _tags(lst):
    out = {}
    for t in lst or []:
        key = t[1].decode()
        vtype = t[2]
        out[key] = {0: lambda: t[3].decode("utf-8", "replace"), 1: lambda: t[4],
                    2: lambda: t[5], 3: lambda: t[6]}[vtype]()
    return out


def decode_emit_batch(data):
    r = CompactReader(data)
    assert r.byte() == 0x82, "not the compact protocol"
    vt = r.byte()
    assert vt & 0x1F == 1 and vt >> 5 == 4, "not a oneway call (version 1)"
    r.varint()  # seqid
    assert r.binary() == b"emitBatch"
    args = r.struct()
    assert r.i == len(data), "trailing bytes"
    batch = args[1]
    process = {"service": batch[1][1].decode(), "tags": _tags(batch[1].get(2))}
    spans = []
    for s in batch[2]:
        spans.append({
            "trace_id": ((s[2] & MASK64) << 64) | (s[1] & MASK64),
            "span_id": s[3] & MASK64,
            "parent_id": s[4] & MASK64,
            "op": s.get(5, b"").decode(),
            "flags": s[7],
            "start": s[8],
            "duration": s[9],
            "tags": _tags(s.get(10)),
            "logs": [{"ts": lg[1], "fields": _tags(lg[2])} for lg in s.get(11, [])],
            "process": process,
        })
    return spans


class Agent:
    """A UDP socket on a free loopback port, decoding every datagram into spans."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.spans = []
        self.packets = 0
        self.errors = []
        self.lock = threading.Lock()
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopping:
            try:
                data = self.sock.recv(70000)
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                spans = decode_emit_batch(data)
            except Exception as e:  # keep it for the assertion, do not kill the thread
                with self.lock:
                    self.errors.append(repr(e))
                continue
            with self.lock:
                self.packets += 1
                self.spans.extend(spans)

    def wait(self, pred, timeout=10):
        """Waits until pred(spans) is true; returns the spans."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                spans = list(self.spans)
                assert not self.errors, self.errors
            if pred(spans) or time.monotonic() > deadline:
                return spans
            time.sleep(0.05)

    def close(self):
        self.stopping = True
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def agent():
    a = Agent()
    yield a
    a.close()


class Collector:
    """An OTLP/HTTP receiver: keeps (path, headers, JSON body) of every POST."""

    def __init__(self):
        posts = self.posts = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                posts.append((self.path, dict(self.headers), json.loads(body)))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def spans(self):
        out = []
        for _, _, doc in list(self.posts):
            for rs in doc["resourceSpans"]:
                for ss in rs["scopeSpans"]:
                    out.extend(ss["spans"])
        return out

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def by_marker(spans, key="url"):
    """Spans indexed by the `m=` query marker of their url tag (JAEGER_EXTRA_TAGS=url)."""
    out = {}
    for s in spans:
        url = s["tags"].get(key, "")
        if "m=" in url:
            out.setdefault(url.split("m=", 1)[1].split("&")[0], []).append(s)
    return out


def tracing_env(agent, **extra):
    env = {"TRACING": "1", "JAEGER_AGENT_PORT": agent.port}
    env.update(extra)
    return env


# ---- REST --------------------------------------------------------------------------------------

# (marker, method, path, body, expected operation name)
REST_CASES = [
    ("p1", "POST", "/predict", {"data": {"ndarray": [1, 2]}}, "Predict"),
    ("p2", "POST", "/api/v1.0/predictions", {"data": {"ndarray": [1]}}, "Predict"),
    ("p3", "POST", "/api/v0.1/predictions", {"data": {"ndarray": [1]}}, "Predict"),
    ("f1", "POST", "/send-feedback", {"reward": 1}, "SendFeedback"),
    ("f2", "POST", "/api/v1.0/feedback", {"reward": 1}, "SendFeedback"),
    ("ti", "POST", "/transform-input", {"data": {"ndarray": [1]}}, "TransformInput"),
    ("to", "POST", "/transform-output", {"data": {"ndarray": [1]}}, "TransformOutput"),
    ("ro", "POST", "/route", {"data": {"ndarray": [1]}}, "Route"),
    ("ag", "POST", "/aggregate", {"seldonMessages": [{"data": {"ndarray": [1]}}]}, "Aggregate"),
    ("hp", "GET", "/health/ping", None, "HealthPing"),
    ("hs", "GET", "/health/status", None, "HealthStatus"),
    ("h2", "GET", "/api/v1.0/health/status", None, "HealthStatus"),
    ("md", "GET", "/metadata", None, "Metadata"),
    ("oa", "GET", "/seldon.json", None, "openAPI"),
    ("op", "OPTIONS", "/predict", None, "Predict"),
    # the original's catch-all static rule: unknown GET/HEAD/OPTIONS paths and GET on POST-only
    # routes are its "static" view; other methods fail routing (405): Flask has no endpoint
    ("s1", "GET", "/nope", None, "static"),
    ("s2", "GET", "/api/v1.0/predictions", None, "static"),
    ("s3", "HEAD", "/nope", None, "static"),
    ("n1", "POST", "/nope", None, ""),
    ("n2", "POST", "/health/ping", None, ""),
]


def test_rest_spans_names_and_tags(server, agent):
    env = tracing_env(agent, JAEGER_EXTRA_TAGS="url")
    with server("id", env=env, args=["--grpc-workers", "0"]) as srv:
        statuses = {}
        for marker, method, path, body, _ in REST_CASES:
            r = requests.request(method, srv.url(path) + "?m=" + marker, json=body, timeout=T)
            statuses[marker] = r.status_code
        spans = agent.wait(lambda s: len(by_marker(s)) >= len(REST_CASES))
    got = by_marker(spans)
    for marker, method, path, _, op in REST_CASES:
        assert marker in got, "no span for %s %s" % (method, path)
        assert len(got[marker]) == 1, "one span per request: %s" % got[marker]
        s = got[marker][0]
        assert s["op"] == op, (method, path, s["op"])
        tags = s["tags"]
        assert tags["component"] == "Flask"
        assert tags["http.method"] == method
        assert tags["http.url"] == "http://127.0.0.1:%d%s" % (srv.http_port, path)  # base URL
        assert tags["span.kind"] == "server"
        assert tags["http.status_code"] == statuses[marker]
        assert isinstance(tags["http.status_code"], int)
        assert tags.get("error") is (True if statuses[marker] >= 500 else None)
        # a root span: the const sampler's tags, jaeger-client style
        assert s["parent_id"] == 0 and s["flags"] == 1
        assert tags["sampler.type"] == "const" and tags["sampler.param"] is True
        assert s["trace_id"] != 0 and s["span_id"] != 0
        assert 0 <= s["duration"] < 10_000_000
        assert abs(s["start"] / 1e6 - time.time()) < 120
        assert s["process"]["service"] == "MyModel"
        assert s["process"]["tags"]["jaeger.version"] == "C-seldon-core-c"
        assert "hostname" in s["process"]["tags"] and "ip" in s["process"]["tags"]
    assert statuses["n1"] == 500  # the error tag above was checked on a real 5xx
    assert len({s["span_id"] for s in spans}) == len(spans)


def test_rest_parent_context(server, agent):
    env = tracing_env(agent, JAEGER_EXTRA_TAGS="url")
    cases = {
        "u1": {"uber-trace-id": "1234abcd1234abcd:00000000000000aa:0:1"},
        "u2": {"uber-trace-id": "0af7651916cd43dd8448eb211c80319c:00000000000000bb:0:1"},  # 128-bit
        "u3": {"uber-trace-id": "1234abcd1234abcd%3A00000000000000dd%3A0%3A1"},  # URL-encoded
        "u4": {"Uber-Trace-Id": "abc:def:1:3"},  # any case; debug flag
        "w1": {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
        "b1": {"uber-trace-id": "not:a:valid"},  # corrupted: a new root
        "b2": {"traceparent": "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01"},
        # both: uber-trace-id (what jaeger-client reads) wins
        "both": {"uber-trace-id": "77:88:0:1",
                 "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
        # the caller did not sample: no span at all
        "x1": {"uber-trace-id": "1234abcd1234abcd:00000000000000ee:0:0"},
        "x2": {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"},
    }
    with server("id", env=env, args=["--grpc-workers", "0"]) as srv:
        for marker, headers in cases.items():
            r = requests.post(srv.url("/predict?m=" + marker), json={"data": {"ndarray": [1]}},
                              headers=headers, timeout=T)
            assert r.status_code == 200
        spans = agent.wait(lambda s: len(by_marker(s)) >= len(cases) - 2)
        time.sleep(1.5)  # one more flush interval: the unsampled ones must really be absent
        spans = agent.wait(lambda s: True)
    got = by_marker(spans)
    assert "x1" not in got and "x2" not in got

    def one(m):
        assert len(got[m]) == 1
        return got[m][0]

    s = one("u1")
    assert (s["trace_id"], s["parent_id"], s["flags"]) == (0x1234ABCD1234ABCD, 0xAA, 1)
    assert s["span_id"] not in (0, 0xAA)
    assert "sampler.type" not in s["tags"]  # a child span: no sampler tags
    s = one("u2")
    assert (s["trace_id"], s["parent_id"]) == (0x0AF7651916CD43DD8448EB211C80319C, 0xBB)
    s = one("u3")
    assert (s["trace_id"], s["parent_id"]) == (0x1234ABCD1234ABCD, 0xDD)
    s = one("u4")
    assert (s["trace_id"], s["parent_id"], s["flags"]) == (0xABC, 0xDEF, 3)
    s = one("w1")
    assert (s["trace_id"], s["parent_id"], s["flags"]) == (0x4BF92F3577B34DA6A3CE929D0E0E4736,
                                                            0x00F067AA0BA902B7, 1)
    for m in ("b1", "b2"):
        s = one(m)
        assert s["parent_id"] == 0 and s["tags"]["sampler.type"] == "const"
    s = one("both")
    assert (s["trace_id"], s["parent_id"]) == (0x77, 0x88)


def test_rest_extra_tags(server, agent):
    env = tracing_env(agent, JAEGER_EXTRA_TAGS=" path, method ,,url,headers,query_string,full_path,"
                                             "content_type,endpoint,host,not_an_attribute")
    with server("id", env=env, args=["--grpc-workers", "0"]) as srv:
        r = requests.post(srv.url("/api/v1.0/predictions?m=x1&b=2"), json={"data": {"ndarray": [1]}},
                          headers={"X-Custom": "hello"}, timeout=T)
        assert r.status_code == 200
        spans = agent.wait(lambda s: "x1" in by_marker(s))
        out = srv.output()
    tags = by_marker(spans)["x1"][0]["tags"]
    assert tags["path"] == "/api/v1.0/predictions"
    assert tags["method"] == "POST"
    assert tags["url"] == "http://127.0.0.1:%d/api/v1.0/predictions?m=x1&b=2" % srv.http_port
    assert tags["full_path"] == "/api/v1.0/predictions?m=x1&b=2"
    assert tags["query_string"] == "b'm=x1&b=2'"  # str() of werkzeug's bytes
    assert tags["content_type"] == "application/json"
    assert tags["endpoint"] == "Predict"
    assert tags["host"] == "127.0.0.1:%d" % srv.http_port
    assert "X-Custom: hello\r\n" in tags["headers"] and tags["headers"].endswith("\r\n\r\n")
    assert "not_an_attribute" not in tags
    assert "not_an_attribute" in out and "ignored" in out  # said once at start


# ---- gRPC --------------------------------------------------------------------------------------

try:
    import grpc
except ImportError:  # the REST tests still run
    grpc = None

needs_grpc = pytest.mark.skipif(grpc is None or os.environ.get("SC_TEST_NO_GRPC") == "1",
                                reason="grpcio missing or server without gRPC workers")


def _grpc_stub(port, method):
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    here = os.path.dirname(os.path.abspath(__file__))
    pool = descriptor_pool.DescriptorPool()
    with open(os.path.join(here, "..", "seldon_core_c", "_protos.pb"), "rb") as f:
        for p in descriptor_pb2.FileDescriptorSet.FromString(f.read()).file:
            pool.Add(p)
    msg = message_factory.GetMessageClass(pool.FindMessageTypeByName("seldon.protos.SeldonMessage"))
    ch = grpc.insecure_channel("127.0.0.1:%d" % port)
    grpc.channel_ready_future(ch).result(timeout=20)
    return ch, msg, ch.unary_unary(method, request_serializer=msg.SerializeToString,
                                   response_deserializer=msg.FromString)


@needs_grpc
def test_grpc_spans(server, agent):
    from google.protobuf import json_format
    with server("id", env=tracing_env(agent)) as srv:
        ch, msg, predict = _grpc_stub(srv.grpc_port, "/seldon.protos.Model/Predict")
        _, _, seldon_predict = _grpc_stub(srv.grpc_port, "/seldon.protos.Seldon/Predict")
        ok = json_format.Parse('{"data":{"ndarray":[1,2]}}', msg())
        bad = json_format.Parse('{"data":{"tensor":{"shape":[3],"values":[1,2]}}}', msg())
        predict(ok, metadata=[("uber-trace-id", "1234abcd1234abcd:00000000000000cc:0:1")], timeout=T)
        seldon_predict(ok, metadata=[("traceparent",
                                      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")],
                       timeout=T)
        predict(ok, metadata=[("uber-trace-id", "1234abcd1234abcd:00000000000000cd:0:0")], timeout=T)
        with pytest.raises(grpc.RpcError) as ei:
            predict(bad, timeout=T)
        details = ei.value.details()
        ch.close()
        spans = agent.wait(lambda s: len([x for x in s if x["tags"].get("component") == "grpc"]) >= 3)
        time.sleep(1.2)
        spans = [s for s in agent.wait(lambda s: True) if s["tags"].get("component") == "grpc"]
    assert len(spans) == 3, spans  # the unsampled caller's call has none
    by_parent = {s["parent_id"]: s for s in spans}
    s = by_parent[0xCC]
    assert s["op"] == "/seldon.protos.Model/Predict"
    assert s["trace_id"] == 0x1234ABCD1234ABCD and s["flags"] == 1
    assert s["tags"]["span.kind"] == "server"
    assert s["tags"]["peer.ipv4"] == "127.0.0.1" and s["tags"]["peer.port"].isdigit()
    assert "error" not in s["tags"] and s["logs"] == []
    s = by_parent[0x00F067AA0BA902B7]
    assert s["op"] == "/seldon.protos.Seldon/Predict"
    assert s["trace_id"] == 0x4BF92F3577B34DA6A3CE929D0E0E4736
    s = by_parent[0]
    assert s["op"] == "/seldon.protos.Model/Predict"
    assert s["tags"]["error"] is True and s["tags"]["sampler.type"] == "const"
    assert len(s["logs"]) == 1
    log = s["logs"][0]["fields"]
    assert log == {"event": "error", "error.kind": "StatusCode.UNKNOWN", "message": details}
    assert s["process"]["service"] == "MyModel"


# ---- off, OTLP, configuration, shutdown ---------------------------------------------------------

def test_no_tracing_no_packets(server, agent):
    env = {"JAEGER_AGENT_PORT": agent.port, "JAEGER_EXTRA_TAGS": "url"}  # TRACING unset
    with server("id", env=env) as srv:
        requests.post(srv.url("/predict"), json={"data": {"ndarray": [1]}}, timeout=T)
        requests.get(srv.url("/nope"), timeout=T)
        if grpc is not None and os.environ.get("SC_TEST_NO_GRPC") != "1":
            from google.protobuf import json_format
            ch, msg, predict = _grpc_stub(srv.grpc_port, "/seldon.protos.Model/Predict")
            predict(json_format.Parse('{"data":{"ndarray":[1]}}', msg()), timeout=T)
            ch.close()
        time.sleep(2.5)
        assert "Initializing tracing" not in srv.output()
    with server("id", env=dict(env, TRACING="0")) as srv:
        requests.post(srv.url("/predict"), json={"data": {"ndarray": [1]}}, timeout=T)
        time.sleep(1.5)
    assert agent.packets == 0 and agent.spans == []


def test_otlp_json(server, agent):
    col = Collector()
    try:
        env = tracing_env(agent, OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:%d" % col.port,
                          OTEL_EXPORTER_OTLP_HEADERS="x-tenant=t%201", JAEGER_EXTRA_TAGS="url")
        with server("id", env=env, args=["--grpc-workers", "0"]) as srv:
            r = requests.post(srv.url("/predict?m=o1"), json={"data": {"ndarray": [1]}},
                              headers={"uber-trace-id": "1234abcd1234abcd:00000000000000aa:0:1"},
                              timeout=T)
            assert r.status_code == 200
            requests.post(srv.url("/nope?m=o2"), timeout=T)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and len([s for s in col.spans()
                                                       if s["name"] in ("Predict", "")]) < 2:
                time.sleep(0.05)
            # the Jaeger agent gets the same spans (both exporters run)
            jspans = agent.wait(lambda s: {"o1", "o2"} <= set(by_marker(s)))
        path, headers, doc = col.posts[0]
    finally:
        col.close()
    assert path == "/v1/traces"
    assert headers["Content-Type"] == "application/json"
    assert headers["x-tenant"] == "t 1"
    rattrs = {a["key"]: a["value"] for a in doc["resourceSpans"][0]["resource"]["attributes"]}
    assert rattrs["service.name"] == {"stringValue": "MyModel"}
    spans = {s["name"]: s for s in col.spans()}
    s = spans["Predict"]
    assert s["traceId"] == "00000000000000001234abcd1234abcd"
    assert s["parentSpanId"] == "00000000000000aa"
    assert len(s["spanId"]) == 16 and s["kind"] == 2
    assert int(s["endTimeUnixNano"]) >= int(s["startTimeUnixNano"]) > 0
    attrs = {a["key"]: a["value"] for a in s["attributes"]}
    assert attrs["http.status_code"] == {"intValue": "200"}
    assert attrs["component"] == {"stringValue": "Flask"}
    assert s["status"] == {}
    e = spans[""]
    assert e["status"] == {"code": 2}
    assert {a["key"]: a["value"] for a in e["attributes"]}["error"] == {"boolValue": True}
    j = by_marker(jspans)["o1"][0]
    assert "%016x" % j["span_id"] == s["spanId"]


def test_config_yaml(server, agent, tmp_path):
    cfg = tmp_path / "tracing.yaml"
    cfg.write_text("# jaeger-client configuration\nservice_name: renamed\nsampler:\n  type: const\n"
                   "  param: 1\nlocal_agent:\n  reporting_host: 127.0.0.1\n"
                   "  reporting_port: %d\nlogging: false\ntags:\n  team: ml\n" % agent.port)
    env = {"TRACING": "1", "JAEGER_CONFIG_PATH": str(cfg), "JAEGER_AGENT_PORT": "1"}
    with server("id", env=env, args=["--grpc-workers", "0"]) as srv:
        requests.get(srv.url("/health/status"), timeout=T)
        spans = agent.wait(lambda s: any(x["op"] == "HealthStatus" for x in s))
        out = srv.output()
    s = [x for x in spans if x["op"] == "HealthStatus"][0]
    assert s["process"]["service"] == "renamed"
    assert s["process"]["tags"]["team"] == "ml"
    assert "Reporting span" not in out  # logging: false
    assert "Loading tracing config from" in out

    cfg.write_text("sampler:\n  type: const\n  param: 0\nlocal_agent:\n  reporting_port: %d\n" % agent.port)
    with server("id", env=env, args=["--grpc-workers", "0"]) as srv:
        requests.get(srv.url("/health/status"), timeout=T)
        time.sleep(2)
    assert len([x for x in agent.spans if x["process"]["service"] == "MyModel"]) == 0

    cfg.write_text("sampler:\n  type: remote\n")  # jaeger-client: Unknown sampler type remote
    with server("id", env=env, args=["--grpc-workers", "0"], ready=False) as srv:
        rc = srv.wait_exit(30)
        assert rc not in (None, 0)
        assert "Unknown sampler type remote" in srv.output()


def test_default_logging_and_flush_on_sigterm(server, agent, tmp_path):
    # a long flush interval: only the final flush at SIGTERM can deliver the span
    cfg = tmp_path / "tracing.yaml"
    cfg.write_text("sampler:\n  type: const\n  param: 1\nlocal_agent:\n  reporting_host: 0.0.0.0\n"
                   "  reporting_port: %d\nlogging: true\nreporter_flush_interval: 60\n" % agent.port)
    env = {"TRACING": "1", "JAEGER_CONFIG_PATH": str(cfg)}
    with server("id", env=env, args=["--grpc-workers", "0", "--workers", "2"]) as srv:
        for i in range(4):
            requests.get(srv.url("/metadata"), timeout=T)
        time.sleep(1.5)
        assert not [s for s in agent.spans if s["op"] == "Metadata"]
        srv.stop()
        assert srv.proc.returncode == 0
        spans = agent.wait(lambda s: len([x for x in s if x["op"] == "Metadata"]) >= 4, timeout=5)
        out = srv.output()
    assert len([x for x in spans if x["op"] == "Metadata"]) == 4
    assert out.count("Reporting span ") >= 4 and "MyModel.Metadata" in out

#!/usr/bin/env python3
"""The benchmark suite: seldon-core-c against the original seldon-core 1.17.1, in one run.

    python benchmarks/run.py            # full suite (~20 min): results/latest.json,
                                        # docs/benchmarks.md, docs/img/bench_*.png
    python benchmarks/run.py --quick    # CI smoke (< 60 s): REST 1x4, c=16, 1 worker, 1 round;
                                        # checks every number; exit 1 on failure
    make bench / make bench-smoke

What it does (docs/benchmarks.md explains the method and the choices):
* Both servers run the same model files (benchmarks/models/) side by side on 127.0.0.1 ports, and
  every case is run against each in turn (the order alternates per case and round), so load
  from other users of the machine hits both alike. Each case runs --rounds times; medians are
  reported.
* REST load: wrk (one client thread; benchmarks/post.lua posts the body from a file and prints
  the latency percentiles). gRPC load: h2load (nghttp2-client) speaking gRPC over HTTP/2 itself:
  the body file is a gRPC length-prefixed protobuf message, sent with content-type
  application/grpc; every response is checked to carry a message of the expected size (a failed
  gRPC call answers HTTP 200 with no message), and one call per case is checked with grpcio.
* Per run: requests/s, p50/p99 latency, server CPU per request (utime+stime, children included,
  over the server's whole process tree from /proc, before/after the measured window).
  Per server: PSS of the whole tree (/proc/<pid>/smaps_rollup, summed) and spawn -> first 200
  on /health/ping.
* Reference servers built here with gcc from benchmarks/ref_server.c: libevent answering a fixed
  body (the machine's limit), and the same calling one trivial Python function per request
  through embedded CPython (the limit of any server that calls Python once per request).

Environment: OURS (default .venv/bin/seldon-core-microservice), ORIG (default
/opt/seldon-orig/bin/seldon-core-microservice).
"""
import argparse
import http.client
import json
import math
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VENV_DIR = os.path.join(ROOT, ".venv")
VENV_PY = os.path.join(VENV_DIR, "bin", "python")

# grpcio (for the one checked call per gRPC case) lives in the project's venv: re-run there.
try:
    import grpc  # noqa: F401
except ImportError:
    if os.path.exists(VENV_PY) and os.path.realpath(sys.prefix) != os.path.realpath(VENV_DIR) \
            and not os.environ.get("SC_BENCH_REEXEC"):
        os.environ["SC_BENCH_REEXEC"] = "1"
        os.execv(VENV_PY, [VENV_PY] + sys.argv)
    raise

# The environment every server gets: ours as we found it (grpcio in this process may add to
# os.environ later).
SERVER_ENV = {k: v for k, v in os.environ.items() if k != "SC_BENCH_REEXEC"}

RESULTS_DIR = os.path.join(HERE, "results")
TMP_DIR = os.path.join(RESULTS_DIR, "tmp")  # gitignored: logs, body files
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
IMG_DIR = os.path.join(ROOT, "docs", "img")
POST_LUA = os.path.join(HERE, "post.lua")
REF_SRC = os.path.join(HERE, "ref_server.c")
MODELS = os.path.join(HERE, "models")
CLK_TCK = os.sysconf("SC_CLK_TCK")
PREDICT_PATH = "/api/v1.0/predictions"
GRPC_METHOD = "/seldon.protos.Model/Predict"

SERVER_LABEL = {"orig": "original 1.17.1", "ours": "seldon-core-c",
                "ref_c": "C reference (fixed body)", "ref_py": "C + Python-call reference"}


def log(msg):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


# --------------------------------------------------------------------------------------------
# Payloads: the same request over REST (JSON) and gRPC (protobuf, encoded by hand so neither
# message classes nor protoc are needed).

def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _ld(field, data):  # length-delimited field
    return _varint(field << 3 | 2) + _varint(len(data)) + data


def _pb_value(v):
    """google.protobuf.Value"""
    if v is None:
        return _varint(1 << 3 | 0) + b"\x00"
    if isinstance(v, bool):
        return _varint(4 << 3 | 0) + (b"\x01" if v else b"\x00")
    if isinstance(v, (int, float)):
        return _varint(2 << 3 | 1) + struct.pack("<d", float(v))
    if isinstance(v, str):
        return _ld(3, v.encode())
    if isinstance(v, dict):
        fields = b"".join(_ld(1, _ld(1, k.encode()) + _ld(2, _pb_value(x))) for k, x in v.items())
        return _ld(5, fields)
    if isinstance(v, list):
        return _ld(6, b"".join(_ld(1, _pb_value(x)) for x in v))
    raise TypeError(type(v))


def _pb_seldon_message(kind, value):
    if kind == "ndarray":  # SeldonMessage.data(3) -> DefaultData.ndarray(3): ListValue
        listvalue = b"".join(_ld(1, _pb_value(row)) for row in value)
        return _ld(3, _ld(3, listvalue))
    if kind == "tensor":  # DefaultData.tensor(2): Tensor{shape(1) packed int32, values(2) packed}
        shape, values = value
        tensor = _ld(1, b"".join(_varint(d) for d in shape)) + \
            _ld(2, struct.pack("<%dd" % len(values), *values))
        return _ld(3, _ld(2, tensor))
    if kind == "strData":
        return _ld(5, value.encode())
    if kind == "jsonData":
        return _ld(6, _pb_value(value))
    raise ValueError(kind)


def _grpc_frame(msg):
    return b"\x00" + struct.pack(">I", len(msg)) + msg


def make_payloads():
    """name -> {title, rest (bytes), grpc (framed bytes or None), check(response_json)}"""
    rnd = random.Random(0)

    def values(n):  # typical model input: floats with 6 decimals (shortest repr ~9 chars)
        return [round(rnd.uniform(-1, 1), 6) for _ in range(n)]

    nd1 = [[1.0, 2.0, 3.0, 4.0]]
    v100 = values(10000)
    nd100 = [v100[i * 100:(i + 1) * 100] for i in range(100)]
    t100 = values(10000)
    t1000 = values(1000000)
    text = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ")
                   for _ in range(1024))
    small = {"name": "bench", "id": 7, "values": [1.5, 2.5, 3.5], "flags": {"a": True, "b": None}}

    def nd_check(rows, cols):
        return lambda r: len(r["data"]["ndarray"]) == rows and len(r["data"]["ndarray"][0]) == cols

    def t_check(shape):
        return lambda r: r["data"]["tensor"]["shape"] == shape

    spec = [
        ("nd1x4", "ndarray 1x4", "ndarray", nd1, nd_check(1, 4), True),
        ("nd100", "ndarray 100x100", "ndarray", nd100, nd_check(100, 100), True),
        ("t100", "tensor 100x100", "tensor", ([100, 100], t100), t_check([100, 100]), True),
        ("t1000", "tensor 1000x1000", "tensor", ([1000, 1000], t1000), t_check([1000, 1000]),
         False),  # REST only: see docs/benchmarks.md
        ("str1k", "strData 1 KB", "strData", text, lambda r: r["strData"] == text, True),
        ("json", "jsonData small", "jsonData", small, lambda r: r["jsonData"] == small, True),
    ]
    out = {}
    for name, title, kind, value, check, grpc_too in spec:
        if kind in ("ndarray",):
            rest = {"data": {"ndarray": value}}
        elif kind == "tensor":
            rest = {"data": {"tensor": {"shape": value[0], "values": value[1]}}}
        else:
            rest = {kind: value}
        out[name] = {
            "title": title,
            "rest": json.dumps(rest, separators=(",", ":")).encode(),
            "grpc": _grpc_frame(_pb_seldon_message(kind, value)) if grpc_too else None,
            "check": check,
        }
    return out


# --------------------------------------------------------------------------------------------
# /proc: process tree, CPU, PSS

def _stat_fields(pid):
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    return s[s.rindex(")") + 2:].split()  # fields from 3 (state) on


def process_tree(root):
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            ppid = int(_stat_fields(int(d))[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d))
    tree, todo = [], [root]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(children.get(p, ()))
    return tree


def tree_cpu_seconds(root):
    """utime+stime+cutime+cstime summed over the tree (children reaped meanwhile stay counted
    through their parent's cutime/cstime)."""
    ticks = 0
    for p in process_tree(root):
        try:
            f = _stat_fields(p)
        except OSError:
            continue
        ticks += sum(int(x) for x in f[11:15])
    return ticks / CLK_TCK


def machine_busy_seconds():
    """CPU time of the whole machine that is not idle or iowait (steal included)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = v
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


def client_cpu_seconds():
    """CPU time of our reaped children: the load generators (servers are reaped only at stop)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def tree_pss_kb(root):
    total, n = 0, 0
    for p in process_tree(root):
        try:
            with open("/proc/%d/smaps_rollup" % p) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        n += 1
                        break
        except OSError:
            continue
    return total, n


# --------------------------------------------------------------------------------------------
# Servers

def free_port_block(n=3):
    for _ in range(200):
        base = random.randrange(20000, 60000)
        socks = []
        try:
            for i in range(n):
                s = socket.socket()
                socks.append(s)
                s.bind(("0.0.0.0", base + i))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free port block")


class Server:
    def __init__(self, kind, argv, cwd, port, grpc_port=None, tag=""):
        self.kind, self.argv, self.cwd = kind, argv, cwd
        self.port, self.grpc_port = port, grpc_port
        self.proc = None
        self.tag = tag
        self.log_path = os.path.join(TMP_DIR, "server-%s%s.log" % (kind, tag))
        self.start_s = None

    def start(self):
        logf = open(self.log_path, "ab")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(self.argv, cwd=self.cwd, stdout=logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=SERVER_ENV,
                                     start_new_session=True)
        logf.close()
        RUNNING.append(self)
        deadline = t0 + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with %s; see %s" % (self.kind, self.proc.returncode,
                                                                   self.log_path))
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                c.request("GET", "/health/ping")
                ok = c.getresponse().status == 200
                c.close()
                if ok:
                    self.start_s = time.monotonic() - t0
                    return self.start_s
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.002)
        raise RuntimeError("%s: no 200 on /health/ping within 60 s; see %s"
                           % (self.kind, self.log_path))

    def stop(self):
        if not self.proc:
            return
        pid = self.proc.pid
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            try:
                os.killpg(pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
            if not _group_members(pid):
                break
        for p in _group_members(pid):  # stragglers of our own session only
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc = None
        if self in RUNNING:
            RUNNING.remove(self)

    def cpu(self):
        return tree_cpu_seconds(self.proc.pid)

    def pss(self):
        return tree_pss_kb(self.proc.pid)


def _group_members(pgid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                f = _stat_fields(int(d))
                if int(f[2]) == pgid and f[0] != "Z":
                    out.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return out


RUNNING = []


def stop_all(*_):
    for s in list(RUNNING):
        s.stop()


def seldon_server(kind, binary, model, workers, threads=1, tag=""):
    base = free_port_block(3)
    argv = [binary, model, "--http-port", str(base), "--grpc-port", str(base + 1),
            "--metrics-port", str(base + 2), "--workers", str(workers),
            "--grpc-workers", str(workers), "--threads", str(threads),
            "--grpc-threads", str(threads)]
    return Server(kind, argv, os.path.join(MODELS, model_dir(model)), base, base + 1, tag)


def model_dir(model):
    return {"MyModel": "identity", "Sleep10": "sleep10"}[model]


def build_refs(tmp):
    """gcc ref_server.c twice: ref_c (fixed body) and ref_py (embedded CPython call)."""
    import sysconfig
    out = {}
    cflags = ["-O2", "-Wall", "-Wextra", "-Werror"]
    exe = os.path.join(tmp, "ref_c")
    subprocess.run(["gcc"] + cflags + ["-o", exe, REF_SRC, "-levent"], check=True)
    out["ref_c"] = exe
    inc = sysconfig.get_paths()["include"]
    libdir = sysconfig.get_config_var("LIBDIR")
    ldver = sysconfig.get_config_var("LDVERSION") or "3.11"
    exe = os.path.join(tmp, "ref_py")
    subprocess.run(["gcc"] + cflags + ["-DREF_PYTHON", "-I" + inc, "-o", exe, REF_SRC,
                    "-levent", "-L" + libdir, "-Wl,-rpath," + libdir, "-lpython" + ldver, "-lm"],
                   check=True)
    out["ref_py"] = exe
    return out


def ref_server(kind, exe, workers, tag=""):
    port = free_port_block(1)
    return Server(kind, [exe, str(port), str(workers)], TMP_DIR, port, None, tag)


# --------------------------------------------------------------------------------------------
# Checks and load generators

def check_rest(server, payload):
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    c.request("POST", PREDICT_PATH, body=payload["rest"],
              headers={"Content-Type": "application/json"})
    r = c.getresponse()
    body = r.read()
    c.close()
    if r.status != 200:
        raise RuntimeError("%s: REST status %d: %r" % (server.kind, r.status, body[:300]))
    if server.kind in ("orig", "ours") and not payload["check"](json.loads(body)):
        raise RuntimeError("%s: unexpected REST answer %r" % (server.kind, body[:300]))
    return len(body)


def check_grpc(server, payload):
    """One call with grpcio: the status must be OK; returns the response message size."""
    ch = grpc.insecure_channel("127.0.0.1:%d" % server.grpc_port,
                               options=[("grpc.max_receive_message_length", 64 << 20),
                                        ("grpc.max_send_message_length", 64 << 20)])
    try:
        fn = ch.unary_unary(GRPC_METHOD)
        resp = fn(payload["grpc"][5:], timeout=120, wait_for_ready=True)
    finally:
        ch.close()
    if not resp:
        raise RuntimeError("%s: empty gRPC answer" % server.kind)
    return len(resp)


def percentile(sorted_vals, p):
    if not sorted_vals:
        return None
    k = max(0, min(len(sorted_vals) - 1, math.ceil(p / 100.0 * len(sorted_vals)) - 1))
    return sorted_vals[k]


def run_wrk(server, body_file, conns, seconds, timeout):
    env = dict(os.environ, SC_BENCH_BODY_FILE=body_file, SC_BENCH_JSON="1")
    cmd = ["wrk", "-t1", "-c%d" % conns, "-d%ds" % seconds, "--timeout", "%ds" % timeout,
           "-s", POST_LUA, "http://127.0.0.1:%d%s" % (server.port, PREDICT_PATH)]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=seconds + timeout + 60)
    line = [ln for ln in p.stdout.splitlines() if ln.startswith("SC_BENCH_RESULT ")]
    if p.returncode != 0 or not line:
        raise RuntimeError("wrk failed (%s): %s %s"
                           % (p.returncode, p.stdout[-500:], p.stderr[-500:]))
    r = json.loads(line[0].split(" ", 1)[1])
    errors = sum(r["errors"].values())
    return {"requests": r["requests"], "seconds": r["duration_us"] / 1e6,
            "rps": r["requests"] / (r["duration_us"] / 1e6),
            "p50_ms": r["latency_us"]["p50"] / 1000.0, "p99_ms": r["latency_us"]["p99"] / 1000.0,
            "errors": errors, "error_detail": r["errors"]}


def run_h2load(server, body_file, conns, seconds, resp_size):
    logf = os.path.join(TMP_DIR, "h2load-%s.log" % server.kind)
    if os.path.exists(logf):  # h2load appends
        os.unlink(logf)
    cmd = ["h2load", "-t1", "-c%d" % conns, "-m1", "-D", "%g" % seconds,
           "-H", "content-type: application/grpc", "-H", "te: trailers",
           "-d", body_file, "--log-file", logf,
           "http://127.0.0.1:%d%s" % (server.grpc_port, GRPC_METHOD)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    out = p.stdout
    if p.returncode != 0:
        raise RuntimeError("h2load failed (%s): %s %s"
                           % (p.returncode, out[-800:], p.stderr[-500:]))
    finished = [ln for ln in out.splitlines() if ln.startswith("finished in")][0]
    reqline = [ln for ln in out.splitlines() if ln.startswith("requests:")][0]
    traffic = [ln for ln in out.splitlines() if ln.startswith("traffic:")][0]
    nums = [int(x) for x in reqline.replace(",", " ").split() if x.isdigit()]
    total, started, done, succeeded, failed, errored, timeouts = nums[:7]
    data_bytes = int(re.search(r"\((\d+)\) data", traffic).group(1))
    lat = []
    with open(logf) as f:
        for ln in f:
            parts = ln.split("\t")
            if len(parts) >= 3 and parts[1] == "200":
                lat.append(int(parts[2]))
    lat.sort()
    # Duration: h2load prints "finished in 3.00s, N req/s"
    seconds_measured = _parse_h2_duration(finished.split()[2].rstrip(","))
    # A gRPC error is HTTP 200 without a message: every response must carry one of full size.
    expected = done * (5 + resp_size)
    errors = failed + errored + timeouts
    if done and abs(data_bytes - expected) > 0.02 * expected + 4096:
        errors += max(1, int(abs(data_bytes - expected) / (5 + resp_size)))
    return {"requests": succeeded, "seconds": seconds_measured,
            "rps": succeeded / seconds_measured if seconds_measured else 0.0,
            "p50_ms": percentile(lat, 50) / 1000.0 if lat else None,
            "p99_ms": percentile(lat, 99) / 1000.0 if lat else None,
            "errors": errors,
            "error_detail": {"failed": failed, "errored": errored, "timeout": timeouts,
                             "data_bytes": data_bytes, "expected_data_bytes": expected}}


def _parse_h2_duration(s):
    for unit, mul in (("ms", 1e-3), ("us", 1e-6), ("s", 1.0)):
        if s.endswith(unit):
            return float(s[:-len(unit)]) * mul
    return float(s)


# --------------------------------------------------------------------------------------------
# The suite

class Suite:
    def __init__(self, args):
        self.args = args
        self.payloads = make_payloads()
        self.body_files = {}
        for name, p in self.payloads.items():
            for proto in ("rest", "grpc"):
                if p[proto] is not None:
                    ext = "json" if proto == "rest" else "grpc"
                    fn = os.path.join(TMP_DIR, "body-%s.%s" % (name, ext))
                    with open(fn, "wb") as f:
                        f.write(p[proto])
                    self.body_files[(name, proto)] = fn
        self.runs = []      # every measured run
        self.startup = []   # start-to-ping / idle PSS samples
        self.pss_loaded = []
        self.failures = []
        self.resp_sizes = {}
        self.active = []    # servers running now (all must be idle before a load starts)

    def wait_idle(self, max_s=30.0):
        """Wait until no running server burns CPU: work left over from the previous load (a
        client that stops leaves queued requests behind) must not land in the next window."""
        deadline = time.monotonic() + max_s
        while time.monotonic() < deadline:
            before = [s.cpu() for s in self.active]
            time.sleep(0.15)
            after = [s.cpu() for s in self.active]
            if all(b - a <= 0.015 for a, b in zip(before, after)):
                return
        log("  warning: servers still busy after %.0f s" % max_s)

    # One measured run of one case against one server.
    def measure(self, server, case, rnd, warm):
        proto, name, conns, seconds = case["proto"], case["payload"], case["c"], case["seconds"]
        payload = self.payloads[name]
        body_file = self.body_files[(name, proto)]
        key = (server.kind, server.tag, proto, name)
        if key not in self.resp_sizes:  # validate once per server and case
            if proto == "rest":
                self.resp_sizes[key] = check_rest(server, payload)
            else:
                self.resp_sizes[key] = check_grpc(server, payload)
        if warm:  # the 1000x1000 case warms with one connection (16 would leave a long queue)
            self.wait_idle()
            self._load(server, proto, body_file, 1 if name == "t1000" else conns,
                       self.args.warmup, key)
        self.wait_idle()
        m0, k0, t0, c0 = machine_busy_seconds(), client_cpu_seconds(), time.monotonic(), server.cpu()
        r = self._load(server, proto, body_file, conns, seconds, key)
        c1, t1, k1, m1 = server.cpu(), time.monotonic(), client_cpu_seconds(), machine_busy_seconds()
        r["cpu_us_per_req"] = (c1 - c0) * 1e6 / r["requests"] if r["requests"] else None
        # CPUs busy with anything but this server and its load generator (other users of the
        # machine): the noise indicator of the run.
        r["other_cpus"] = max(0.0, (m1 - m0) - (c1 - c0) - (k1 - k0)) / (t1 - t0)
        r.update({"server": server.kind, "case": case["id"], "round": rnd})
        self.runs.append(r)
        if r["errors"]:
            self.failures.append("%s %s round %d: %d errors %s" % (server.kind, case["id"], rnd,
                                                                    r["errors"], r["error_detail"]))
        log("  %-6s %-30s %9.1f req/s  p50 %8.2f ms  p99 %8.2f ms  cpu %8.1f us/req  other "
            "%.2f CPUs%s" % (server.kind, case["id"], r["rps"], r["p50_ms"] or -1,
                             r["p99_ms"] or -1, r["cpu_us_per_req"] or -1, r["other_cpus"],
                             "  ERRORS %d" % r["errors"] if r["errors"] else ""))
        return r

    def _load(self, server, proto, body_file, conns, seconds, key):
        if proto == "rest":
            return run_wrk(server, body_file, conns, int(round(seconds)),
                           timeout=max(10, self.args.timeout))
        return run_h2load(server, body_file, conns, seconds, self.resp_sizes[key])

    def cases(self, workers, quick):
        out = []
        d = self.args.duration
        if quick:
            return [dict(id="rest nd1x4 w1 c16", proto="rest", payload="nd1x4", workers=1, c=16,
                         seconds=d, refs=True)]
        for proto in ("rest", "grpc"):
            for name, p in self.payloads.items():
                if p[proto] is None:
                    continue
                for conns in (1, 16):
                    big = name == "t1000"
                    out.append(dict(id="%s %s w%d c%d" % (proto, name, workers, conns),
                                    proto=proto, payload=name, workers=workers, c=conns,
                                    seconds=self.args.big_duration if big else d,
                                    refs=(proto == "rest" and name == "nd1x4")))
        return out

    def run_cases(self, servers, cases, rounds):
        """Alternate: each case against every server in turn; the order rotates per case/round."""
        for rnd in range(rounds):
            log("round %d/%d" % (rnd + 1, rounds))
            for i, case in enumerate(cases):
                group = [s for s in servers if s.kind in ("orig", "ours") or case["refs"]]
                k = (i + rnd) % len(group)
                for s in group[k:] + group[:k]:
                    self.measure(s, case, rnd, warm=(rnd == 0))

    def startup_phase(self, n):
        """Spawn -> first 200 on /health/ping, and idle PSS, with 1 REST + 1 gRPC worker."""
        log("startup and memory: %d start(s) per server" % n)
        for i in range(n):
            order = [("orig", self.args.orig), ("ours", self.args.ours)]
            if i % 2:
                order.reverse()
            for kind, binary in order:
                s = seldon_server(kind, binary, "MyModel", 1, tag="-startup")
                try:
                    t = s.start()
                    p = self.payloads["nd1x4"]
                    key = (kind, "-startup", "grpc", "nd1x4")
                    self.resp_sizes[key] = check_grpc(s, p)  # both protocols up
                    check_rest(s, p)
                    time.sleep(1.0)
                    pss, nproc = s.pss()
                    # then one second of REST and of gRPC load (1x4, c=16): memory in use
                    run_wrk(s, self.body_files[("nd1x4", "rest")], 16, 1, 10)
                    run_h2load(s, self.body_files[("nd1x4", "grpc")], 16, 1, self.resp_sizes[key])
                    pss_used, _ = s.pss()
                    self.startup.append({"server": kind, "start_ms": t * 1000, "pss_idle_kb": pss,
                                         "pss_used_kb": pss_used, "processes": nproc})
                    log("  %-6s start->ping %7.1f ms   PSS idle %6.1f MB, after 1 s REST + 1 s "
                        "gRPC load %6.1f MB (%d processes)"
                        % (kind, t * 1000, pss / 1024.0, pss_used / 1024.0, nproc))
                finally:
                    s.stop()

    def run(self):
        a = self.args
        tmp = tempfile.mkdtemp(prefix="sc-bench-refs-")
        try:
            refs = build_refs(tmp)
            log("reference servers built in %s" % tmp)
            self.startup_phase(1 if a.quick else a.starts)
            for workers in ((1,) if a.quick else (1, 2)):
                cases = self.cases(workers, a.quick)
                if a.only:
                    cases = [c for c in cases if any(o in c["id"] for o in a.only)]
                if not cases:
                    continue
                servers = [seldon_server("orig", a.orig, "MyModel", workers),
                           seldon_server("ours", a.ours, "MyModel", workers),
                           ref_server("ref_c", refs["ref_c"], workers),
                           ref_server("ref_py", refs["ref_py"], workers)]
                log("workers=%d: starting %s" % (workers, ", ".join(s.kind for s in servers)))
                self.active = servers
                try:
                    for s in servers:
                        s.start()
                    self.run_cases(servers, cases, 1 if a.quick else a.rounds)
                    if workers == 1:
                        for s in servers[:2]:
                            pss, nproc = s.pss()
                            self.pss_loaded.append({"server": s.kind, "pss_kb": pss,
                                                    "processes": nproc})
                            log("  %-6s PSS after load %7.1f MB (%d processes)"
                                % (s.kind, pss / 1024.0, nproc))
                finally:
                    for s in servers:
                        s.stop()
            if not a.quick and (not a.only or any("sleep" in o for o in a.only)):
                self.concurrency_phase()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def concurrency_phase(self):
        a = self.args
        log("concurrency: Sleep10 model (10 ms per request), --threads 4 --grpc-threads 4")
        servers = [seldon_server("orig", a.orig, "Sleep10", 1, threads=4, tag="-sleep"),
                   seldon_server("ours", a.ours, "Sleep10", 1, threads=4, tag="-sleep")]
        cases = [dict(id="%s sleep10ms t4 w1 c16" % proto, proto=proto, payload="nd1x4", workers=1,
                      c=16, seconds=a.duration, refs=False) for proto in ("rest", "grpc")]
        self.active = servers
        try:
            for s in servers:
                s.start()
            self.run_cases(servers, cases, a.rounds)
        finally:
            for s in servers:
                s.stop()


# --------------------------------------------------------------------------------------------
# Summary, targets, report

def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def summarise(suite):
    by = {}
    for r in suite.runs:
        by.setdefault((r["case"], r["server"]), []).append(r)
    cases = {}
    for (case, server), rs in by.items():
        cases.setdefault(case, {})[server] = {
            "rounds": len(rs),
            "rps": median(r["rps"] for r in rs),
            "p50_ms": median(r["p50_ms"] for r in rs),
            "p99_ms": median(r["p99_ms"] for r in rs),
            "cpu_us_per_req": median(r["cpu_us_per_req"] for r in rs),
            "errors": sum(r["errors"] for r in rs),
        }
    # Ratios are paired: median over rounds of ours / other measured in the same round (the two
    # runs are adjacent in time, so they share the machine's load of the moment).
    per_round = {(r["case"], r["server"], r["round"]): r for r in suite.runs}
    for case, s in cases.items():
        if "orig" in s and "ours" in s:
            s["ratio"] = {m: _paired(per_round, case, "ours", "orig", key)
                          for m, key in (("rps", "rps"), ("p99", "p99_ms"),
                                         ("cpu", "cpu_us_per_req"))}
        for ref in ("ref_py", "ref_c"):
            if ref in s and "ours" in s:
                s["ratio_" + ref] = _paired(per_round, case, "ours", ref, "rps")
    startup = {}
    for kind in ("orig", "ours"):
        st = [x for x in suite.startup if x["server"] == kind]
        ld = [x for x in suite.pss_loaded if x["server"] == kind]
        startup[kind] = {
            "start_ms": median(x["start_ms"] for x in st),
            "pss_idle_mb": _div(median(x["pss_idle_kb"] for x in st), 1024.0),
            "pss_used_mb": _div(median(x["pss_used_kb"] for x in st), 1024.0),
            "pss_loaded_mb": _div(median(x["pss_kb"] for x in ld), 1024.0),
            "processes": median(x["processes"] for x in st),
            "samples": len(st),
        }
    return cases, startup


def _paired(per_round, case, a, b, key):
    rounds = sorted({rd for (c, _, rd) in per_round if c == case})
    vals = []
    for rd in rounds:
        x, y = per_round.get((case, a, rd)), per_round.get((case, b, rd))
        if x and y:
            vals.append(_div(x.get(key), y.get(key)))
    return median(vals)


def _div(a, b):
    return a / b if a is not None and b else None


def targets(cases, startup):
    """The targets of issue 7: (label, measured text, ok or None when not measured)."""
    out = []

    def get(case, *path):
        v = cases.get(case)
        for p in path:
            v = v.get(p) if isinstance(v, dict) else None
        return v

    def add(label, value, goal, ok_fn, fmt):
        ok = ok_fn(value) if value is not None else None
        out.append({"target": label, "goal": goal, "measured": (fmt % value) if value is not None
                    else "not measured", "value": value, "ok": ok})

    add("REST 1x4, 1 worker, c=16: req/s vs original", get("rest nd1x4 w1 c16", "ratio", "rps"),
        ">= 25x", lambda v: v >= 25, "%.1fx")
    ref = get("rest nd1x4 w1 c16", "ratio_ref_py")
    add("REST 1x4, 1 worker, c=16: req/s vs C+Python-call reference", ref, ">= 60%",
        lambda v: v >= 0.6, "%.2f")
    add("REST 1x4, 1 worker, c=16: p99 latency vs original",
        get("rest nd1x4 w1 c16", "ratio", "p99"), "<= 1/10", lambda v: v <= 0.1, "%.3f")
    add("REST ndarray 100x100, 1 worker, c=16: req/s vs original",
        get("rest nd100 w1 c16", "ratio", "rps"), ">= 10x", lambda v: v >= 10, "%.1fx")
    add("gRPC 1x4, 1 worker, c=16: req/s vs original", get("grpc nd1x4 w1 c16", "ratio", "rps"),
        ">= 15x", lambda v: v >= 15, "%.1fx")
    add("gRPC ndarray 100x100, 1 worker, c=16: req/s vs original",
        get("grpc nd100 w1 c16", "ratio", "rps"), ">= 100x", lambda v: v >= 100, "%.1fx")
    add("PSS of the tree, 1 REST + 1 gRPC worker, after 1x4 load: vs original",
        _div(startup["ours"]["pss_used_mb"], startup["orig"]["pss_used_mb"]), "<= 1/3",
        lambda v: v <= 1 / 3.0, "%.3f")
    add("PSS of the tree, 1 REST + 1 gRPC worker, idle after start: vs original",
        _div(startup["ours"]["pss_idle_mb"], startup["orig"]["pss_idle_mb"]), "<= 1/3",
        lambda v: v <= 1 / 3.0, "%.3f")
    add("Start to first ping: vs original",
        _div(startup["ours"]["start_ms"], startup["orig"]["start_ms"]), "<= 1/3",
        lambda v: v <= 1 / 3.0, "%.3f")
    return out


def machine_facts():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for ln in f:
                if ln.startswith("model name"):
                    model = ln.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    return {"nproc": os.cpu_count(), "cpu_model": model, "loadavg_start": load,
            "kernel": platform.release(), "python": platform.python_version()}


def tool_versions(args):
    def first_line(cmd):
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
            return (p.stdout or p.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"
    return {"wrk": first_line(["wrk", "--version"]),
            "h2load": first_line(["h2load", "--version"]),
            "gcc": first_line(["gcc", "--version"]),
            "ours": first_line([args.ours, "--version"]),
            "orig": first_line([os.path.join(os.path.dirname(args.orig), "python"), "-c",
                                "import importlib.metadata as m; print('seldon-core', "
                                "m.version('seldon-core'))"]),
            "commit": first_line(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])}


def fmt(v, spec="%.1f"):
    return spec % v if v is not None else "–"


CASE_ORDER = ["nd1x4", "nd100", "t100", "t1000", "str1k", "json"]


def case_sort_key(case_id):
    parts = case_id.split()
    proto, name = parts[0], parts[1]
    idx = CASE_ORDER.index(name) if name in CASE_ORDER else 99
    return (proto != "rest", idx, parts[2:])


def markdown_results(meta, cases, startup, tlist):
    L = []
    m = meta["machine"]
    L.append("Run of %s, commit `%s`, %s. Command: `%s`." % (
        meta["date"], meta["versions"]["commit"], meta["versions"]["ours"], meta["command"]))
    L.append("")
    L.append("Machine: %d CPUs (`nproc`), %s, Linux %s; load average at start %s, at end %s. "
             "Clients: %s (REST, 1 thread), %s (gRPC, 1 thread). %d round(s) per case, %s s "
             "per run (%s s for the 1000x1000 tensor), medians shown; the suite took %.0f s." % (
                 m["nproc"], m["cpu_model"], m["kernel"], m["loadavg_start"], m["loadavg_end"],
                 meta["versions"]["wrk"].split(" [")[0], meta["versions"]["h2load"],
                 meta["rounds"], meta["duration_s"], meta["big_duration_s"], meta["elapsed_s"]))
    L.append("")
    if meta.get("other_cpus"):
        oc = meta["other_cpus"]
        L.append("Other load on the machine during the measured runs (CPUs busy with neither the "
                 "server under test nor its client): median %.2f, 90th percentile %.2f, max %.2f "
                 "of %d CPUs." % (oc["median"], oc["p90"], oc["max"], m["nproc"]))
        L.append("")
    L.append("### Targets (issue 7)")
    L.append("")
    L.append("| Target | Goal | Measured | |")
    L.append("|---|---|---|---|")
    verdict = {True: "met", False: "**missed**", None: "–"}
    for t in tlist:
        L.append("| %s | %s | %s | %s |" % (t["target"], t["goal"], t["measured"],
                                           verdict[t["ok"]]))
    L.append("")
    L.append("### Start-up and memory (1 REST + 1 gRPC worker, identity model)")
    L.append("")
    L.append("| | spawn → first 200 on /health/ping | PSS of the tree, idle | PSS after 1 s "
             "REST + 1 s gRPC 1x4 load | PSS after all 1-worker cases (incl. 1000x1000) "
             "| processes |")
    L.append("|---|---|---|---|---|---|")
    for kind in ("orig", "ours"):
        s = startup[kind]
        L.append("| %s | %s | %s | %s | %s | %s |" % (
            SERVER_LABEL[kind], fmt(s["start_ms"], "%.0f ms"), fmt(s["pss_idle_mb"], "%.1f MB"),
            fmt(s["pss_used_mb"], "%.1f MB"), fmt(s["pss_loaded_mb"], "%.1f MB"),
            fmt(s["processes"], "%.0f")))
    o, u = startup["orig"], startup["ours"]
    L.append("| ours / original | %s | %s | %s | %s | |" % tuple(
        fmt(_div(u[k], o[k]), "%.2f") for k in ("start_ms", "pss_idle_mb", "pss_used_mb",
                                                 "pss_loaded_mb")))
    L.append("")
    for proto, title in (("rest", "REST (wrk)"), ("grpc", "gRPC (h2load)")):
        ids = sorted([c for c in cases if c.startswith(proto + " ") and "sleep" not in c],
                     key=case_sort_key)
        if not ids:
            continue
        L.append("### %s" % title)
        L.append("")
        L.append("w = worker processes (`--workers` / `--grpc-workers`), c = concurrent "
                 "connections. Latency in ms, CPU = server CPU time (whole tree) per request. "
                 "Ratios are ours / original, the median of the per-round ratios.")
        L.append("")
        L.append("| case | w | c | original req/s | ours req/s | **ratio** | original p50 / p99 "
                 "| ours p50 / p99 | p99 ratio | original CPU µs/req | ours CPU µs/req | CPU "
                 "ratio |")
        L.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for cid in ids:
            s = cases[cid]
            o, u, rt = s.get("orig", {}), s.get("ours", {}), s.get("ratio", {})
            parts = cid.split()
            L.append(("| %s " * 6 + "| %s / %s " * 2 + "| %s " * 4 + "|") % (
                PAYLOAD_TITLES.get(parts[1], parts[1]), parts[2][1:], parts[3][1:],
                fmt(o.get("rps")), fmt(u.get("rps")), "**%s**" % fmt(rt.get("rps"), "%.1fx"),
                fmt(o.get("p50_ms"), "%.2f"), fmt(o.get("p99_ms"), "%.2f"),
                fmt(u.get("p50_ms"), "%.2f"), fmt(u.get("p99_ms"), "%.2f"),
                fmt(rt.get("p99"), "%.3f"), fmt(o.get("cpu_us_per_req"), "%.0f"),
                fmt(u.get("cpu_us_per_req"), "%.0f"), fmt(rt.get("cpu"), "%.3f")))
        L.append("")
    ref_ids = sorted([c for c in cases if "ref_py" in cases[c]], key=case_sort_key)
    if ref_ids:
        L.append("### Against the C references (REST ndarray 1x4)")
        L.append("")
        L.append("| w | c | C fixed body req/s | C + Python call req/s | ours req/s | ours / C+Python "
                 "| ours / C | C+Python p99 | ours p99 | C+Python CPU µs/req | ours CPU µs/req |")
        L.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for cid in ref_ids:
            s = cases[cid]
            parts = cid.split()
            rc, rp, u = s.get("ref_c", {}), s.get("ref_py", {}), s.get("ours", {})
            L.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                parts[2][1:], parts[3][1:], fmt(rc.get("rps")), fmt(rp.get("rps")),
                fmt(u.get("rps")), fmt(_pct(s.get("ratio_ref_py"), 1), "%.0f%%"),
                fmt(_pct(s.get("ratio_ref_c"), 1), "%.0f%%"), fmt(rp.get("p99_ms"), "%.2f"),
                fmt(u.get("p99_ms"), "%.2f"), fmt(rp.get("cpu_us_per_req"), "%.0f"),
                fmt(u.get("cpu_us_per_req"), "%.0f")))
        L.append("")
    conc = sorted([c for c in cases if "sleep" in c])
    if conc:
        L.append("### Concurrency (model sleeps 10 ms, `--threads 4 --grpc-threads 4`, 1 worker, "
                 "c=16; the ideal is 400 req/s)")
        L.append("")
        L.append("| protocol | original req/s | ours req/s | ratio | original p50 / p99 "
                 "| ours p50 / p99 |")
        L.append("|---|---|---|---|---|---|")
        for cid in conc:
            s = cases[cid]
            o, u = s.get("orig", {}), s.get("ours", {})
            L.append("| %s | %s | %s | %s | %s / %s | %s / %s |" % (
                {"rest": "REST", "grpc": "gRPC"}[cid.split()[0]], fmt(o.get("rps")),
                fmt(u.get("rps")),
                fmt(s.get("ratio", {}).get("rps"), "%.2fx"), fmt(o.get("p50_ms"), "%.1f"),
                fmt(o.get("p99_ms"), "%.1f"), fmt(u.get("p50_ms"), "%.1f"),
                fmt(u.get("p99_ms"), "%.1f")))
        L.append("")
    if meta.get("plots"):
        L.append("### Plots")
        L.append("")
        for p in meta["plots"]:
            L.append("![%s](img/%s)" % (os.path.splitext(p)[0], p))
            L.append("")
    return "\n".join(L)


def _pct(a, b):
    return a * 100.0 / b if a is not None and b else None


PAYLOAD_TITLES = {"nd1x4": "ndarray 1x4", "nd100": "ndarray 100x100", "t100": "tensor 100x100",
                  "t1000": "tensor 1000x1000", "str1k": "strData 1 KB", "json": "jsonData small"}

BEGIN, END = "<!-- BEGIN RESULTS (benchmarks/run.py) -->", "<!-- END RESULTS -->"


def write_doc(results_md):
    text = None
    if os.path.exists(DOC):
        with open(DOC) as f:
            text = f.read()
    if not text or BEGIN not in text or END not in text:
        text = DOC_TEMPLATE
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    with open(DOC, "w") as f:
        f.write(head + BEGIN + "\n\n" + results_md.rstrip() + "\n\n" + END + tail)


DOC_TEMPLATE = """# Benchmarks

""" + BEGIN + "\n" + END + "\n"


def plots(cases, startup):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib missing: no plots (pip install matplotlib into .venv)")
        return []
    os.makedirs(IMG_DIR, exist_ok=True)
    made = []
    for proto in ("rest", "grpc"):
        ids = sorted([c for c in cases if c.startswith(proto + " ") and "sleep" not in c
                      and "orig" in cases[c] and "ours" in cases[c]], key=case_sort_key)
        if not ids:
            continue
        labels = ["%s\nw%s c%s" % (PAYLOAD_TITLES[c.split()[1]], c.split()[2][1:], c.split()[3][1:])
                  for c in ids]
        fig, axes = plt.subplots(3, 1, figsize=(max(8, 0.75 * len(ids)), 11), sharex=True)
        metrics = [("rps", "requests/s (log)"), ("p99_ms", "p99 latency, ms (log)"),
                   ("cpu_us_per_req", "server CPU µs/request (log)")]
        x = list(range(len(ids)))
        for ax, (key, ylabel) in zip(axes, metrics):
            for off, kind, color in ((-0.2, "orig", "#999999"), (0.2, "ours", "#1f77b4")):
                vals = [cases[c][kind].get(key) or 0 for c in ids]
                ax.bar([i + off for i in x], vals, width=0.4, label=SERVER_LABEL[kind], color=color)
            ax.set_yscale("log")
            ax.set_ylabel(ylabel)
            ax.grid(axis="y", alpha=0.3)
        axes[0].legend()
        axes[0].set_title("%s: seldon-core-c vs seldon-core 1.17.1 (medians)" % proto.upper())
        axes[-1].set_xticks(x)
        axes[-1].set_xticklabels(labels, rotation=60, ha="right", fontsize=8)
        fig.tight_layout()
        name = "bench_%s.png" % proto
        fig.savefig(os.path.join(IMG_DIR, name), dpi=90)
        plt.close(fig)
        made.append(name)
    ref_case = "rest nd1x4 w1 c16"
    if ref_case in cases:
        s = cases[ref_case]
        kinds = [k for k in ("orig", "ours", "ref_py", "ref_c") if k in s]
        fig, ax = plt.subplots(figsize=(8, 4))
        ax.barh([SERVER_LABEL[k] for k in kinds], [s[k]["rps"] for k in kinds],
                color=["#999999", "#1f77b4", "#2ca02c", "#98df8a"][:len(kinds)])
        for i, k in enumerate(kinds):
            ax.text(s[k]["rps"], i, " %.0f" % s[k]["rps"], va="center")
        ax.set_xlabel("requests/s")
        ax.set_title("REST ndarray 1x4, 1 worker, c=16")
        fig.tight_layout()
        fig.savefig(os.path.join(IMG_DIR, "bench_reference.png"), dpi=90)
        plt.close(fig)
        made.append("bench_reference.png")
    return made


def quick_checks(suite, cases, startup):
    problems = list(suite.failures)
    case = "rest nd1x4 w1 c16"
    for kind in ("orig", "ours", "ref_c", "ref_py"):
        s = cases.get(case, {}).get(kind)
        if not s:
            problems.append("%s: no result for %s" % (case, kind))
            continue
        for key in ("rps", "p50_ms", "p99_ms", "cpu_us_per_req"):
            v = s.get(key)
            if v is None or not v > 0:
                problems.append("%s %s: %s = %r" % (case, kind, key, v))
    for kind in ("orig", "ours"):
        for key in ("start_ms", "pss_idle_mb", "pss_used_mb", "pss_loaded_mb", "processes"):
            v = startup[kind].get(key)
            if v is None or not v > 0:
                problems.append("%s: %s = %r" % (kind, key, v))
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="CI smoke: REST 1x4 c=16 1 worker, 1 round; checks; < 60 s")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=3, help="seconds per measured run")
    ap.add_argument("--big-duration", type=int, default=4,
                    help="seconds per measured run of the 1000x1000 tensor")
    ap.add_argument("--warmup", type=int, default=1,
                    help="seconds of unmeasured load before the first round of each case")
    ap.add_argument("--timeout", type=int, default=30, help="wrk per-request timeout, seconds")
    ap.add_argument("--starts", type=int, default=4, help="server starts for start-up/PSS")
    ap.add_argument("--only", action="append",
                    help="only cases whose id contains this (repeatable; for development)")
    ap.add_argument("--ours", default=os.environ.get("OURS") or os.path.join(
        ROOT, ".venv", "bin", "seldon-core-microservice"))
    ap.add_argument("--orig", default=os.environ.get(
        "ORIG", "/opt/seldon-orig/bin/seldon-core-microservice"))
    ap.add_argument("--no-doc", action="store_true", help="do not rewrite docs/benchmarks.md")
    a = ap.parse_args()

    for tool in ("wrk", "h2load", "gcc"):
        if not shutil.which(tool):
            sys.exit("benchmarks/run.py: %s not found (apt-get install wrk nghttp2-client gcc "
                     "libevent-dev)" % tool)
    for b in (a.ours, a.orig):
        if not os.access(b, os.X_OK):
            sys.exit("benchmarks/run.py: %s is not executable (make install / make orig-venv)" % b)
    os.makedirs(TMP_DIR, exist_ok=True)
    for fn in os.listdir(TMP_DIR):  # logs of the previous run
        if fn.endswith(".log"):
            os.unlink(os.path.join(TMP_DIR, fn))
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: (stop_all(), sys.exit(130)))

    command = "python benchmarks/run.py" + ("".join(" " + x for x in sys.argv[1:]))
    meta = {"command": command, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": machine_facts(), "versions": tool_versions(a), "quick": a.quick,
            "rounds": 1 if a.quick else a.rounds, "duration_s": a.duration,
            "big_duration_s": a.big_duration, "warmup_s": a.warmup}
    log("machine: %(nproc)s CPUs, %(cpu_model)s, load %(loadavg_start)s" % meta["machine"])
    t0 = time.monotonic()
    suite = Suite(a)
    try:
        suite.run()
    except Exception as e:  # report what we have, then fail
        suite.failures.append("aborted: %r" % (e,))
        log("ABORTED: %r" % (e,))
    finally:
        stop_all()
    meta["elapsed_s"] = time.monotonic() - t0
    with open("/proc/loadavg") as f:
        meta["machine"]["loadavg_end"] = " ".join(f.read().split()[:3])
    cases, startup = summarise(suite)
    other = sorted(r["other_cpus"] for r in suite.runs if r.get("other_cpus") is not None)
    if other:
        meta["other_cpus"] = {"median": statistics.median(other), "p90": percentile(other, 90),
                              "max": other[-1]}
    tlist = targets(cases, startup)
    problems = quick_checks(suite, cases, startup) if a.quick else list(suite.failures)

    if not a.quick and not a.only and not a.no_doc:
        meta["plots"] = plots(cases, startup)
    result = {"meta": meta, "targets": tlist, "startup": startup, "cases": cases,
              "runs": suite.runs, "startup_samples": suite.startup,
              "pss_after_load": suite.pss_loaded, "failures": problems}
    os.makedirs(RESULTS_DIR, exist_ok=True)
    out = os.path.join(RESULTS_DIR, "quick.json" if a.quick or a.only else "latest.json")
    with open(out, "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
    log("wrote %s" % os.path.relpath(out, ROOT))
    if not a.quick and not a.only and not a.no_doc:
        write_doc(markdown_results(meta, cases, startup, tlist))
        log("wrote docs/benchmarks.md")
    for t in tlist:
        if t["value"] is not None:
            log("target %-70s %-8s measured %-8s %s" % (t["target"], t["goal"], t["measured"],
                                                          "met" if t["ok"] else "MISSED"))
    log("elapsed %.0f s" % meta["elapsed_s"])
    if problems:
        for p in problems:
            log("FAIL: %s" % p)
        sys.exit(1)


if __name__ == "__main__":
    main()

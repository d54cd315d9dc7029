"""Soak (issue 6, "Fault tests"): 10^6 requests through wrk against one server, and the resident
memory of every worker before and after. Memory that grows with the request count is a leak;
the target is < 5 MB per worker over the run.

Not part of the normal suite (it takes minutes): runs only with SC_SOAK=1, e.g. `make soak`.
  SC_SOAK_REQUESTS  requests to send after the warm-up (default 1000000)
  SC_SOAK_SECONDS   stop earlier when this much time has passed (default 300); the test then
                    reports the count it reached (it must reach at least 100,000)
  SC_SOAK_WORKERS   REST workers (default 2)

The request mix rotates over eight requests so that every kind of answer is repeated ~10^5
times: predict with an ndarray, a tensor, strData and jsonData (the numeric fast path, the
tensor reshape, strings, JSON values and meta tags), /health/ping (answered in C),
/health/status, a truncated body (400 from C) and a tensor whose shape does not fit its values
(numpy raises: a 500 built by the runtime).
"""

import os
import re
import shutil
import subprocess
import tempfile
import time

import pytest

pytestmark = [
    pytest.mark.ours_only,
    pytest.mark.skipif(os.environ.get("SC_SOAK") != "1", reason="soak test: set SC_SOAK=1 (make soak)"),
]

# wrk script: each connection walks the same cycle of eight requests; done() prints one line with
# the totals (wrk counts answers with status > 399 as status errors).
_LUA = r"""
local reqs = {
  {"POST", "/predict", '{"data":{"ndarray":[[1.5,2,3,4]]}}'},
  {"POST", "/api/v1.0/predictions", '{"data":{"tensor":{"shape":[2,2],"values":[1,2,3,4]}}}'},
  {"POST", "/predict", '{"strData":"soak \\u00e9"}'},
  {"GET", "/health/ping", nil},
  {"POST", "/predict", '{"jsonData":{"a":[1,{"b":null}]},"meta":{"tags":{"t":1}}}'},
  {"GET", "/health/status", nil},
  {"POST", "/predict", '{"data":{"nda'},
  {"POST", "/predict", '{"data":{"tensor":{"shape":[3],"values":[1,2]}}}'},
}
local i = 0
request = function()
  i = i % #reqs + 1
  local r = reqs[i]
  if r[3] then
    return wrk.format(r[1], r[2], {["Content-Type"] = "application/json"}, r[3])
  end
  return wrk.format(r[1], r[2])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("SOAK requests=%d status=%d connect=%d read=%d write=%d timeout=%d p99_us=%d\n",
    summary.requests, e.status, e.connect, e.read, e.write, e.timeout, latency:percentile(99)))
end
"""


def _children(pid):
    with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
        return sorted(int(x) for x in f.read().split())


def _rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        m = re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M)
    return int(m.group(1))


def _wrk(script, url, seconds, conns=16):
    p = subprocess.run(["wrk", "-t", "2", "-c", str(conns), "-d", "%ds" % seconds, "-s", script, url],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=seconds + 60)
    out = p.stdout.decode()
    m = re.search(r"^SOAK (.*)$", out, re.M)
    assert p.returncode == 0 and m, out
    return {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}


def test_soak_worker_rss(server):
    if shutil.which("wrk") is None:
        pytest.skip("wrk not installed (scripts/install-system-deps.sh)")
    target = int(os.environ.get("SC_SOAK_REQUESTS", "1000000"))
    budget = float(os.environ.get("SC_SOAK_SECONDS", "300"))
    workers = int(os.environ.get("SC_SOAK_WORKERS", "2"))
    fd, script = tempfile.mkstemp(prefix="sc-soak-", suffix=".lua")
    with os.fdopen(fd, "w") as f:
        f.write(_LUA)
    try:
        with server("id", args=["--workers", str(workers), "--grpc-workers", "0"]) as srv:
            pids = _children(srv.pid)
            assert len(pids) == workers
            # warm-up: allocator pools, Python caches, the arenas of every executor thread
            warm = _wrk(script, srv.base_url, 5)
            before = {p: _rss_kb(p) for p in pids}
            total = dict.fromkeys(("requests", "status", "connect", "read", "write", "timeout"), 0)
            samples = []
            t0 = time.monotonic()
            while total["requests"] < target and time.monotonic() - t0 < budget:
                left = budget - (time.monotonic() - t0)
                res = _wrk(script, srv.base_url, max(1, min(10, int(left))))
                for k in total:
                    total[k] += res[k]
                samples.append((total["requests"], res["p99_us"], {p: _rss_kb(p) for p in pids}))
            elapsed = time.monotonic() - t0
            after = {p: _rss_kb(p) for p in pids}
            assert _children(srv.pid) == pids, "a worker was replaced during the soak"
            out = srv.output()
        print("\nsoak: warm-up %d requests; then %d requests in %.0f s (%.0f/s), %d answered >= 400"
              % (warm["requests"], total["requests"], elapsed, total["requests"] / elapsed, total["status"]))
        for n, p99, rss in samples:
            print("  after %9d requests (p99 %5.1f ms): RSS %s" % (
                n, p99 / 1000, ", ".join("%d: %.1f MB" % (p, rss[p] / 1024) for p in pids)))
        for p in pids:
            print("  worker %d: RSS %.1f MB -> %.1f MB (%+.2f MB)"
                  % (p, before[p] / 1024, after[p] / 1024, (after[p] - before[p]) / 1024))
        assert total["requests"] >= min(target, 100000), total
        assert total["connect"] == total["read"] == total["write"] == total["timeout"] == 0, total
        # two requests of the eight-request cycle are errors by design (400, 500)
        assert abs(total["status"] / total["requests"] - 2 / 8) < 0.01, total
        for p in pids:
            assert after[p] - before[p] < 5 * 1024, (p, before[p], after[p])
        for mark in ("AddressSanitizer", "runtime error:"):
            assert mark not in out
    finally:
        os.unlink(script)

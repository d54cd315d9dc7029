"""Reliability behaviour of ours beyond the original: deadlines, stuck workers, backpressure and
the access log (SPEC decision 7; docs/differences.md)."""
import concurrent.futures
import json
import re
import tempfile
import time

import pytest
import requests

T = 20


def _annotations(text):
    f = tempfile.NamedTemporaryFile("w", suffix=".annotations", delete=False)
    f.write(text)
    f.close()
    return f.name


@pytest.mark.ours_only
def test_stuck_request_replaces_worker_and_dumps_stack(server):
    path = _annotations('seldon.io/rest-timeout="300"\n')
    env = {"SC_ANNOTATIONS_PATH": path, "SC_STUCK_GRACE_MS": "500"}
    with server("stuck", env=env) as srv:
        r = requests.post(srv.url("/predict"), json={"jsonData": {"hang": True}}, timeout=T)
        assert r.status_code == 504
        assert json.loads(r.content)["status"]["reason"] == "MICROSERVICE_TIMEOUT"
        # the worker is replaced and serves again
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if "exited with code 4" in srv.output():
                break
            time.sleep(0.1)
        out = srv.output()
        assert "exited with code 4" in out, out
        assert 'in predict' in out and "stuck/MyModel.py" in out, out  # the Python stack
        r = requests.post(srv.url("/predict"), json={"jsonData": {"sleep": 0}}, timeout=T)
        assert r.status_code == 200, r.content


@pytest.mark.ours_only
def test_inflight_cap_answers_503_and_recovers(server):
    with server("stuck", env={"SC_MAX_INFLIGHT": "2"}, args=["--threads", "1"]) as srv:
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            slow = [pool.submit(requests.post, srv.url("/predict"), json={"jsonData": {"sleep": 1.0}},
                                timeout=T) for _ in range(2)]
            time.sleep(0.3)
            r = requests.post(srv.url("/predict"), json={"jsonData": {"sleep": 0}}, timeout=T)
            assert r.status_code == 503
            body = json.loads(r.content)
            assert body["status"]["code"] == -1 and body["status"]["status"] == 1
            assert [f.result().status_code for f in slow] == [200, 200]
        r = requests.post(srv.url("/predict"), json={"jsonData": {"sleep": 0}}, timeout=T)
        assert r.status_code == 200


def test_access_log_gunicorn_format(server):
    with server("id", args=["--access-log"]) as srv:
        requests.post(srv.url("/api/v1.0/predictions"), json={"data": {"ndarray": [[1]]}},
                      headers={"User-Agent": "sc-test/1.0"}, timeout=T)
        pat = re.compile(r'127\.0\.0\.1 - - \[\d\d/\w\w\w/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] '
                         r'"POST /api/v1\.0/predictions HTTP/1\.1" 200 \d+ "-" "sc-test/1\.0"')
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not pat.search(srv.output()):
            time.sleep(0.1)
        assert pat.search(srv.output()), srv.output()


@pytest.mark.ours_only
@pytest.mark.parametrize("lazy", [False, True])
def test_lazy_mode_constructs_in_each_worker(server, lazy):
    env = {"SC_LAZY_INIT": "1"} if lazy else {}
    with server("initpid", env=env, args=["--workers", "2"]) as srv:
        seen = {}
        for _ in range(40):
            r = requests.post(srv.url("/predict"), json={"jsonData": {}}, timeout=T)
            assert r.status_code == 200
            d = json.loads(r.content)["jsonData"]
            seen[d["pid"]] = d["init_pid"]
        for pid, init_pid in seen.items():
            if lazy:
                assert init_pid == pid  # built after fork, in the worker itself
            else:
                assert init_pid == srv.pid  # built once in the master, inherited


class _Load:
    """A bounded background load: `threads` clients posting for `seconds`, counting failures."""

    def __init__(self, url, threads=4, seconds=3.0):
        self.url, self.threads, self.seconds = url, threads, seconds
        self.ok = self.failed = 0
        self.errors = []

    def _client(self):
        end = time.monotonic() + self.seconds
        with requests.Session() as s:
            while time.monotonic() < end:
                try:
                    r = s.post(self.url, json={"data": {"ndarray": [[1, 2]]}}, timeout=T)
                    if r.status_code == 200:
                        self.ok += 1
                    else:
                        self.failed += 1
                        self.errors.append(r.status_code)
                except requests.RequestException as e:
                    self.failed += 1
                    self.errors.append(repr(e))

    def __enter__(self):
        self.pool = concurrent.futures.ThreadPoolExecutor(self.threads)
        self.futures = [self.pool.submit(self._client) for _ in range(self.threads)]
        return self

    def __exit__(self, *exc):
        for f in self.futures:
            f.result()
        self.pool.shutdown()


def _children(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(x) for x in f.read().split()]


@pytest.mark.ours_only
def test_sighup_reload_under_load_loses_nothing(server):
    import os
    import signal
    with server("id", args=["--workers", "2", "--grpc-workers", "0"]) as srv:
        before = set(_children(srv.pid))
        with _Load(srv.url("/predict"), seconds=3) as load:
            time.sleep(0.5)
            os.kill(srv.pid, signal.SIGHUP)
            time.sleep(1.0)
            os.kill(srv.pid, signal.SIGHUP)
        assert load.failed == 0, load.errors[:5]
        assert load.ok > 100
        after = set(_children(srv.pid))
        assert len(after) == 2 and not (before & after), (before, after)


@pytest.mark.ours_only
def test_max_requests_under_load_loses_nothing(server):
    with server("id", args=["--max-requests", "50"]) as srv:
        with _Load(srv.url("/predict"), seconds=3) as load:
            pass
        assert load.failed == 0, load.errors[:5]
        assert load.ok > 200
        assert srv.output().count("retired") >= 2, srv.output()


@pytest.mark.ours_only
def test_ttin_ttou_scale_rest_workers(server):
    import os
    import signal
    with server("id", args=["--workers", "1", "--grpc-workers", "0"]) as srv:
        assert len(_children(srv.pid)) == 1
        os.kill(srv.pid, signal.SIGTTIN)
        deadline = time.monotonic() + 5
        while len(_children(srv.pid)) != 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(_children(srv.pid)) == 2
        os.kill(srv.pid, signal.SIGTTOU)
        deadline = time.monotonic() + 5
        while len(_children(srv.pid)) != 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(_children(srv.pid)) == 1
        r = requests.post(srv.url("/predict"), json={"data": {"ndarray": [[1]]}}, timeout=T)
        assert r.status_code == 200


@pytest.mark.ours_only
def test_kill9_worker_under_load(server):
    """A killed worker is replaced within 1 s; only requests in flight on it may fail."""
    import os
    import signal
    with server("id", args=["--workers", "2", "--grpc-workers", "0"]) as srv:
        with _Load(srv.url("/predict"), threads=4, seconds=3) as load:
            time.sleep(0.7)
            victim = _children(srv.pid)[0]
            t0 = time.monotonic()
            os.kill(victim, signal.SIGKILL)
            while True:
                kids = _children(srv.pid)
                if len(kids) == 2 and victim not in kids:
                    break
                assert time.monotonic() - t0 < 1.0, "not replaced within 1 s"
                time.sleep(0.01)
        # each client has at most one request in flight: at most 4 can be lost with the victim
        assert load.failed <= 4, load.errors
        assert load.ok > 100
        print(f"kill -9 under load: {load.ok} ok, {load.failed} failed (in flight on the victim)")


@pytest.mark.ours_only
def test_crash_loop_exits_nonzero(server):
    with server("crashloop", ready=False) as srv:
        rc = srv.wait_exit(30)
        assert rc not in (None, 0), srv.output()
        assert "keeps dying before it serves" in srv.output()


@pytest.mark.ours_only
def test_thousand_recycles_no_failure_and_constant_scrape(server):
    """--max-requests 1 for 1,000 requests: every request answered (no retries), the worker
    replaced again and again, and the scrape keeps the same series (SPEC decision 6)."""
    metric = [{"type": "COUNTER", "key": "hits", "value": 1}]
    with server("metrics_any", args=["--workers", "1", "--max-requests", "1", "--grpc-workers", "0"]) as srv:
        pids = set()
        sizes = set()
        with requests.Session() as s:
            for i in range(1000):
                r = s.post(srv.url("/predict"), json={"jsonData": {"metrics": metric}}, timeout=T)
                assert r.status_code == 200, (i, r.content)
                pids.add(json.loads(r.content)["jsonData"]["pid"])
                if i % 100 == 99:
                    text = requests.get("http://127.0.0.1:%d/metrics" % srv.metrics_port, timeout=T).text
                    sizes.add(len(text.splitlines()))  # values grow in digits; series must not
        assert len(pids) > 100, len(pids)  # really recycled, many times
        assert len(sizes) == 1, sizes       # the scrape does not grow with restarts
        text = requests.get("http://127.0.0.1:%d/metrics" % srv.metrics_port, timeout=T).text
        assert re.search(r'^hits_total\{.*worker_id="0"\} 1000\.0$', text, re.M), text

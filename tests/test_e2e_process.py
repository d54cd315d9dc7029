"""Black-box process-model tests: workers, crashes, signals, load() failures, threads, keep-alive."""

import json
import os
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from e2e_util import T, err_body


def children(pid):
    """PIDs whose parent is pid (parsed from /proc/<n>/stat)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        fields = st.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(d))
    return sorted(out)


def group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def wait_group_gone(pgid, timeout):
    deadline = time.monotonic() + timeout
    while group_alive(pgid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def who(srv, sleep=None, timeout=T):
    payload = {"jsonData": {"sleep": sleep}} if sleep is not None else {"strData": "who"}
    r = requests.post(srv.url("/predict"), json=payload, timeout=timeout)
    assert r.status_code == 200, r.content
    return json.loads(r.content)["jsonData"]


def concurrent_pids(srv, n, sleep, rounds):
    pids = set()
    with ThreadPoolExecutor(n) as ex:
        for _ in range(rounds):
            for res in ex.map(lambda _: who(srv, sleep), range(n)):
                pids.add(res["pid"])
    return pids


def timed_concurrent(url, payloads):
    t0 = time.monotonic()
    with ThreadPoolExecutor(len(payloads)) as ex:
        rs = list(ex.map(lambda p: requests.post(url, json=p, timeout=T), payloads))
    return time.monotonic() - t0, rs


# --------------------------------------------------------------------------------------------
# workers


def test_two_workers_both_serve(server):
    with server("pid", args=["--workers", "2"]) as srv:
        pids = concurrent_pids(srv, 4, 0.1, 5)
        assert len(pids) == 2, pids
        assert srv.pid not in pids
        assert set(pids) <= set(children(srv.pid))


def test_kill_worker_still_serving_and_replaced(server):
    with server("pid", args=["--workers", "2"]) as srv:
        pids = concurrent_pids(srv, 4, 0.1, 5)
        assert len(pids) == 2, pids
        before = children(srv.pid)
        victim = min(pids)
        os.kill(victim, signal.SIGKILL)
        t0 = time.monotonic()
        served = 0
        while time.monotonic() - t0 < 2.0:
            try:
                if requests.post(srv.url("/predict"), json={"strData": "x"}, timeout=2).ok:
                    served += 1
                    break
            except requests.RequestException:
                pass
            time.sleep(0.05)
        assert served, "not serving within 2 s of killing a worker"
        # the master replaces it: same number of children, a new worker that ran load() again
        deadline = time.monotonic() + 10
        new = set()
        while time.monotonic() < deadline:
            kids = children(srv.pid)
            if len(kids) == len(before) and victim not in kids:
                new = {p for p in concurrent_pids(srv, 4, 0.05, 1)} - pids
                if new:
                    break
            time.sleep(0.1)
        assert new, (before, children(srv.pid))
        assert victim not in children(srv.pid)
        while True:
            res = who(srv)
            if res["pid"] in new:
                assert res["loads"] == 1
                break
            assert time.monotonic() < deadline + 5


def test_kill_only_worker_respawned(server):
    with server("pid") as srv:
        victim = who(srv)["pid"]
        os.kill(victim, signal.SIGKILL)
        t0 = time.monotonic()
        res = None
        while time.monotonic() - t0 < 5.0:
            try:
                res = who(srv, timeout=5)
                break
            except (requests.RequestException, AssertionError):
                time.sleep(0.05)
        assert res is not None, "not serving again within 5 s"
        assert res["pid"] != victim
        assert res["loads"] == 1


def test_max_requests_recycles_worker(server):
    with server("pid", args=["--max-requests", "3"]) as srv:
        pids = []
        for _ in range(8):
            pids.append(who(srv)["pid"])
        # readiness pings count too, so only an upper bound per worker holds
        assert len(set(pids)) >= 3, pids
        assert max(pids.count(p) for p in pids) <= 3, pids


# --------------------------------------------------------------------------------------------
# signals (SPEC decision 1)


@pytest.mark.ours_only
def test_sigterm_drains_inflight_and_exits_0(server):
    with server("pid") as srv:
        result = {}

        def call():
            try:
                r = requests.post(srv.url("/predict"), json={"jsonData": {"sleep": 1.5}},
                                  timeout=15)
                result["r"] = (r.status_code, json.loads(r.content))
            except Exception as e:  # noqa: BLE001 - reported below
                result["e"] = repr(e)

        th = threading.Thread(target=call)
        th.start()
        time.sleep(0.5)
        t0 = time.monotonic()
        os.kill(srv.pid, signal.SIGTERM)
        th.join(15)
        assert not th.is_alive()
        assert "r" in result, result
        assert result["r"][0] == 200
        rc = srv.wait_exit(10)
        assert rc == 0, (rc, srv.output())
        assert time.monotonic() - t0 < 10
        assert wait_group_gone(srv.pid, 3), "children left running after exit"


@pytest.mark.ours_only
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_signal_idle_exits_0_quickly(server, sig):
    with server("id", args=["--workers", "2"]) as srv:
        t0 = time.monotonic()
        os.kill(srv.pid, sig)
        rc = srv.wait_exit(10)
        assert rc == 0, (rc, srv.output())
        assert time.monotonic() - t0 < 5
        assert wait_group_gone(srv.pid, 3), "children left running after exit"


# --------------------------------------------------------------------------------------------
# load() (SPEC §2.2, decision 8, correction 3)


def test_load_raises_exits_nonzero(server):
    with server("load_raises", ready=False) as srv:
        rc = srv.wait_exit(20)
        out = srv.output()
        assert rc is not None, "still running 20 s after load() failed:\n" + out
        assert rc != 0, out
        assert "Traceback" in out
        assert "RuntimeError: load-failed-marker-7f3a" in out
        assert wait_group_gone(srv.pid, 5), "processes left running after exit"


@pytest.mark.ours_only
def test_load_attribute_error_fails_startup(server):
    with server("load_attr_error", ready=False) as srv:
        rc = srv.wait_exit(20)
        out = srv.output()
        assert rc is not None and rc != 0, (rc, out)
        assert "AttributeError" in out and "missing_attribute_marker_5c1d" in out
        assert wait_group_gone(srv.pid, 5)


def test_load_not_implemented_is_ignored(server):
    with server("load_notimpl") as srv:
        r = requests.post(srv.url("/predict"), json={"strData": "x"}, timeout=T)
        assert (r.status_code, r.content) == (200, b'{"meta":{},"strData":"x"}\n')


# --------------------------------------------------------------------------------------------
# meta= dispatch (SPEC decision 9)


@pytest.mark.ours_only
def test_type_error_inside_meta_method_is_not_retried(server):
    with server("meta_typeerror") as srv:
        r = requests.post(srv.url("/predict"), json={"strData": "x", "meta": {"puid": "a"}},
                          timeout=T)
        assert (r.status_code, r.content) == (500, err_body("inner type error"))
        r = requests.post(srv.url("/predict"), json={"strData": "x"}, timeout=T)
        assert (r.status_code, r.content) == (
            200, b'{"jsonData":{"calls":2,"meta_was_none":true},"meta":{}}\n')


# --------------------------------------------------------------------------------------------
# threads, keep-alive


def test_threads_run_concurrently(server):
    with server("slow", args=["--threads", "4"]) as srv:
        url = srv.url("/predict")
        assert requests.post(url, json={"strData": "warm"}, timeout=T).status_code == 200
        best = None
        for attempt in range(3):
            elapsed, rs = timed_concurrent(url, [{"strData": str(i)} for i in range(4)])
            assert [r.status_code for r in rs] == [200] * 4
            assert sorted(json.loads(r.content)["strData"] for r in rs) == ["0", "1", "2", "3"]
            best = elapsed if best is None else min(best, elapsed)
            if best < 0.6:
                break
        assert best < 0.6, best


def test_single_threaded_overrides_threads(server):
    with server("slow", args=["--threads", "4", "--single-threaded", "1"]) as srv:
        url = srv.url("/predict")
        assert requests.post(url, json={"strData": "warm"}, timeout=T).status_code == 200
        elapsed, rs = timed_concurrent(url, [{"strData": str(i)} for i in range(3)])
        assert [r.status_code for r in rs] == [200] * 3
        assert elapsed >= 0.55, elapsed


def _read_response(sock, deadline):
    buf = b""
    while b"\r\n\r\n" not in buf:
        assert time.monotonic() < deadline, buf
        chunk = sock.recv(65536)
        assert chunk, "connection closed before a response: %r" % buf
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers[b"content-length"])
    while len(body) < n:
        assert time.monotonic() < deadline
        chunk = sock.recv(65536)
        assert chunk
        body += chunk
    return head.split(b"\r\n")[0], headers, body[:n], body[n:]


def test_keep_alive_two_requests_one_connection(server):
    with server("id", args=["--threads", "2"]) as srv:
        deadline = time.monotonic() + T
        with socket.create_connection(("127.0.0.1", srv.http_port), timeout=T) as s:
            for text in (b"one", b"two"):
                body = b'{"strData":"' + text + b'"}'
                s.sendall(b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                          % (len(body), body))
                status, headers, rbody, extra = _read_response(s, deadline)
                assert status.startswith(b"HTTP/1.1 200")
                assert rbody == b'{"meta":{},"strData":"' + text + b'"}\n'
                assert extra == b""
                assert headers.get(b"connection", b"").lower() != b"close"
        # the same with a requests.Session (one pooled connection)
        with requests.Session() as sess:
            for text in ("a", "b", "c"):
                r = sess.post(srv.url("/predict"), json={"strData": text}, timeout=T)
                assert (r.status_code, r.content) == (
                    200, b'{"meta":{},"strData":"' + text.encode() + b'"}\n')

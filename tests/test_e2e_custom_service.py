"""custom_service() runs in a child process of its own, supervised by the master (SPEC 5.2)."""
import os
import signal
import time

import pytest
import requests


def _pids(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [int(x) for x in f.read().split()]


def _wait(cond, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return False


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(") ")[1].split()[0] != "Z"


@pytest.mark.ours_only  # the original hangs on SIGTERM (SPEC decision 1)
def test_custom_service_runs_and_stops_with_server(server, tmp_path):
    pidfile = tmp_path / "custom.pids"
    with server("custom_service", env={"CUSTOM_PID_FILE": str(pidfile)}) as srv:
        assert _wait(lambda: len(_pids(pidfile)) == 1, 10), srv.output()
        pid = _pids(pidfile)[0]
        assert _alive(pid)
        # it is a child of the server, not of a worker
        with open(f"/proc/{pid}/stat") as f:
            ppid = int(f.read().split(") ")[1].split()[1])
        assert ppid == srv.pid
        r = requests.post(srv.url("/predict"), json={"data": {"ndarray": [[1]]}}, timeout=10)
        assert r.status_code == 200
        os.kill(srv.pid, signal.SIGTERM)
        assert srv.wait_exit(15) == 0, srv.output()
        assert _wait(lambda: not _alive(pid), 5)


@pytest.mark.ours_only
def test_custom_service_is_restarted_after_a_crash(server, tmp_path):
    pidfile = tmp_path / "custom.pids"
    flag = tmp_path / "crash-once"
    flag.write_text("x")
    with server("custom_service", env={"CUSTOM_PID_FILE": str(pidfile), "CUSTOM_CRASH_ONCE": str(flag)}) as srv:
        assert _wait(lambda: len(_pids(pidfile)) == 2, 10), srv.output()
        first, second = _pids(pidfile)
        assert first != second and _alive(second)
        assert "custom service crash" in srv.output()

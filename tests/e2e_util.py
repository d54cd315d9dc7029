"""Helpers for the black-box end-to-end suites (tests/test_e2e_*.py).

The server under test is a real `seldon-core-microservice` subprocess:
  * SC_TEST_TARGET=original -> /opt/seldon-orig/bin/seldon-core-microservice (the Python original)
  * otherwise (ours)        -> $SC_SERVER_CMD (shell-split) or `seldon-core-microservice` on PATH
SC_TEST_NO_GRPC=1 adds `--grpc-workers 0` (ours only).
"""

import contextlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "models")

TARGET = os.environ.get("SC_TEST_TARGET", "ours").strip().lower() or "ours"
IS_ORIGINAL = TARGET == "original"
ORIGINAL_CMD = "/opt/seldon-orig/bin/seldon-core-microservice"

# Request timeout used everywhere (seconds).
T = 10

# Environment variables that change the server's behaviour; removed from the inherited env so
# every test starts from the documented defaults.
_SCRUB_PREFIXES = ("PREDICTIVE_UNIT_", "GUNICORN_", "GRPC_", "SELDON_", "FLASK_", "JAEGER_")
_SCRUB = {
    "PREDICTOR_ID", "PREDICTOR_LABELS", "MODEL_METADATA", "INCLUDE_METRICS_IN_CLIENT_RESPONSE",
    "PAYLOAD_PASSTHROUGH", "FILTER_METRICS_ACCESS_LOGS", "TRACING", "SC_ANNOTATIONS_PATH",
    "USE_MULTIPROCESS_PACKAGE",
}

# Every server ever started, so a session finaliser can kill leftovers.
_LIVE = []


_ORIG_SHIM = None


def _original_pythonpath():
    """The installed original uses gunicorn 20.1, which imports pkg_resources at import time;
    the venv's setuptools (>= 81) no longer ships it. Gunicorn only uses it for `egg:` worker
    URIs, so a stub module is enough. Created once, in a temp dir, only for the original."""
    global _ORIG_SHIM
    if _ORIG_SHIM is None:
        py = os.path.join(os.path.dirname(ORIGINAL_CMD), "python")
        ok = subprocess.run([py, "-c", "import pkg_resources"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, timeout=30).returncode == 0
        if ok:
            _ORIG_SHIM = ""
        else:
            _ORIG_SHIM = tempfile.mkdtemp(prefix="sc-orig-shim-")
            with open(os.path.join(_ORIG_SHIM, "pkg_resources.py"), "w") as f:
                f.write("# stub for gunicorn 20.1 (tests only)\n"
                        "def load_entry_point(dist, group, name):\n"
                        "    from importlib.metadata import entry_points\n"
                        "    for ep in entry_points(group=group):\n"
                        "        if ep.name == name:\n"
                        "            return ep.load()\n"
                        "    raise ImportError(name)\n")
    return _ORIG_SHIM


def server_cmd():
    if IS_ORIGINAL:
        return [ORIGINAL_CMD]
    cmd = os.environ.get("SC_SERVER_CMD")
    if cmd:
        return shlex.split(cmd)
    exe = shutil.which("seldon-core-microservice")
    if not exe:
        raise RuntimeError("seldon-core-microservice not found on PATH (set SC_SERVER_CMD)")
    return [exe]


def model_path(name):
    return os.path.join(MODELS, name)


def free_port():
    """A TCP port free on all interfaces (the servers bind 0.0.0.0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("0.0.0.0", 0))
        return s.getsockname()[1]


def free_ports(n):
    ports = set()
    while len(ports) < n:
        ports.add(free_port())
    return sorted(ports)


def base_env(extra=None):
    env = {k: v for k, v in os.environ.items()
           if k not in _SCRUB and not k.startswith(_SCRUB_PREFIXES)}
    env["PYTHONUNBUFFERED"] = "1"
    # Our extra seldon_core_c_* metrics are on by default; the suites compare the metrics port
    # with the original's exposition, so they start with them off unless a test asks.
    env.setdefault("SC_BUILTIN_METRICS", "0")
    if IS_ORIGINAL and _original_pythonpath():
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (_original_pythonpath(), env.get("PYTHONPATH")) if p)
    if extra:
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = str(v)
    return env


def err_body(info, reason="MICROSERVICE_INTERNAL_ERROR"):
    """The exact Seldon error body (SPEC §3.6) including the trailing newline."""
    return (json.dumps({"status": {"code": -1, "info": info, "reason": reason, "status": 1}},
                       sort_keys=True, separators=(",", ":")) + "\n").encode()


def jbody(obj):
    """Flask jsonify encoding of a JSON-native object (sorted, compact, ASCII, newline)."""
    return (json.dumps(obj, sort_keys=True, separators=(",", ":")) + "\n").encode()


NOT_FOUND_INFO = ("404 Not Found: The requested URL was not found on the server. If you entered "
                  "the URL manually please check your spelling and try again.")
METHOD_NOT_ALLOWED_INFO = "405 Method Not Allowed: The method is not allowed for the requested URL."


class Server:
    def __init__(self, proc, http_port, grpc_port, metrics_port, log_path, argv):
        self.proc = proc
        self.pid = proc.pid
        self.http_port = http_port
        self.grpc_port = grpc_port
        self.metrics_port = metrics_port
        self.ports = {"http": http_port, "grpc": grpc_port, "metrics": metrics_port}
        self.base_url = "http://127.0.0.1:%d" % http_port
        self.metrics_url = "http://127.0.0.1:%d" % metrics_port
        self.log_path = log_path
        self.argv = argv
        self.stopped = False

    def url(self, path):
        return self.base_url + path

    def output(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def wait_exit(self, timeout):
        """Returns the exit code, or None if still running after timeout seconds."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout=10):
        """SIGTERM to the process group, wait up to timeout, then SIGKILL the group."""
        if self.stopped:
            return
        self.stopped = True
        if self.proc.poll() is None:
            _killpg(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        # the group may outlive its leader (e.g. the original's gRPC side): always sweep it
        _killpg(self.pid, signal.SIGKILL)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def _killpg(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def spawn(model, interface="MyModel", env=None, args=(), ports=None, pass_ports=True):
    """Starts the server without waiting for readiness. Returns a Server."""
    cwd = model if os.path.isabs(model) else model_path(model)
    http_port, grpc_port, metrics_port = ports or free_ports(3)
    argv = server_cmd() + [interface] if interface is not None else server_cmd()
    if pass_ports:
        argv += ["--http-port", str(http_port), "--grpc-port", str(grpc_port),
                 "--metrics-port", str(metrics_port)]
    if not IS_ORIGINAL and os.environ.get("SC_TEST_NO_GRPC") == "1":
        argv += ["--grpc-workers", "0"]
    argv += list(args)
    fd, log_path = tempfile.mkstemp(prefix="sc-e2e-", suffix=".log")
    with os.fdopen(fd, "wb") as log:
        proc = subprocess.Popen(argv, cwd=cwd, env=base_env(env), stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    srv = Server(proc, http_port, grpc_port, metrics_port, log_path, argv)
    _LIVE.append(srv)
    return srv


def wait_ready(srv, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if srv.proc.poll() is not None:
            raise RuntimeError("server exited with %s before becoming ready:\n%s"
                               % (srv.proc.returncode, srv.output()))
        try:
            r = requests.get(srv.url("/health/ping"), timeout=1)
            if r.status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError("server not ready after %ss:\n%s" % (timeout, srv.output()))


@contextlib.contextmanager
def running_server(model, interface="MyModel", env=None, args=(), ready=True):
    srv = spawn(model, interface, env=env, args=args)
    try:
        if ready:
            wait_ready(srv)
        yield srv
    except BaseException:
        sys.stdout.write("\n==== server %r output ====\n%s\n==== end ====\n"
                         % (srv.argv, srv.output()))
        raise
    finally:
        srv.stop()
        try:
            os.unlink(srv.log_path)
        except OSError:
            pass


def run_cli(model, args, env=None, timeout=30, interface=None):
    """Runs the CLI to completion (for start-up failures / --help). Returns (rc, output).
    Kills the whole process group if it is still running after timeout (rc None)."""
    cwd = model_path(model) if model else HERE
    argv = server_cmd() + ([interface] if interface else []) + list(args)
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(argv, cwd=cwd, env=base_env(env), stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            rc = None
        _killpg(proc.pid, signal.SIGKILL)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        log.seek(0)
        return rc, log.read().decode("utf-8", "replace")


def active_servers():
    return [s for s in _LIVE if not s.stopped]


def kill_all():
    """Session end: kill whatever is left and remove the logs and the temp shim."""
    for srv in _LIVE:
        if not srv.stopped:
            _killpg(srv.pid, signal.SIGKILL)
        try:
            os.unlink(srv.log_path)
        except OSError:
            pass
    if _ORIG_SHIM:
        shutil.rmtree(_ORIG_SHIM, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# raw HTTP


class RawResponse:
    def __init__(self, status, reason, headers, body, raw):
        self.status = status
        self.reason = reason
        self.headers = headers  # list of (name, value) in order
        self.body = body
        self.raw = raw

    def header(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None


def raw_request(port, data, timeout=T):
    """Sends bytes (one request; include `Connection: close`) and parses one response."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        buf = b""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in buf:
            if time.monotonic() > deadline:
                raise TimeoutError("no response head")
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
        head, _, rest = buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        status = int(parts[1])
        reason = parts[2] if len(parts) > 2 else ""
        headers = []
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers.append((k.strip(), v.strip()))
        clen = None
        for k, v in headers:
            if k.lower() == "content-length":
                clen = int(v)
        body = rest
        if clen is not None:
            while len(body) < clen:
                if time.monotonic() > deadline:
                    raise TimeoutError("short body")
                chunk = s.recv(65536)
                if not chunk:
                    break
                body += chunk
            body = body[:clen]
        else:
            while True:
                if time.monotonic() > deadline:
                    raise TimeoutError("body never ended")
                chunk = s.recv(65536)
                if not chunk:
                    break
                body += chunk
        return RawResponse(status, reason, headers, body, buf)


def raw_http(port, method, path, body=b"", headers=None, timeout=T):
    hdrs = [("Host", "127.0.0.1:%d" % port), ("Connection", "close")]
    if headers:
        hdrs += list(headers)
    if body or method in ("POST", "PUT", "PATCH"):
        hdrs.append(("Content-Length", str(len(body))))
    req = "%s %s HTTP/1.1\r\n" % (method, path)
    req += "".join("%s: %s\r\n" % kv for kv in hdrs) + "\r\n"
    return raw_request(port, req.encode("latin-1") + body, timeout=timeout)

"""gRPC throughput of the identity model: this server vs the original seldon-core 1.17.1,
alternating in one run on the same machine, defaults (1 gRPC worker, 1 gRPC thread), loopback.

The load generator is h2load (nghttp2, C; apt-get install nghttp2-client): it posts one
pre-framed gRPC message per call over C connections with M streams each, so the client costs
little CPU next to the server (a Python client would be the bottleneck). Each server is first
checked with grpcio: the answer must be status OK and the expected message, since h2load counts
HTTP 200 and a gRPC error is also HTTP 200.

  python benchmarks/grpc_bench.py [--payload tensor1x4|ndarray100x100|all] [--rounds 3]
      [--seconds 10] [--ours CMD] [--orig CMD] [--before CMD]

Every server runs in its own session and is stopped (SIGTERM, then SIGKILL) after its round.
"""
import argparse
import os
import re
import shlex
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
MODEL_DIR = os.path.join(HERE, "models", "identity")
ORIG = "/opt/seldon-orig/bin/seldon-core-microservice"
METHOD = "/seldon.protos.Model/Predict"


def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(num, payload):  # length-delimited field
    return _varint(num << 3 | 2) + _varint(len(payload)) + payload


def tensor_message(shape, values):
    packed_shape = b"".join(_varint(d) for d in shape)
    tensor = _field(1, packed_shape) + _field(2, b"".join(struct.pack("<d", v) for v in values))
    return _field(3, _field(2, tensor))  # SeldonMessage.data(3) -> DefaultData.tensor(2)


def ndarray_message(rows):
    # ListValue{values: [Value{list_value: ListValue{values: [Value{number_value}]}}]}
    outer = b""
    for row in rows:
        inner = b"".join(_field(1, b"\x11" + struct.pack("<d", v)) for v in row)
        outer += _field(1, _field(6, inner))
    return _field(3, _field(3, outer))  # SeldonMessage.data(3) -> DefaultData.ndarray(3)


def payloads():
    rows = [[((i * 100 + j) * 0.37) % 17.5 for j in range(100)] for i in range(100)]
    return {
        "tensor1x4": tensor_message([1, 4], [1.0, 2.0, 3.0, 4.0]),
        "ndarray100x100": ndarray_message(rows),
    }


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, cmd):
        self.http, self.grpc, self.metrics = free_port(), free_port(), free_port()
        self.log = tempfile.TemporaryFile()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("GRPC_", "GUNICORN_", "SELDON_", "PREDICTIVE_UNIT_"))}
        self.proc = subprocess.Popen(
            shlex.split(cmd) + ["MyModel", "--http-port", str(self.http), "--grpc-port",
                                str(self.grpc), "--metrics-port", str(self.metrics)],
            cwd=MODEL_DIR, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
            env=env)

    def wait_ready(self, message):
        import grpc

        deadline = time.monotonic() + 60
        channel = grpc.insecure_channel("127.0.0.1:%d" % self.grpc)
        try:
            grpc.channel_ready_future(channel).result(timeout=60)
            call = channel.unary_unary(METHOD)
            while True:
                try:
                    return call(message, timeout=10)
                except grpc.RpcError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        finally:
            channel.close()

    def stop(self):
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        self.log.close()


def h2load(port, body_path, seconds, clients, streams):
    cmd = ["h2load", "-t", "1", "-c", str(clients), "-m", str(streams), "-D", str(seconds),
           "--warm-up-time", "2", "-d", body_path, "-H", "content-type: application/grpc",
           "-H", "te: trailers", "http://127.0.0.1:%d%s" % (port, METHOD)]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=seconds + 60).stdout
    m = re.search(r"finished in [^,]+, ([\d.]+) req/s", out)
    ok = re.search(r"status codes: (\d+) 2xx", out)
    failed = re.search(r"requests: \d+ total, \d+ started, \d+ done, \d+ succeeded, (\d+) failed", out)
    if not m or not ok or (failed and int(failed.group(1))):
        raise RuntimeError("h2load failed:\n" + out)
    return float(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--payload", default="all", choices=["all", "tensor1x4", "ndarray100x100"])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--streams", type=int, default=4)
    ap.add_argument("--ours", default=shutil.which("seldon-core-microservice") or "")
    ap.add_argument("--orig", default=ORIG)
    ap.add_argument("--before", default="", help="also run this build of ours (e.g. an older one)")
    ap.add_argument("--only", choices=["ours", "orig"], help="benchmark one server only")
    args = ap.parse_args()
    if not shutil.which("h2load"):
        sys.exit("h2load not found: apt-get install nghttp2-client")
    all_payloads = payloads()
    names = list(all_payloads) if args.payload == "all" else [args.payload]
    targets = [("orig", args.orig), ("ours", args.ours)]
    if args.before:
        targets.insert(1, ("before", args.before))
    if args.only:
        targets = [t for t in targets if t[0] == args.only]
    summary = []
    for name in names:
        message = all_payloads[name]
        with tempfile.NamedTemporaryFile(suffix=".grpc", delete=False) as f:
            f.write(b"\x00" + struct.pack(">I", len(message)) + message)
            body = f.name
        results = {t: [] for t, _ in targets}
        try:
            for r in range(args.rounds):
                for which, cmd in targets:
                    srv = Server(cmd)
                    try:
                        answer = srv.wait_ready(message)
                        if len(answer) < len(message) // 2:
                            raise RuntimeError("%s: unexpected answer %r" % (which, answer[:80]))
                        rps = h2load(srv.grpc, body, args.seconds, args.clients, args.streams)
                    finally:
                        srv.stop()
                    results[which].append(rps)
                    print("%s round %d %s %.0f req/s" % (name, r + 1, which, rps), flush=True)
        finally:
            os.unlink(body)
        med = {w: statistics.median(v) for w, v in results.items()}
        line = "%s: " % name + ", ".join("%s median %.0f req/s" % (w, v) for w, v in med.items())
        for w in ("before", "ours"):
            if w in med and "orig" in med and med["orig"] > 0:
                line += ", %s/orig %.1fx" % (w, med[w] / med["orig"])
        summary.append(line)
    print("\n".join(summary))


if __name__ == "__main__":
    main()

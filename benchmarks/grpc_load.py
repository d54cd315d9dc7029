"""Closed-loop gRPC load: C concurrent unary calls of /seldon.protos.Model/Predict with a
1x4 tensor, spread over several channels (one HTTP/2 connection each, so SO_REUSEPORT can
balance gRPC workers). Prints requests/s. The client is Python (grpc.aio): on a small machine
it competes with the server for CPU, so compare servers with the same client and settings.

  python benchmarks/grpc_load.py --port 5000 --concurrency 16 --seconds 10
"""
import argparse
import asyncio
import time

import grpc

# SeldonMessage{data{tensor{shape:[1,4] values:[1,2,3,4]}}}, hand-encoded so the client needs
# no message classes and spends no time serialising.
_TENSOR = b"\x0a\x02\x01\x04" + b"\x12\x20" + b"".join(
    __import__("struct").pack("<d", v) for v in (1.0, 2.0, 3.0, 4.0))
REQUEST = b"\x1a" + bytes([len(_TENSOR) + 2]) + b"\x12" + bytes([len(_TENSOR)]) + _TENSOR


async def worker(stub, deadline, counts):
    while time.monotonic() < deadline:
        await stub(REQUEST, timeout=10)
        counts[0] += 1


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=5000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--channels", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--warmup", type=float, default=2)
    args = ap.parse_args()
    channels = [grpc.aio.insecure_channel("127.0.0.1:%d" % args.port,
                                          options=[("grpc.use_local_subchannel_pool", 1)])
                for _ in range(args.channels)]
    stubs = [ch.unary_unary("/seldon.protos.Model/Predict") for ch in channels]
    for stub in stubs:
        await stub(REQUEST, timeout=30, wait_for_ready=True)
    counts = [0]
    await asyncio.gather(*(worker(stubs[i % len(stubs)], time.monotonic() + args.warmup, [0])
                           for i in range(args.concurrency)))
    start = time.monotonic()
    await asyncio.gather(*(worker(stubs[i % len(stubs)], start + args.seconds, counts)
                           for i in range(args.concurrency)))
    elapsed = time.monotonic() - start
    print("%.0f req/s (%d requests in %.1f s, c=%d, %d channels)"
          % (counts[0] / elapsed, counts[0], elapsed, args.concurrency, args.channels))
    for ch in channels:
        await ch.close()


if __name__ == "__main__":
    asyncio.run(main())

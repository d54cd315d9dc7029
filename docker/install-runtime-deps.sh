#!/usr/bin/env bash
# The shared libraries the server needs at run time, and nothing to build with: the
# Dockerfile's runtime stage runs it. tests/test_deploy.py checks that RUNTIME_PACKAGES
# covers every library the built server links (objdump NEEDED, mapped with dpkg -S).
#
# Usage: docker/install-runtime-deps.sh          install them (root, Debian bookworm)
#        docker/install-runtime-deps.sh --list   print the package names, one a line
set -euo pipefail

RUNTIME_PACKAGES=(
    python3               # the interpreter the virtualenv points at, and its standard library
    libpython3.11         # libpython3.11.so.1.0: the server embeds CPython
    libevent-core-2.1-7   # HTTP server (evhttp) and event loop
    libevent-extra-2.1-7
    libevent-pthreads-2.1-7
    libgrpc29             # gRPC core (libgrpc, libgpr), for the gRPC workers
    libprotobuf-c1        # protobuf-c, the gRPC fast path's generated decoders
)

if [ "${1:-}" = "--list" ]; then
    printf '%s\n' "${RUNTIME_PACKAGES[@]}"
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${RUNTIME_PACKAGES[@]}" >/dev/null
apt-get clean
rm -rf /var/lib/apt/lists/*
echo "runtime libraries installed"

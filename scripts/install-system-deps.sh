#!/usr/bin/env bash
# System packages seldon-core-c needs to build, test and benchmark on Debian/Ubuntu.
# Used by the README, .ci/run and the Dockerfile, so all three install the same thing.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
    build-essential cmake pkg-config \
    python3-dev python3-venv python3-pip \
    libevent-dev \
    libgrpc-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler libprotobuf-dev \
    curl wrk procps nghttp2-client >/dev/null
# clang with its sanitizer and libFuzzer runtimes, for the fuzz targets (tests/fuzz/, `make fuzz`).
# Debian 12 ships those runtimes in libclang-rt-14-dev; older releases have them in clang's own
# dependencies and lack that package.
FUZZ_PKGS="clang"
if apt-cache show libclang-rt-14-dev >/dev/null 2>&1; then
    FUZZ_PKGS="$FUZZ_PKGS libclang-rt-14-dev"
fi
# shellcheck disable=SC2086  # a list of package names
$SUDO apt-get install -y -qq --no-install-recommends $FUZZ_PKGS >/dev/null
echo "system dependencies installed"

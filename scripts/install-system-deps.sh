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
    curl wrk procps >/dev/null
echo "system dependencies installed"

#!/usr/bin/env bash
# Builds the seldon-core-c wheel (`pip wheel .`): the Dockerfile's builder stage runs it, and
# tests/test_deploy.py runs it on a copy of the Docker build context, so the image's build
# step is exercised by CI even where no Docker engine runs.
#
# Usage: docker/build-wheel.sh DIST_DIR [VENV]
#   DIST_DIR  where the wheel is written
#   VENV      optional: a virtualenv created here (python3 -m venv) that gets the build
#             requirements from PyPI, builds the wheel, then has it installed (the image's
#             /opt/venv). Without it, $PYTHON (default python3) builds, and must already have
#             setuptools, wheel and numpy (e.g. the project's .venv after `make venv`).
# System packages: scripts/install-system-deps.sh. SC_BUILD_JOBS sets the compile jobs.
set -euo pipefail

dist=${1:?usage: build-wheel.sh DIST_DIR [VENV]}
venv=${2:-}
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dist"

if [ -n "$venv" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
    "$venv/bin/pip" install --no-cache-dir -q --upgrade pip setuptools wheel numpy
    python="$venv/bin/python"
else
    python=${PYTHON:-python3}
fi

# The same build as `make install`: no build isolation, so the server is compiled against the
# numpy it will run with.
SC_BUILD_JOBS=${SC_BUILD_JOBS:-$(nproc)} \
    "$python" -m pip wheel --no-cache-dir -q --no-build-isolation --no-deps -w "$dist" "$src"
wheel=$(ls "$dist"/seldon_core_c-*.whl)
echo "built $wheel"

if [ -n "$venv" ]; then
    "$venv/bin/pip" install --no-cache-dir -q "$wheel"
    "$venv/bin/seldon-core-microservice" --version
fi

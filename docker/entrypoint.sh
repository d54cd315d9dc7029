#!/bin/sh
# The image's entrypoint: starts the model the way Seldon Core's s2i Python images do
# (their /s2i/bin/run), so an image built for the original runs unchanged:
#
#   cd /microservice
#   exec seldon-core-microservice $MODEL_NAME --service-type $SERVICE_TYPE [--persistence $PERSISTENCE] [ARGS...]
#
# MODEL_NAME    required: the model class, `Module` (class Module in Module.py) or `pkg.module.Class`
# SERVICE_TYPE  MODEL (default), ROUTER, TRANSFORMER, COMBINER or OUTLIER_DETECTOR
# PERSISTENCE   passed on when set (default 0; deprecated and ignored by the server, as by the original)
# Arguments that start with "-" are appended to the server's command line
# (`docker run IMAGE --workers 4`); any other first argument is run instead of the server
# (`docker run -it IMAGE bash`). API_TYPE, set by pre-1.5 images, is ignored as in 1.5+.
# `exec` makes the server PID 1: it receives SIGTERM from Kubernetes or `docker stop`
# directly, drains in-flight requests and exits 0.
set -eu

if [ "$#" -gt 0 ]; then
    case "$1" in
        -*) ;;
        *) exec "$@" ;;
    esac
fi

if [ -z "${MODEL_NAME:-}" ]; then
    echo "seldon-core-c: set MODEL_NAME to the model class to serve (e.g. MyModel or package.module.MyModel)" >&2
    exit 64
fi

cd "${MICROSERVICE_DIR:-/microservice}"
if [ -n "${PERSISTENCE:-}" ]; then
    set -- --persistence "$PERSISTENCE" "$@"
fi
exec seldon-core-microservice "$MODEL_NAME" --service-type "${SERVICE_TYPE:-MODEL}" "$@"

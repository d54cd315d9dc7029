# syntax=docker/dockerfile:1
# seldon-core-c server image: a drop-in base for Seldon Core 1.x Python model images.
#
#   docker build -t seldon-core-c:0.1.0 .
#   docker run --rm -p 9000:9000 -p 5000:5000 -p 6000:6000 \
#       -e MODEL_NAME=seldon_core_c.examples.iris.IrisClassifier seldon-core-c:0.1.0
#
# A model image puts its code in /microservice and sets MODEL_NAME (docs/quickstart.md).
# Every RUN step calls a script of this repository that CI also runs (tests/test_deploy.py).

ARG DEBIAN_IMAGE=debian:bookworm-slim

# ---- builder: the same system packages as a developer machine and CI, then `pip wheel .` ----
FROM ${DEBIAN_IMAGE} AS builder
WORKDIR /src
COPY scripts/install-system-deps.sh scripts/
RUN bash scripts/install-system-deps.sh
COPY . .
RUN bash docker/build-wheel.sh /dist /opt/venv

# ---- runtime: the shared libraries the server links, the virtualenv, a non-root user ----
FROM ${DEBIAN_IMAGE} AS runtime
COPY docker/install-runtime-deps.sh /tmp/install-runtime-deps.sh
RUN bash /tmp/install-runtime-deps.sh && rm /tmp/install-runtime-deps.sh
COPY --from=builder /opt/venv /opt/venv
COPY docker/entrypoint.sh /usr/local/bin/seldon-core-c-entrypoint
# uid 8888 as Seldon's own images; group 0 so OpenShift's arbitrary uids can write /microservice.
RUN useradd --uid 8888 --gid 0 --home-dir /microservice --create-home --shell /usr/sbin/nologin seldon \
    && chmod 0775 /microservice
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    SERVICE_TYPE=MODEL \
    PERSISTENCE=0
WORKDIR /microservice
USER 8888
# REST, gRPC, Prometheus metrics (--http-port, --grpc-port, --metrics-port defaults)
EXPOSE 9000 5000 6000
ENTRYPOINT ["/usr/local/bin/seldon-core-c-entrypoint"]

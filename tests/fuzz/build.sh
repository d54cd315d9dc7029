#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with clang (libFuzzer + ASan + UBSan).
#
#   tests/fuzz/build.sh [OUT_DIR]      default OUT_DIR: build/fuzz (at the repository root)
#
# Every csrc/*.c file that needs neither Python nor gRPC at link time is compiled once,
# instrumented, into OUT_DIR/libsc_fuzz.a; each target is its harness linked against that archive,
# so the linker takes exactly the modules the target reaches (fuzz_json gets the JSON parser and
# its number code, fuzz_http the real transport, executor, routes, metrics, ...) and a new module
# is picked up without editing this script. A file needs Python/gRPC when it includes their
# headers, directly or through a csrc header that does. sc_http.c and sc_executor.c are the
# exception (with sc_job.c): they see Python only through the declaration of sc_job and call sc_dispatch_run()
# and sc_py_openapi(), which fuzz_http.c provides.
#
# fuzz_proto is the one target that links libpython and numpy's headers: the gRPC fast path's
# decoder (csrc/sc_grpc_fast.c) shares its file with the GIL-side functions. It also needs the
# protobuf-c code generated from proto/ (as CMakeLists.txt generates it, into OUT_DIR/pbc).
# PYTHON (default python3) is the interpreter whose headers, libpython and numpy are used; the
# Makefile passes the project's venv.
#
# Needs: clang and libclang-rt-14-dev (scripts/install-system-deps.sh), libevent-dev,
# python3-dev, numpy (in PYTHON), protobuf-c-compiler, libprotobuf-c-dev, libprotobuf-dev
# (google/protobuf/*.proto), pkg-config.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-build/fuzz}
CC=${FUZZ_CC:-clang}
JOBS=${JOBS:-2}

if ! command -v "$CC" >/dev/null; then
    echo "fuzz: $CC not found (apt-get install -y clang libclang-rt-14-dev)" >&2
    exit 1
fi

PYTHON=${PYTHON:-python3}
PY_INC=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
NUMPY_INC=$("$PYTHON" -c 'import numpy; print(numpy.get_include())')
PY_LIBDIR=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR"))')
PY_LIB=python$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_config_var("LDVERSION"))')
PBC_LIBS=$(pkg-config --libs libprotobuf-c)
EVENT_CFLAGS=$(pkg-config --cflags libevent_core libevent_extra libevent_pthreads)
EVENT_LIBS=$(pkg-config --libs libevent_core libevent_extra libevent_pthreads)
# The project's warning set, plus the sanitizers. UBSan findings abort, so libFuzzer reports them
# with the input; -O1 keeps the targets fast without losing stack traces.
COMMON=(-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer
        -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
        -fno-sanitize-recover=undefined -Icsrc -Itests/fuzz -I"$PY_INC")
# shellcheck disable=SC2206  # pkg-config output is a list of flags
COMMON+=($EVENT_CFLAGS)

# --- which csrc files go into the archive ----------------------------------------------------
py_headers() {
    local found="" prev="x" h base re
    while [ "$found" != "$prev" ]; do
        prev=$found
        re=$(echo "$found" | sed 's/^ *//; s/ *$//; s/ \+/|/g; s/\./\\./g')
        for h in csrc/*.h; do
            base=${h#csrc/}
            case " $found " in *" $base "*) continue ;; esac
            if grep -qE '#include <(Python\.h|grpc/)' "$h" ||
                { [ -n "$re" ] && grep -qE "#include \"($re)\"" "$h"; }; then
                found="$found $base"
            fi
        done
    done
    echo "$found"
}
PY_RE=$(py_headers | sed 's/^ *//; s/ *$//; s/ \+/|/g; s/\./\\./g')
SOURCES=()
for f in csrc/sc_*.c; do
    case "$f" in
    csrc/sc_main.c) continue ;;
    csrc/sc_http.c | csrc/sc_executor.c | csrc/sc_job.c) ;;
    *)
        if grep -qE '#include <(Python\.h|grpc/)' "$f" || grep -qE "#include \"($PY_RE)\"" "$f"; then
            continue
        fi
        ;;
    esac
    SOURCES+=("$f")
done

# --- the archive ----------------------------------------------------------------------------
mkdir -p "$OUT/obj"
rm -f "$OUT"/obj/*.o "$OUT/libsc_fuzz.a"
echo "fuzz: compiling ${#SOURCES[@]} csrc files into $OUT/libsc_fuzz.a"
export CC OUT
# A file that does not compile (someone's work in progress) is left out with a warning: if a
# target needs it, its link fails below and names the missing symbols.
# shellcheck disable=SC2016  # the script is expanded by the inner sh, per file
printf '%s\n' "${SOURCES[@]}" | xargs -P "$JOBS" -I{} sh -c '
    o="$OUT/obj/$(basename {} .c).o"
    "$CC" "$@" -fsanitize=fuzzer-no-link,address,undefined -c {} -o "$o" 2>"$o.err" ||
        { echo "fuzz: warning: {} does not compile, left out:"; head -5 "$o.err"; rm -f "$o"; }
    rm -f "$o.err"' sh "${COMMON[@]}"
ar rcs "$OUT/libsc_fuzz.a" "$OUT"/obj/*.o

# --- protobuf-c code and the fast path's decoder, for fuzz_proto ---------------------------------
# The same protos and command as CMakeLists.txt. Generated code is not ours: compiled without
# -Werror, but instrumented.
PBC_PROTOS=(prediction.proto grpc/health/v1/health.proto
            tensorflow/core/framework/tensor.proto tensorflow/core/framework/tensor_shape.proto
            tensorflow/core/framework/types.proto tensorflow/core/framework/resource_handle.proto
            google/protobuf/any.proto google/protobuf/struct.proto google/protobuf/empty.proto)
WKT_DIR=/usr/include
[ -f "$WKT_DIR/google/protobuf/struct.proto" ] || WKT_DIR=/usr/local/include
rm -rf "$OUT/pbc" "$OUT/pbc_obj"
mkdir -p "$OUT/pbc" "$OUT/pbc_obj"
(cd proto && protoc-c -I. -I"$WKT_DIR" --c_out="../$OUT/pbc" "${PBC_PROTOS[@]}")
# shellcheck disable=SC2016  # the script is expanded by the inner sh, per file
find "$OUT/pbc" -name '*.pb-c.c' -print0 | xargs -0 -P "$JOBS" -I{} sh -c \
    '"$CC" -std=c11 -g -O1 -w -fsanitize=fuzzer-no-link,address,undefined -I"$OUT/pbc" -c {} \
        -o "$OUT/pbc_obj/$(echo {} | tr / _).o"'
ar rcs "$OUT/libsc_pbc.a" "$OUT"/pbc_obj/*.o
PROTO_OBJS=()
for f in sc_grpc_fast sc_numpy; do
    "$CC" "${COMMON[@]}" -I"$NUMPY_INC" -I"$OUT/pbc" -fsanitize=fuzzer-no-link,address,undefined \
        -c "csrc/$f.c" -o "$OUT/obj_$f.o"
    PROTO_OBJS+=("$OUT/obj_$f.o")
done

# --- the targets ------------------------------------------------------------------------------
TARGETS=(fuzz_json fuzz_multipart fuzz_reqbody fuzz_http fuzz_h1)
pids=()
for t in "${TARGETS[@]}"; do
    echo "fuzz: linking $OUT/$t"
    # shellcheck disable=SC2086
    "$CC" "${COMMON[@]}" -fsanitize=fuzzer,address,undefined "tests/fuzz/$t.c" "$OUT/libsc_fuzz.a" \
        $EVENT_LIBS -lpthread -lm -o "$OUT/$t" &
    pids+=($!)
done
echo "fuzz: linking $OUT/fuzz_proto"
# shellcheck disable=SC2086
"$CC" "${COMMON[@]}" -I"$NUMPY_INC" -I"$OUT/pbc" -fsanitize=fuzzer,address,undefined \
    tests/fuzz/fuzz_proto.c "${PROTO_OBJS[@]}" "$OUT/libsc_fuzz.a" "$OUT/libsc_pbc.a" $PBC_LIBS \
    -L"$PY_LIBDIR" -Wl,-rpath,"$PY_LIBDIR" -l"$PY_LIB" -lpthread -ldl -lutil -lm -o "$OUT/fuzz_proto" &
pids+=($!)
rc=0
for p in "${pids[@]}"; do
    wait "$p" || rc=1
done
[ "$rc" = 0 ] || { echo "fuzz: a target failed to build" >&2; exit 1; }
echo "fuzz: targets in $OUT"

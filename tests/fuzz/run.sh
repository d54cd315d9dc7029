#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz/ for a bounded time or a bounded number of inputs,
# one after the other, starting from the committed seeds (tests/fuzz/corpus/<target>/) plus what
# earlier runs found (build/fuzz/corpus/<target>/, where new inputs are written, so the
# committed corpus never changes by running this).
#
#   tests/fuzz/run.sh time SECONDS     each target for SECONDS (make fuzz, in CI via make test)
#   tests/fuzz/run.sh runs N           each target for N inputs (make fuzz-long: N = 10^7)
#   FUZZ_TARGETS="fuzz_json fuzz_http" to run a subset.
#
# A finding stops the run with a non-zero status; the input is saved as
# build/fuzz/artifacts/<target>-crash-<sha1> (reproduce: build/fuzz/<target> <that file>).
set -euo pipefail
cd "$(dirname "$0")/../.."
MODE=${1:?usage: run.sh time SECONDS | runs N}
AMOUNT=${2:?usage: run.sh time SECONDS | runs N}
OUT=build/fuzz
TARGETS=${FUZZ_TARGETS:-fuzz_json fuzz_multipart fuzz_reqbody fuzz_http fuzz_h1 fuzz_proto}

case "$MODE" in
time) LIMIT=(-max_total_time="$AMOUNT") ;;
runs) LIMIT=(-runs="$AMOUNT") ;;
*) echo "run.sh: unknown mode $MODE" >&2; exit 2 ;;
esac

# Longest input per target: deep JSON nesting needs ~2 KB; the multipart decoder has logic at its
# 64 KiB read windows, which only inputs beyond 64 KiB reach; HTTP inputs pass the 8 KiB body
# limit the harness sets.
max_len() {
    case "$1" in
    fuzz_json) echo 8192 ;;
    fuzz_multipart) echo 140000 ;;
    *) echo 16384 ;;
    esac
}
dict() {
    case "$1" in
    fuzz_json) echo tests/fuzz/dict/json.dict ;;
    fuzz_multipart) echo tests/fuzz/dict/multipart.dict ;;
    fuzz_reqbody) echo tests/fuzz/dict/reqbody.dict ;;
    fuzz_http | fuzz_h1) echo tests/fuzz/dict/http.dict ;;
    fuzz_proto) echo tests/fuzz/dict/proto.dict ;;
    esac
}

mkdir -p "$OUT/artifacts"
summary=()
for t in $TARGETS; do
    mkdir -p "$OUT/corpus/$t"
    log="$OUT/$t.log"
    echo "fuzz: $t (${MODE} ${AMOUNT}), log in $log"
    # -timeout: one input taking 10 s is a hang (the HTTP target itself aborts after 10 s
    # without the server closing). ASan keeps up to 256 MB of freed memory in quarantine, so
    # RSS settles around 0.5 GB; the limit is well above that.
    rc=0
    "$OUT/$t" "${LIMIT[@]}" -max_len="$(max_len "$t")" -dict="$(dict "$t")" -timeout=10 \
        -rss_limit_mb=3072 -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$t-" \
        "$OUT/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -aE '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p' || true)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    summary+=("$t: ${execs:-?} inputs in ${secs:-?} s, coverage ${cov:-?} edges, status $rc")
    if [ "$rc" != 0 ]; then
        echo "fuzz: $t FAILED (status $rc); the end of $log:" >&2
        tail -60 "$log" >&2
        printf '  %s\n' "${summary[@]}"
        exit 1
    fi
done
echo "fuzz: summary"
printf '  %s\n' "${summary[@]}"

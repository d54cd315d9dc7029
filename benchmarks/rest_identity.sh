#!/usr/bin/env bash
# REST throughput of a trivial identity model: this server vs the original seldon-core 1.17.1,
# alternating in one run on the same machine, 1 worker, wrk -c16 on 127.0.0.1.
# Usage: benchmarks/rest_identity.sh [rounds] [seconds]
#   OURS=<seldon-core-microservice of this package>   (default: first on PATH)
#   ORIG=<seldon-core-microservice of seldon-core>    (default: /opt/seldon-orig/bin/...)
set -euo pipefail
ROUNDS=${1:-3}
SECS=${2:-5}
HERE="$(cd "$(dirname "$0")" && pwd)"
OURS=${OURS:-$(command -v seldon-core-microservice)}
ORIG=${ORIG:-/opt/seldon-orig/bin/seldon-core-microservice}
PORT=${PORT:-19000}
URL="http://127.0.0.1:$PORT/api/v1.0/predictions"

start() { # $1 = binary; the server runs in its own session so we can stop the whole tree
  (cd "$HERE/models/identity" && exec setsid "$1" MyModel --http-port "$PORT" --grpc-port $((PORT+1)) \
      --metrics-port $((PORT+2)) >/tmp/sc-bench-server.log 2>&1) &
  SERVER=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health/ping" >/dev/null && return 0; sleep 0.1; done
  echo "server did not start: $(cat /tmp/sc-bench-server.log)" >&2; exit 1
}
stop() { kill -TERM -- "-$SERVER" 2>/dev/null || true; sleep 0.5; kill -KILL -- "-$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; sleep 0.5; }
run() { # prints requests/s
  wrk -t1 -c16 -d"${SECS}s" -s "$HERE/post.lua" --latency "$URL" 2>&1 | tee -a /tmp/sc-bench-wrk.log | awk '/Requests\/sec/ {print $2}'
}

: >/tmp/sc-bench-wrk.log
declare -a R_OURS R_ORIG
for r in $(seq "$ROUNDS"); do
  for which in orig ours; do
    bin=$ORIG; [ "$which" = ours ] && bin=$OURS
    start "$bin"
    curl -sf -H 'Content-Type: application/json' -d '{"data":{"ndarray":[[1.0,2.0,3.0,4.0]]}}' "$URL" >/dev/null
    rps=$(run)
    stop
    echo "round $r $which $rps req/s"
    if [ "$which" = ours ]; then R_OURS+=("$rps"); else R_ORIG+=("$rps"); fi
  done
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mo=$(median "${R_OURS[@]}"); mg=$(median "${R_ORIG[@]}")
echo "median ours $mo req/s, original $mg req/s, ratio $(awk -v a="$mo" -v b="$mg" 'BEGIN {printf "%.1f", a/b}')x"

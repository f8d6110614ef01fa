#!/usr/bin/env bash
# Load run: wrk on loopback against `serve` for each framework, with and without CORS,
# with a mix of allowed simple GETs, allowed preflights and rejected-origin GETs
# (load/mix.lua). Prints a markdown table: req/s, p50 and p99 latency, requests, errors,
# the --no-cors runs' expected 404/405s, and the server's VmRSS at start, after the
# warm-up and after the run. Not part of `cargo test`.
#
#   load/run.sh                      # all frameworks, -t2 -c32 -d10s, 3 s warm-up
#   FRAMEWORKS="axum warp" DURATION=5s CONNECTIONS=64 THREADS=2 WARMUP=2s load/run.sh
#
# Exits non-zero if any run had an error (socket error, unexpected response, lost
# response) or a server died.
set -euo pipefail

cd "$(dirname "$0")/.."
FRAMEWORKS=${FRAMEWORKS:-"axum actix rocket warp"}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
POLICY=${POLICY:-examples/policy.toml}
LUA=load/mix.lua

if ! command -v wrk >/dev/null 2>&1; then
    echo "installing wrk (Debian package)" >&2
    apt-get install -y wrk >&2
fi

cargo build --release -p cors-examples --bin serve >&2
SERVE="${CARGO_TARGET_DIR:-target}/release/serve"

WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# Other heavy processes (benchmarks) that would skew the numbers.
contention() {
    ps -eo pid,pcpu,args --no-headers | grep -E "criterion|cargo bench|allocs|/deps/.*--bench" | grep -v grep || true
}

start_server() { # framework, cors(on|off)
    local fw=$1 cors=$2 port out
    port=$(free_port)
    out="$WORK/$fw-$cors.out"
    local flags=(--framework "$fw" --listen "127.0.0.1:$port" --policy "$POLICY")
    [ "$cors" = off ] && flags+=(--no-cors)
    "$SERVE" "${flags[@]}" >"$out" 2>"$WORK/$fw-$cors.err" &
    SERVER_PID=$!
    for _ in $(seq 1 200); do
        if grep -q "listening on" "$out" 2>/dev/null; then
            ADDR="http://127.0.0.1:$port"
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "serve --framework $fw ($cors) did not start:" >&2
    cat "$WORK/$fw-$cors.err" >&2
    return 1
}

stop_server() {
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

field() { # key, RESULT line
    sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ), nproc $(nproc), $(uname -sr), wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency -s $LUA (warm-up $WARMUP)" >&2
busy=$(contention)
if [ -n "$busy" ]; then
    echo "WARNING: other heavy processes are running; numbers are contended:" >&2
    echo "$busy" >&2
fi

ROWS=()
FAILED=0
for fw in $FRAMEWORKS; do
    for cors in on off; do
        start_server "$fw" "$cors"
        rss_start=$(rss_kib "$SERVER_PID")
        CORS=$cors wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$LUA" "$ADDR" >"$WORK/warm.txt" 2>&1
        rss_before=$(rss_kib "$SERVER_PID")
        CORS=$cors wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$LUA" "$ADDR" >"$WORK/run.txt" 2>&1
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "$fw ($cors): serve died during the run" >&2
            FAILED=1
            ROWS+=("| $fw | $cors | - | - | serve died | - | - |")
            SERVER_PID=""
            continue
        fi
        rss_after=$(rss_kib "$SERVER_PID")
        stop_server
        result=$(grep '^RESULT' "$WORK/run.txt" || true)
        if [ -z "$result" ]; then
            echo "$fw ($cors): no RESULT from wrk:" >&2
            cat "$WORK/run.txt" >&2
            FAILED=1
            continue
        fi
        echo "$fw CORS $cors: $result" >&2
        rps=$(field rps "$result")
        p99=$(field p99_us "$result")
        p50=$(field p50_us "$result")
        errors=$(field errors "$result")
        expected=$(field expected_non2xx "$result")
        requests=$(field requests "$result")
        [ "$errors" = 0 ] || FAILED=1
        p99_ms=$(awk -v u="$p99" 'BEGIN { printf "%.2f", u / 1000 }')
        p50_ms=$(awk -v u="$p50" 'BEGIN { printf "%.2f", u / 1000 }')
        ROWS+=("| $fw | $cors | $rps | $p50_ms | $p99_ms | $requests | $errors | $expected | $rss_start | $rss_before | $rss_after |")
    done
done

echo "| framework | CORS | req/s | p50 ms | p99 ms | requests | errors | expected 404/405 | RSS at start (KiB) | RSS before (KiB) | RSS after (KiB) |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
busy=$(contention)
if [ -n "$busy" ]; then
    echo "WARNING: other heavy processes were running at the end; numbers are contended." >&2
fi
exit $FAILED

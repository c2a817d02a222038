#!/usr/bin/env bash
# Instructions per request, per server and route, under valgrind's
# callgrind: stable on a busy machine, where wall-clock load figures move
# by tens of percent. Each server (plain, bare, wirefault, tower-http from
# demo/examples/bench_servers.rs, and the reference service) runs under
# callgrind; after a warm-up the counters are zeroed, wrk sends requests
# on one connection for DURATION, the counters are dumped, and the total
# is divided by the requests wrk completed. Profiles stay in OUT for
# `callgrind_annotate` (where the reference service's cost goes).
#
# Every server logs with RUST_LOG=$LOG (default info, the reference
# service's default).
#
# Usage: scripts/profile-callgrind.sh   (DURATION=4s OUT=target/callgrind LOG=info)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-4s}
OUT=${OUT:-target/callgrind}
LOG=${LOG:-info}
ORIGIN=http://127.0.0.1:3001
for tool in valgrind callgrind_control wrk curl; do
    command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install valgrind wrk curl)" >&2; exit 2; }
done

cargo build --release -q -p wirefault-demo --bin wirefault-demo --example bench_servers
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
mkdir -p "$OUT"
WORK=$(mktemp -d)
PID=
cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

LUA_DIR=scripts/wrk
export ORIGIN

CASES=("health /health get" "unknown /no/such/path get" "preflight /notes preflight" "invalid /notes invalid")
printf '%-10s %-10s %14s %10s\n' server case 'instr/request' requests
for server in plain bare wirefault tower-http demo; do
    case $server in
    demo)
        TOKIO_WORKER_THREADS=1 RUST_LOG=$LOG valgrind --tool=callgrind --callgrind-out-file="$OUT/$server.%p" \
            "$TARGET_DIR/release/wirefault-demo" --addr 127.0.0.1:3203 --ui-addr off --db :memory: \
            --rate-limit 1000000/1 >"$WORK/$server.log" 2>&1 &
        addr=127.0.0.1:3203 ;;
    *)
        TOKIO_WORKER_THREADS=1 RUST_LOG=$LOG valgrind --tool=callgrind --callgrind-out-file="$OUT/$server.%p" \
            "$TARGET_DIR/release/examples/bench_servers" 127.0.0.1:3201 127.0.0.1:3202 127.0.0.1:3204 127.0.0.1:3205 \
            >"$WORK/$server.log" 2>&1 &
        case $server in
        bare) addr=127.0.0.1:3201 ;; wirefault) addr=127.0.0.1:3202 ;;
        tower-http) addr=127.0.0.1:3204 ;; plain) addr=127.0.0.1:3205 ;;
        esac ;;
    esac
    PID=$!
    for _ in $(seq 300); do curl -fs "http://$addr/health" >/dev/null && break; sleep 0.2; done
    COOKIE=
    if [ "$server" = demo ]; then
        COOKIE=$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
            -d '{"user":"bench"}' "http://$addr/session" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p')
    fi
    export COOKIE
    for c in "${CASES[@]}"; do
        read -r name path script <<<"$c"
        wrk -t1 -c1 -d1s --timeout 10s -s "$LUA_DIR/$script.lua" "http://$addr$path" >/dev/null
        callgrind_control -z "$PID" >/dev/null 2>&1
        out=$(wrk -t1 -c1 -d"$DURATION" --timeout 10s -s "$LUA_DIR/$script.lua" "http://$addr$path")
        callgrind_control -d "$name" "$PID" >/dev/null 2>&1
        requests=$(awk '/requests in/ {print $1}' <<<"$out")
        sleep 0.5
        file=$(ls -t "$OUT/$server.$PID".* 2>/dev/null | head -1)
        total=$(callgrind_annotate "$file" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
        printf '%-10s %-10s %14.0f %10s\n' "$server" "$name" "$(awk -v t="$total" -v n="$requests" 'BEGIN {print (n > 0 ? t / n : 0)}')" "$requests"
    done
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    PID=
done

#!/usr/bin/env bash
# WebSocket shutdown benchmark: SESSIONS (default 10,000) concurrent
# sessions on the reference service's /ws, one {"op":"ping"} each, then
# SIGTERM to the service: every session must get close code 1001. Prints
# the time to close them all and the service's peak memory (VmHWM).
# Client: demo/examples/bench_ws.rs. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

SESSIONS=${SESSIONS:-10000}
ADDR=127.0.0.1:${DEMO_PORT:-3104}

# Both ends hold one descriptor per session.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "fd limit: $(ulimit -n)"
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl >/dev/null; }

cargo build --release -q -p wirefault-demo --bin wirefault-demo --example bench_ws
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')

LOG=$(mktemp)
RUST_LOG=warn "$TARGET_DIR/release/wirefault-demo" --addr "$ADDR" --ui-addr off --db :memory: \
    --rate-limit 1000000/1 --max-connections $((SESSIONS + 1000)) >"$LOG" 2>&1 &
DEMO_PID=$!
trap 'kill $DEMO_PID 2>/dev/null || true; rm -f "$LOG"' EXIT

for _ in $(seq 100); do
    curl -fs "http://$ADDR/health" >/dev/null && break
    sleep 0.1
done
COOKIE=$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
    -d '{"user":"bench"}' "http://$ADDR/session" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p')

echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
rc=0
"$TARGET_DIR/release/examples/bench_ws" "$ADDR" "$DEMO_PID" "$COOKIE" "$SESSIONS" || rc=$?
demo_rc=0
wait "$DEMO_PID" || demo_rc=$?
echo "demo exit status: $demo_rc"
if [ "$demo_rc" != 0 ]; then
    tail -20 "$LOG"
    rc=1
fi
exit "$rc"

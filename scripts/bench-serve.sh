#!/usr/bin/env bash
# What the bounded server costs per request: the same router inside one
# WirefaultLayer (demo/examples/bench_servers.rs), served by axum::serve
# (the baseline) and by wirefault::axum::serve, side by side in one
# process pinned to one core, wrk on the other. Cases alternate, the order
# rotates each round; medians over the rounds. Prints requests/s, the
# server's CPU time per request and wirefault::axum::serve's ratios.
#
# Usage: scripts/bench-serve.sh   (DURATION=3s CONNS=50 ROUNDS=5)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-3s}
CONNS=${CONNS:-50}
ROUNDS=${ROUNDS:-5}
SERVER_CPU=${SERVER_CPU:-1}
WRK_CPU=${WRK_CPU:-0}
AXUM=127.0.0.1:${AXUM_PORT:-3302}
WF=127.0.0.1:${WF_PORT:-3306}

for tool in wrk curl; do
    command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install wrk curl)" >&2; exit 2; }
done
cargo build --release -q -p wirefault-demo --example bench_servers
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')

PID=
cleanup() { if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi; }
trap cleanup EXIT
TOKIO_WORKER_THREADS=1 taskset -c "$SERVER_CPU" "$TARGET_DIR/release/examples/bench_servers" \
    127.0.0.1:3301 "$AXUM" 127.0.0.1:3304 127.0.0.1:3305 "$WF" >/dev/null 2>&1 &
PID=$!
for addr in "$AXUM" "$WF"; do
    for _ in $(seq 100); do curl -fs "http://$addr/health" >/dev/null && break; sleep 0.1; done
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
TICK_US=$((1000000 / $(getconf CLK_TCK)))

echo "machine: $(nproc) cores; wrk: 1 thread, $CONNS connections, $DURATION per run, $ROUNDS rounds (median)"
declare -A RPS CPU
for round in $(seq "$ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then order="axum wirefault"; else order="wirefault axum"; fi
    for path in /health /no/such/path; do
        for server in $order; do
            case $server in axum) addr=$AXUM ;; wirefault) addr=$WF ;; esac
            before=$(cpu_ticks)
            out=$(taskset -c "$WRK_CPU" wrk -t1 -c"$CONNS" -d"$DURATION" "http://$addr$path")
            after=$(cpu_ticks)
            requests=$(awk '/requests in/ {print $1}' <<<"$out")
            RPS[$path-$server]+="$(awk '/^Requests\/sec/ {print $2}' <<<"$out") "
            CPU[$path-$server]+="$(awk -v t=$((after - before)) -v n="$requests" -v us="$TICK_US" \
                'BEGIN {printf "%.2f", (n > 0 ? t * us / n : 0)}') "
        done
    done
done

printf '%-14s %-24s %10s %12s %14s %14s\n' path server 'req/s' 'cpu us/req' 'req/s ratio' 'cpu axum/x'
for path in /health /no/such/path; do
    # shellcheck disable=SC2086
    base_rps=$(median ${RPS[$path-axum]}) base_cpu=$(median ${CPU[$path-axum]})
    for server in axum wirefault; do
        # shellcheck disable=SC2086
        rps=$(median ${RPS[$path-$server]}) cpu=$(median ${CPU[$path-$server]})
        name=$([ $server = axum ] && echo axum::serve || echo wirefault::axum::serve)
        printf '%-14s %-24s %10.0f %12.2f %14.2f %14.2f\n' "$path" "$name" "$rps" "$cpu" \
            "$(awk -v a="$rps" -v b="$base_rps" 'BEGIN {print a / b}')" \
            "$(awk -v a="$base_cpu" -v b="$cpu" 'BEGIN {print (b > 0 ? a / b : 0)}')"
    done
done

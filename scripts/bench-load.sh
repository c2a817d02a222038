#!/usr/bin/env bash
# Load benchmark on loopback: the same routes served four ways
#   bare       plain axum + tower-http CorsLayer (demo/examples/bench_servers.rs)
#   wirefault  the same router inside one WirefaultLayer (same example)
#   tower-http the same behaviour assembled by hand from tower-http
#              (SetRequestId + PropagateRequestId, CatchPanic with a
#              problem+json handler, CorsLayer, problem+json fallback and
#              rejections; same example)
#   demo       the reference service (wirefault-demo, in-memory database)
# driven by wrk for: GET /health, an unknown path, a CORS preflight and an
# invalid body (POST /notes, 422 with field errors; the demo's with a
# session cookie). Servers and cases alternate in rotating order each
# round; medians over the rounds. Prints requests/s, p99 latency, the
# ratio to bare axum and wirefault's ratio to the tower-http stack.
#
# Every server logs as the reference service does by default: RUST_LOG=info
# (LOG=warn for the figures without it).
#
# Usage: scripts/bench-load.sh   (DURATION=3s THREADS=1 CONNS=50 ROUNDS=3 LOG=info WORKERS=1 BIN_DIR=)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-3s}
THREADS=${THREADS:-1}
CONNS=${CONNS:-50}
ROUNDS=${ROUNDS:-3}
LOG=${LOG:-info}
# One Tokio worker per server by default: servers on one core, the load
# generator on the other, so they do not take turns on the same core (that
# made single runs vary by ±15 %). WORKERS=2: two workers per server on
# both cores, the load generator unpinned (it then competes with the
# server for the same cores, as on a real 2-core host).
WORKERS=${WORKERS:-1}
if [ "$WORKERS" -gt 1 ]; then
    SERVER_CPU=${SERVER_CPU:-0-$((WORKERS - 1))}
    WRK_CPU=${WRK_CPU:-}
else
    SERVER_CPU=${SERVER_CPU:-1}
    WRK_CPU=${WRK_CPU:-0}
fi
# wrk's pinning, none when WRK_CPU is empty.
WRK_PIN=()
[ -n "$WRK_CPU" ] && WRK_PIN=(taskset -c "$WRK_CPU")
BARE=127.0.0.1:${BARE_PORT:-3101}
WF=127.0.0.1:${WF_PORT:-3102}
DEMO=127.0.0.1:${DEMO_PORT:-3103}
TH=127.0.0.1:${TH_PORT:-3104}
ORIGIN=http://127.0.0.1:3001

if ! command -v wrk >/dev/null; then
    (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl >/dev/null; }

# BIN_DIR: binaries built before (a copy of target/release holding
# wirefault-demo and examples/bench_servers), to compare two builds.
if [ -n "${BIN_DIR:-}" ]; then
    BIN=$BIN_DIR
else
    cargo build --release -q -p wirefault-demo --bin wirefault-demo --example bench_servers
    TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
    BIN=$TARGET_DIR/release
fi

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

TOKIO_WORKER_THREADS=$WORKERS RUST_LOG=$LOG taskset -c "$SERVER_CPU" "$BIN/examples/bench_servers" "$BARE" "$WF" "$TH" 127.0.0.1:${PLAIN_PORT:-3105} >"$WORK/servers.log" 2>&1 &
PIDS+=($!)
SERVERS_PID=$!
TOKIO_WORKER_THREADS=$WORKERS RUST_LOG=$LOG taskset -c "$SERVER_CPU" "$BIN/wirefault-demo" --addr "$DEMO" --ui-addr off --db :memory: \
    --rate-limit 1000000/1 >"$WORK/demo.log" 2>&1 &
PIDS+=($!)
DEMO_PID=$!

for addr in "$BARE" "$WF" "$TH" "$DEMO"; do
    for _ in $(seq 100); do
        curl -fs "http://$addr/health" >/dev/null && break
        sleep 0.1
    done
done

COOKIE=$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
    -d '{"user":"bench"}' "http://$DEMO/session" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p')
export COOKIE ORIGIN

# The wrk scripts of each case (shared with scripts/profile-callgrind.sh).
LUA_DIR=scripts/wrk

# case name, path, lua script, expected status
CASES=(
    "health /health get 200"
    "unknown /no/such/path get 404"
    "preflight /notes preflight 200"
    "invalid /notes invalid 422"
)

# The expected status, checked once per server before the run.
status_of() { # addr path script
    case $3 in
    get) curl -s -o /dev/null -w '%{http_code}' "http://$1$2" ;;
    invalid) curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' \
        -H "cookie: $COOKIE" -d '{"title":"","body":42}' "http://$1$2" ;;
    preflight) curl -s -o /dev/null -w '%{http_code}' -X OPTIONS -H "origin: $ORIGIN" \
        -H 'access-control-request-method: POST' -H 'access-control-request-headers: content-type' \
        "http://$1$2" ;;
    esac
}

# p99 in microseconds from wrk's --latency table.
to_us() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") f = 1; else if (u == "ms") f = 1000; else if (u == "s") f = 1000000; else f = 60000000
        printf "%.0f", n * f }'
}

# The median of the numbers given as arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "wrk: $THREADS threads, $CONNS connections, $DURATION per run, $ROUNDS rounds (median), servers: $WORKERS worker(s) on CPU $SERVER_CPU, wrk on CPU ${WRK_CPU:-any}, RUST_LOG=$LOG"
echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
# CPU time (user + system, clock ticks) a process has used so far. Only
# one server is loaded at a time, so the difference over a run is that
# server's; per request, it is steadier than req/s on a busy machine.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICK_US=$((1000000 / $(getconf CLK_TCK)))
declare -A RPS P99 CPU
for round in $(seq "$ROUNDS"); do
    # Rotate the order each round, so drift does not favour one server.
    case $((round % 4)) in
    1) order="bare wirefault tower-http demo" ;; 2) order="wirefault tower-http demo bare" ;;
    3) order="tower-http demo bare wirefault" ;; 0) order="demo bare wirefault tower-http" ;;
    esac
    for c in "${CASES[@]}"; do
        read -r name path script want <<<"$c"
        for server in $order; do
            case $server in bare) addr=$BARE ;; wirefault) addr=$WF ;; tower-http) addr=$TH ;; demo) addr=$DEMO ;; esac
            got=$(status_of "$addr" "$path" "$script")
            if [ "$got" != "$want" ]; then
                echo "  ! $server $name: expected $want, got $got" >&2
            fi
            case $server in demo) pid=$DEMO_PID ;; *) pid=$SERVERS_PID ;; esac
            before=$(cpu_ticks "$pid")
            out=$("${WRK_PIN[@]}" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency \
                -s "$LUA_DIR/$script.lua" "http://$addr$path")
            RPS[$name-$server]+="$(awk '/^Requests\/sec/ {print $2}' <<<"$out") "
            P99[$name-$server]+="$(to_us "$(awk '$1 == "99%" {print $2}' <<<"$out")") "
            after=$(cpu_ticks "$pid")
            requests=$(awk '/requests in/ {print $1}' <<<"$out")
            CPU[$name-$server]+="$(awk -v t=$((after - before)) -v n="$requests" -v us="$TICK_US" \
                'BEGIN {printf "%.2f", (n > 0 ? t * us / n : 0)}') "
        done
    done
done

printf '%-10s %-10s %10s %10s %10s %10s %10s %12s %10s %10s %10s\n' case server 'req/s' 'spread' 'p99 (us)' \
    'req/s/bare' 'p99/bare' 'req/s/t-http' 'cpu us/req' 'cpu bare/x' 'cpu t-h/x'
for c in "${CASES[@]}"; do
    read -r name _ <<<"$c"
    # shellcheck disable=SC2086
    bare_rps=$(median ${RPS[$name-bare]}) bare_p99=$(median ${P99[$name-bare]})
    # shellcheck disable=SC2086
    th_rps=$(median ${RPS[$name-tower-http]})
    # shellcheck disable=SC2086
    bare_cpu=$(median ${CPU[$name-bare]}) th_cpu=$(median ${CPU[$name-tower-http]})
    for server in bare wirefault tower-http demo; do
        # shellcheck disable=SC2086
        rps=$(median ${RPS[$name-$server]}) p99=$(median ${P99[$name-$server]})
        # The spread: (max - min) / median of the rounds' req/s.
        # shellcheck disable=SC2086
        spread=$(printf '%s\n' ${RPS[$name-$server]} | sort -g | awk -v m="$rps" '
            NR == 1 { lo = $1 } { hi = $1 } END { printf "%.0f%%", (m > 0 ? 100 * (hi - lo) / m : 0) }')
        # shellcheck disable=SC2086
        cpu=$(median ${CPU[$name-$server]})
        printf '%-10s %-10s %10.0f %10s %10s %10.2f %10.2f %12.2f %10s %10.2f %10.2f\n' "$name" "$server" "$rps" "$spread" "$p99" \
            "$(awk -v a="$rps" -v b="$bare_rps" 'BEGIN {print a / b}')" \
            "$(awk -v a="$p99" -v b="$bare_p99" 'BEGIN {print (b > 0 ? a / b : 0)}')" \
            "$(awk -v a="$rps" -v b="$th_rps" 'BEGIN {print a / b}')" \
            "$cpu" \
            "$(awk -v a="$bare_cpu" -v b="$cpu" 'BEGIN {print (b > 0 ? a / b : 0)}')" \
            "$(awk -v a="$th_cpu" -v b="$cpu" 'BEGIN {print (b > 0 ? a / b : 0)}')"
    done
done

#!/usr/bin/env bash
# schemathesis (installed, pinned, by scripts/install-test-deps.sh) against
# the reference service's served document, GET /openapi.json, with every
# check: starts wirefault-demo on a free port with an in-memory database,
# signs in for a session cookie, runs, and stops the service.
# DELETE /session is left out so the session lives through the run.
#
#   bash scripts/schemathesis.sh            # debug build
#   DEMO_BIN=target/release/wirefault-demo bash scripts/schemathesis.sh
#   SCHEMATHESIS_SEED=123 bash scripts/schemathesis.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${DEMO_BIN:-target/debug/wirefault-demo}
if [ -z "${DEMO_BIN:-}" ]; then
    cargo build -q -p wirefault-demo
fi

log=$(mktemp)
# Port 0: the OS picks a free port; the service logs the address it got.
# A generous write budget: schemathesis's valid requests must not hit 429.
"$bin" --addr 127.0.0.1:0 --ui-addr off --db :memory: --rate-limit 1000000/60 \
    >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f "$log"' EXIT

url=""
for _ in $(seq 1 100); do
    url=$(grep -o 'API on http://[0-9.:]*' "$log" | head -n 1 | sed 's/^API on //') || true
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "wirefault-demo exited" >&2; exit 1; }
    sleep 0.1
done
[ -n "$url" ] || { cat "$log"; echo "wirefault-demo did not start in 10 s" >&2; exit 1; }

WF_SESSION=$(python3 - "$url/session" <<'PY'
import sys, urllib.request
request = urllib.request.Request(
    sys.argv[1], data=b'{"user":"schemathesis"}', method="POST",
    headers={"Content-Type": "application/json"})
with urllib.request.urlopen(request, timeout=5) as response:
    cookie = response.headers.get("Set-Cookie", "")
print(cookie.split(";")[0].removeprefix("wf_session="))
PY
)
[ -n "$WF_SESSION" ] || { echo "POST /session gave no session cookie" >&2; exit 1; }
export WF_SESSION

schemathesis --config-file scripts/schemathesis.toml run "$url/openapi.json" \
    --checks all \
    --exclude-name 'DELETE /session' \
    --seed "${SCHEMATHESIS_SEED:-20261130}" \
    --report junit --report-dir "${SCHEMATHESIS_REPORT_DIR:-target/schemathesis}"

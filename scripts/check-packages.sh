#!/usr/bin/env bash
# Checks the auditor's artifacts as users install them (run by .ci/run):
# scripts/package.sh builds them into target/dist/; then the wheel goes into
# a fresh virtual environment, the npm tarballs into a fresh prefix with the
# registry pointed at a closed port (our packages need none), and the
# .tar.gz is unpacked. Each installed `wirefault` audits the reference
# service (exit 0) and a planted-mistake FastAPI app, a traceback in a 500
# body (exit 1). The GitHub Action's script then runs against the reference
# service from the wheel, and its SARIF is validated against the 2.1.0
# schema. Last, `cargo publish --dry-run --workspace`.
#
#   bash scripts/check-packages.sh            # builds target/dist first
#   SKIP_PACKAGE=1 bash scripts/check-packages.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

[ -n "${SKIP_PACKAGE:-}" ] || bash scripts/package.sh
dist=$PWD/target/dist
wheel=$(ls "$dist"/wirefault-*.whl)
archive=$(ls "$dist"/wirefault-*.tar.gz)
npm_main=$(ls "$dist"/wirefault-[0-9]*.tgz)
npm_platform=$(ls "$dist"/wirefault-cli-*.tgz)

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits (10 s at most) until a TCP port on 127.0.0.1 accepts connections.
wait_for_port() {
    local port=$1 pid=$2 log=$3
    for _ in $(seq 1 100); do
        if python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2)' "$port" 2>/dev/null; then
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "the server exited" >&2; return 1; }
        sleep 0.1
    done
    cat "$log"
    echo "nothing listens on $port after 10 s" >&2
    return 1
}

# The reference service (the debug build the tests use), in memory.
cargo build -q -p wirefault-demo
demo_port=$(free_port)
target/debug/wirefault-demo --addr "127.0.0.1:$demo_port" --ui-addr off --db :memory: \
    >"$work/demo.log" 2>&1 &
pids+=($!)
wait_for_port "$demo_port" "${pids[-1]}" "$work/demo.log"
demo=http://127.0.0.1:$demo_port/

# A FastAPI app whose 500 body is a traceback (WF-HTTP-008, an error).
leak_port=$(free_port)
python3 -m uvicorn traceback_leak:app --app-dir crates/wirefault-cli/tests/fastapi \
    --host 127.0.0.1 --port "$leak_port" >"$work/leak.log" 2>&1 &
pids+=($!)
wait_for_port "$leak_port" "${pids[-1]}" "$work/leak.log"
leak=http://127.0.0.1:$leak_port/

# Runs one installed wirefault against both services.
check() {
    local what=$1
    shift
    local code=0
    echo "--- $what: wirefault --version: $("$@" --version)"
    "$@" audit "$demo" --timeout 3 >"$work/out" 2>&1 || code=$?
    [ "$code" = 0 ] || { cat "$work/out"; echo "$what: the reference service: exit $code, not 0" >&2; return 1; }
    code=0
    "$@" audit "$leak" --timeout 3 --format json >"$work/out" 2>&1 || code=$?
    [ "$code" = 1 ] || { cat "$work/out"; echo "$what: traceback_leak: exit $code, not 1" >&2; return 1; }
    grep -q '"WF-HTTP-008"' "$work/out" || { cat "$work/out"; echo "$what: no WF-HTTP-008" >&2; return 1; }
    echo "$what: reference service exit 0, traceback_leak exit 1 (WF-HTTP-008)"
}

# The wheel, into a fresh virtual environment, with no index.
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check --no-index "$wheel"
check "pip install $(basename "$wheel")" "$work/venv/bin/wirefault"

# The npm packages, into a fresh prefix, with no registry to reach: the
# main package's optional dependency for this platform is met by the
# platform tarball installed with it; the other platforms' are skipped.
mkdir -p "$work/npm"
(cd "$work/npm" && npm install --no-audit --no-fund --loglevel=error \
    --registry http://127.0.0.1:9/ --fetch-retries 0 \
    "$npm_platform" "$npm_main" >/dev/null)
check "npm install (npx)" bash -c 'cd "$0" && exec npx --no-install wirefault "$@"' "$work/npm"
# Without its platform package, the main package says so (exit 2).
mkdir -p "$work/npm-alone"
(cd "$work/npm-alone" && npm install --no-audit --no-fund --loglevel=silent \
    --registry http://127.0.0.1:9/ --fetch-retries 0 "$npm_main" >/dev/null)
code=0
(cd "$work/npm-alone" && npx --no-install wirefault --version) 2>"$work/err" || code=$?
[ "$code" = 2 ] && grep -q "no binary for" "$work/err" ||
    { cat "$work/err"; echo "npm without the platform package: exit $code" >&2; exit 1; }
echo "npm install of the main package alone: exit 2, $(head -c 60 "$work/err")..."

# The archive.
mkdir -p "$work/tar"
tar -C "$work/tar" -xzf "$archive"
check "$(basename "$archive")" "$work"/tar/wirefault-*/wirefault

# manylinux2014: the binary asks for no glibc symbol newer than 2.17.
newest=$(objdump -T "$work"/tar/wirefault-*/wirefault | grep -o 'GLIBC_[0-9.]*' | sort -V | tail -n 1)
[ "$(printf '%s\n' "$newest" GLIBC_2.17 | sort -V | tail -n 1)" = GLIBC_2.17 ] ||
    { echo "the binary needs $newest, newer than manylinux2014's GLIBC_2.17" >&2; exit 1; }
echo "the binary needs glibc $newest at most"

# The GitHub Action's steps, from the wheel: the reference service (exit 0)
# and the planted mistake (exit 1, findings in the SARIF); each SARIF is
# validated against the 2.1.0 schema, and the step outputs are checked.
action() {
    local url=$1 expected=$2 out=$work/action-$2
    mkdir -p "$out"
    local code=0
    WIREFAULT_URL=$url WIREFAULT_WHEEL=$wheel WIREFAULT_SARIF=$out/wirefault.sarif \
        WIREFAULT_ARGS="--timeout 3 --ignore 'WF-HTTP-007:/nowhere*'" RUNNER_TEMP=$work \
        GITHUB_OUTPUT=$out/outputs bash scripts/github-action.sh || code=$?
    [ "$code" = "$expected" ] || { echo "github-action.sh: exit $code, not $expected" >&2; return 1; }
    grep -qx "exit-code=$expected" "$out/outputs" || { cat "$out/outputs"; return 1; }
    python3 - "$out/wirefault.sarif" crates/wirefault-cli/tests/data/sarif-2.1.0-rtm.5.json "$expected" <<'PY'
import json, sys
import jsonschema
log, schema = (json.load(open(path, encoding="utf-8")) for path in sys.argv[1:3])
jsonschema.validators.validator_for(schema)(schema).validate(log)
run = log["runs"][0]
assert run["tool"]["driver"]["name"] == "wirefault", "not wirefault's SARIF"
results = run["results"]
assert bool(results) == (sys.argv[3] == "1"), f"{len(results)} results for exit {sys.argv[3]}"
print(f"the action's SARIF ({len(results)} results) validates against SARIF 2.1.0")
PY
}
echo "--- scripts/github-action.sh"
action "$demo" 0
action "$leak" 1

echo "--- cargo publish --dry-run --workspace"
cargo publish --dry-run --workspace --allow-dirty

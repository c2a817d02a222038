#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain, once:
# Debian's Chromium (browser CORS test), playwright-core (drives it),
# FastAPI + uvicorn (the auditor's real-world fixtures), the auditor's
# sample apps (Flask + flask-cors, flask-sock, PyYAML; Express + cors, ws)
# and schemathesis (scripts/schemathesis.sh). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
fi

# gorilla/websocket for the Go WebSocket sample apps
# (crates/wirefault-cli/tests/apps/go/ws_apps), built offline in GOPATH
# mode from Debian's packages; harmless if golang-go is installed above too.
if [ ! -d /usr/share/gocode/src/github.com/gorilla/websocket ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq golang-go golang-github-gorilla-websocket-dev >/dev/null
fi

# pip checks the pinned versions itself and installs only what differs.
# package-requirements.txt: maturin and ziglang for scripts/package.sh.
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
    -r crates/wirefault-cli/tests/fastapi/requirements.txt \
    -r crates/wirefault-cli/tests/apps/python/http_requirements.txt \
    -r crates/wirefault-cli/tests/apps/python/ws_requirements.txt \
    -r scripts/schemathesis-requirements.txt \
    -r scripts/package-requirements.txt

# The auditor's sample apps (Express + cors, Express + ws), from their lock files.
if [ ! -d crates/wirefault-cli/tests/apps/node/http_apps/node_modules/express ]; then
    (cd crates/wirefault-cli/tests/apps/node/http_apps && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! -d crates/wirefault-cli/tests/apps/node/ws_apps/node_modules/ws ]; then
    (cd crates/wirefault-cli/tests/apps/node/ws_apps && npm ci --no-audit --no-fund --loglevel=error)
fi

# The Rust WebSocket sample apps (axum, actix-ws): their own cargo project
# and lock file, built into target/sample-apps (shared with the Rust HTTP
# sample apps; a no-op when up to date).
CARGO_TARGET_DIR="$PWD/target/sample-apps" cargo build -q --locked \
    --manifest-path crates/wirefault-cli/tests/apps/rust/ws_apps/Cargo.toml

if [ ! -d demo/tests/browser/node_modules/playwright-core ]; then
    (cd demo/tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

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

# pip checks the pinned versions itself and installs only what differs.
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
    -r crates/wirefault-cli/tests/fastapi/requirements.txt \
    -r crates/wirefault-cli/tests/apps/python/http_requirements.txt \
    -r crates/wirefault-cli/tests/apps/python/ws_requirements.txt \
    -r crates/wirefault-cli/tests/apps/python/sse_requirements.txt \
    -r crates/wirefault-cli/tests/apps/python/grpc_requirements.txt \
    -r scripts/schemathesis-requirements.txt

# The auditor's sample apps (Express + cors, Express + ws), from their lock files.
if [ ! -d crates/wirefault-cli/tests/apps/node/http_apps/node_modules/express ]; then
    (cd crates/wirefault-cli/tests/apps/node/http_apps && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! -d crates/wirefault-cli/tests/apps/node/ws_apps/node_modules/ws ]; then
    (cd crates/wirefault-cli/tests/apps/node/ws_apps && npm ci --no-audit --no-fund --loglevel=error)
fi

# The SSE sample apps (Express + cors).
if [ ! -d crates/wirefault-cli/tests/apps/node/sse_apps/node_modules/express ]; then
    (cd crates/wirefault-cli/tests/apps/node/sse_apps && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ ! -d demo/tests/browser/node_modules/playwright-core ]; then
    (cd demo/tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

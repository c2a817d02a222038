#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain, once:
# Debian's Chromium (browser CORS test), playwright-core (drives it), and
# FastAPI + uvicorn (the auditor's real-world fixtures). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
fi

req=crates/wirefault-cli/tests/fastapi/requirements.txt
if [ -f "$req" ] && ! python3 -c 'import fastapi, uvicorn, websockets' >/dev/null 2>&1; then
    python3 -m pip install -q --disable-pip-version-check -r "$req"
fi

if [ -f demo/tests/browser/package.json ] && [ ! -d demo/tests/browser/node_modules/playwright-core ]; then
    (cd demo/tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

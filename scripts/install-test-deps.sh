#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain, once:
# Debian's Chromium (browser CORS test), playwright-core (drives it),
# FastAPI + uvicorn (the auditor's real-world fixtures) and schemathesis
# (scripts/schemathesis.sh). Idempotent.
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
    -r scripts/schemathesis-requirements.txt

if [ ! -d demo/tests/browser/node_modules/playwright-core ]; then
    (cd demo/tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

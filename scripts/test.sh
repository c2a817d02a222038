#!/usr/bin/env bash
# The test command: installs the test dependencies if missing, then runs
# every test of the workspace (unit, integration over real sockets,
# doctests, the browser test and the FastAPI fixtures).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
exec cargo test --workspace --all-features "$@"

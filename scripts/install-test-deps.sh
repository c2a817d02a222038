#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain, once:
# Debian's Chromium (browser CORS test), playwright-core (drives it),
# FastAPI + uvicorn (the auditor's real-world fixtures), the auditor's
# sample apps (Flask + flask-cors, flask-sock, PyYAML, Bottle, Falcon,
# aiohttp; Express + cors, Fastify, Koa, hapi, ws), the Go and Rust sample
# apps of the corpus (Debian's Go and router packages, built offline into
# target/sample-apps), the SSE and gRPC sample apps (sse-starlette; grpcio +
# grpcio-reflection; Express; @grpc/grpc-js + @grpc/reflection) and
# schemathesis (scripts/schemathesis.sh). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
fi

# pip checks the pinned versions itself and installs only what differs.
# package-requirements.txt: maturin and ziglang for scripts/package.sh.
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
    -r crates/wirefault-cli/tests/fastapi/requirements.txt \
    -r crates/wirefault-cli/tests/apps/python/http_requirements.txt \
    -r crates/wirefault-cli/tests/apps/python/ws_requirements.txt \
    -r crates/wirefault-cli/tests/apps/python/sse_requirements.txt \
    -r crates/wirefault-cli/tests/apps/python/grpc_requirements.txt \
    -r scripts/schemathesis-requirements.txt \
    -r scripts/package-requirements.txt

# The auditor's sample apps (Express, Fastify, Koa, hapi, ws; Express + ws),
# from their lock files; again when the lock file is newer than the install.
http_apps=crates/wirefault-cli/tests/apps/node/http_apps
if [ ! -f $http_apps/node_modules/.package-lock.json ] \
    || [ $http_apps/package-lock.json -nt $http_apps/node_modules/.package-lock.json ]; then
    (cd $http_apps && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! -d crates/wirefault-cli/tests/apps/node/ws_apps/node_modules/ws ]; then
    (cd crates/wirefault-cli/tests/apps/node/ws_apps && npm ci --no-audit --no-fund --loglevel=error)
fi

# The Rust WebSocket sample apps (axum, actix-ws): their own cargo project
# and lock file, built into target/sample-apps (shared with the Rust HTTP
# sample apps; a no-op when up to date).
CARGO_TARGET_DIR="$PWD/target/sample-apps" cargo build -q --locked \
    --manifest-path crates/wirefault-cli/tests/apps/rust/ws_apps/Cargo.toml
# The gRPC sample services (@grpc/grpc-js + @grpc/reflection).
if [ ! -d crates/wirefault-cli/tests/apps/node/grpc_apps/node_modules/@grpc/grpc-js ]; then
    (cd crates/wirefault-cli/tests/apps/node/grpc_apps && npm ci --no-audit --no-fund --loglevel=error)
fi
# The SSE sample apps (Express + cors).
if [ ! -d crates/wirefault-cli/tests/apps/node/sse_apps/node_modules/express ]; then
    (cd crates/wirefault-cli/tests/apps/node/sse_apps && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ ! -d demo/tests/browser/node_modules/playwright-core ]; then
    (cd demo/tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

# The gRPC sample service in Go (tests/apps/go/grpc_apps/notes, built by
# the loop below): Debian's grpc-go, its reflection and protobuf runtime.
if ! dpkg -s golang-google-grpc-dev >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq golang-google-grpc-dev >/dev/null
fi

# The Go sample apps (tests/apps/go/*/APP/main.go): Debian's Go,
# the routers' source packages (the HTTP corpus) and gorilla/websocket (the
# WebSocket apps), built offline in GOPATH mode into
# target/sample-apps/go/GROUP/APP (go build only relinks what changed).
go_packages="golang-go golang-github-gorilla-mux-dev golang-github-go-chi-chi-dev
    golang-github-go-chi-cors-dev golang-github-gin-gonic-gin-dev
    golang-github-labstack-echo-dev golang-github-julienschmidt-httprouter-dev
    golang-github-gorilla-websocket-dev"
# shellcheck disable=SC2086 # one word per package
if ! dpkg -s $go_packages >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq $go_packages >/dev/null
fi
sample_apps="$PWD/target/sample-apps"
for main in crates/wirefault-cli/tests/apps/go/*/*/main.go; do
    app_dir=$(dirname "$main")
    out="$sample_apps/go/$(basename "$(dirname "$app_dir")")/$(basename "$app_dir")"
    (cd "$app_dir" && GO111MODULE=off GOPATH=/usr/share/gocode go build -o "$out" .)
done

# The corpus's Rust sample apps: their own Cargo project and lock file, in
# their own target folder (target/sample-apps/debug/APP).
(cd crates/wirefault-cli/tests/apps/rust/http_apps \
    && CARGO_TARGET_DIR="$sample_apps" cargo build --locked --bins -q)

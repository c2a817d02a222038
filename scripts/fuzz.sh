#!/usr/bin/env bash
# Runs each fuzz target in fuzz/ for a bounded time (FUZZ_SECONDS, default
# 60) with cargo-fuzz (libFuzzer). Needs a nightly toolchain (rustup's
# `nightly`); installs cargo-fuzz when missing. Exits non-zero on the first
# crash; the crashing input is left in fuzz/artifacts/TARGET/.
#
# Usage: scripts/fuzz.sh [TARGET...]   (default: every target)
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
if ! rustup toolchain list | grep -q '^nightly'; then
    echo "fuzz.sh: needs a nightly toolchain: rustup toolchain install nightly" >&2
    exit 2
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    cargo install --locked cargo-fuzz
fi

if [ $# -eq 0 ]; then
    set -- $(cd fuzz && cargo +nightly fuzz list)
fi
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
for target in "$@"; do
    echo "== $target: ${SECONDS_PER_TARGET}s"
    rc=0
    (cd fuzz && cargo +nightly fuzz run "$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -max_len=4096 -print_final_stats=1) >"$LOG" 2>&1 || rc=$?
    grep -E '^Done|stat::number_of_executed_units|stat::peak_rss_mb|ERROR|panicked|SUMMARY|artifact' "$LOG" || true
    if [ "$rc" != 0 ]; then
        tail -40 "$LOG"
        echo "fuzz: $target failed (exit $rc)" >&2
        exit 1
    fi
done
echo "fuzz: all targets ran ${SECONDS_PER_TARGET}s without a crash"

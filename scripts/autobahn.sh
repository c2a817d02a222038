#!/usr/bin/env bash
# Autobahn|Testsuite (fuzzingclient) against examples/ws-echo, release build:
# cases 1-7, 9.1-9.2 and 10. Any FAILED case fails the script; NON-STRICT,
# INFORMATIONAL and UNIMPLEMENTED cases are listed with Autobahn's reason
# (BENCHMARKS.md keeps the list and explains each).
#
# autobahntestsuite is Python 2 code: it runs under pyenv's Python 2.7.18
# (or $AUTOBAHN_PYTHON), with pinned packages installed once into
# target/autobahn/site. Without Python 2.7 the script says so loudly and
# exits 0, so the rest of CI runs.
#
# AUTOBAHN_CASES (comma-separated, e.g. "9.1.6,7.5.1") runs only those.
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${AUTOBAHN_PYTHON:-}"
if [ -z "$PY" ]; then
    root="$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"
    PY="$root/versions/2.7.18/bin/python"
fi
if [ ! -x "$PY" ] || ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (2, 7) else 1)' 2>/dev/null; then
    echo "################################################################" >&2
    echo "# AUTOBAHN SKIPPED: no Python 2.7 at $PY" >&2
    echo "# (install it with: pyenv install 2.7.18, or set AUTOBAHN_PYTHON)" >&2
    echo "# The WebSocket conformance run did NOT happen on this machine." >&2
    echo "################################################################" >&2
    exit 0
fi

WORK="$PWD/target/autobahn"
SITE="$WORK/site"
# What works together under Python 2.7 (autobahntestsuite asks for
# Twisted 19.10.0 but runs on 20.3.0; the rest are the last py2 releases
# pip resolved, pinned so a fresh machine gets the same set).
PINS=(
    autobahntestsuite==25.10.1 'autobahn[twisted]==0.10.9' twisted==20.3.0
    Automat==22.10.0 Jinja2==2.11.3 MarkupSafe==1.1.1 PyHamcrest==1.10.1
    Werkzeug==1.0.1 argparse==1.4.0 attrs==21.4.0 cffi==1.15.1
    constantly==15.1.0 cryptography==3.3.2 enum34==1.1.10 hyperlink==21.0.0
    idna==2.10 incremental==16.10.1 ipaddress==1.0.23 klein==17.10.0
    linecache2==1.0.0 pyOpenSSL==19.1.0 pyasn1==0.5.1 pyasn1-modules==0.3.0
    pycparser==2.21 service-identity==18.1.0 six==1.16.0 traceback2==1.4.0
    txaio==2.1.0 typing==3.10.0.0 unittest2==1.1.0 zope.interface==4.6.0
)
STAMP="$SITE/.pins"
if [ "$(cat "$STAMP" 2>/dev/null)" != "${PINS[*]}" ]; then
    echo "autobahn: installing the pinned packages into $SITE" >&2
    rm -rf "$SITE"
    "$PY" -m pip install -q --disable-pip-version-check --no-warn-conflicts \
        --target "$SITE" "${PINS[@]}" 2>&1 | grep -v DEPRECATION >&2 || true
    "$PY" -c 'import site, sys; site.addsitedir(sys.argv[1]); import autobahntestsuite' "$SITE"
    echo "${PINS[*]}" >"$STAMP"
fi

cargo build --release -q -p ws-echo
ECHO_LOG="$WORK/ws-echo.log"
mkdir -p "$WORK"
./target/release/ws-echo 127.0.0.1:0 >"$ECHO_LOG" 2>&1 &
ECHO_PID=$!
trap 'kill "$ECHO_PID" 2>/dev/null || true; wait "$ECHO_PID" 2>/dev/null || true' EXIT
URL=""
for _ in $(seq 1 100); do
    URL="$(sed -n 's/^listening on //p' "$ECHO_LOG" | head -n 1)"
    [ -n "$URL" ] && break
    sleep 0.1
done
if [ -z "$URL" ]; then
    echo "autobahn: ws-echo did not start:" >&2
    cat "$ECHO_LOG" >&2
    exit 1
fi

CASES='"1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "9.1.*", "9.2.*", "10.*"'
if [ -n "${AUTOBAHN_CASES:-}" ]; then
    CASES="$(echo "$AUTOBAHN_CASES" | sed 's/[^,][^,]*/"&"/g; s/,/, /g')"
fi
REPORT="$WORK/report"
rm -rf "$REPORT"
cat >"$WORK/fuzzingclient.json" <<EOF
{
  "outdir": "$REPORT",
  "servers": [{"agent": "ws-echo", "url": "${URL%/}"}],
  "cases": [$CASES],
  "exclude-cases": [],
  "exclude-agent-cases": {}
}
EOF

echo "autobahn: running cases [$CASES] against $URL" >&2
START=$(date +%s)
# Bounded: the whole selection takes about a minute here.
timeout 900 "$PY" -c 'import site, sys
site.addsitedir(sys.argv[1])
sys.argv = ["wstest"] + sys.argv[2:]
from autobahntestsuite.wstest import run
run()' "$SITE" -m fuzzingclient -s "$WORK/fuzzingclient.json" >"$WORK/wstest.log" 2>&1 || {
    echo "autobahn: wstest failed:" >&2
    tail -n 30 "$WORK/wstest.log" >&2
    exit 1
}
echo "autobahn: wstest took $(( $(date +%s) - START )) s" >&2

python3 - "$REPORT" <<'EOF'
import json, os, sys

report = sys.argv[1]
with open(os.path.join(report, "index.json")) as f:
    cases = json.load(f)["ws-echo"]

def key(case):
    return [int(part) for part in case.split(".")]

counts, failed, notable = {}, [], []
for case in sorted(cases, key=key):
    result = cases[case]
    behavior, close = result["behavior"], result["behaviorClose"]
    counts[behavior] = counts.get(behavior, 0) + 1
    if "FAILED" in (behavior, close):
        failed.append(case)
    if behavior != "OK" or close not in ("OK", "INFORMATIONAL"):
        with open(os.path.join(report, result["reportfile"])) as f:
            detail = json.load(f)
        notable.append((case, behavior, close, detail.get("result", ""),
                        detail.get("resultClose", "")))
print("autobahn: %d cases: %s" % (len(cases), ", ".join(
    "%s %d" % item for item in sorted(counts.items()))))
for case, behavior, close, why, why_close in notable:
    print("  %-8s %s / close %s: %s %s" % (case, behavior, close, why, why_close))
if failed:
    print("autobahn: FAILED cases: " + ", ".join(failed))
    sys.exit(1)
EOF

#!/usr/bin/env bash
# The steps of the GitHub Action (action.yml), as a script that runs
# anywhere: installs wirefault into a fresh virtual environment (from
# WIREFAULT_WHEEL, a wheel file, else PyPI's `wirefault`, at
# WIREFAULT_VERSION if set), audits WIREFAULT_URL with WIREFAULT_ARGS
# (shell-quoted), writes SARIF to WIREFAULT_SARIF (default wirefault.sarif),
# prints the findings, and exits with the auditor's code: 0 clean, 1
# findings at or above WIREFAULT_FAIL_ON (default warning), 2 an error.
# On GitHub it also sets the step outputs `sarif` and `exit-code`.
#
#   WIREFAULT_URL=http://127.0.0.1:8000/ bash scripts/github-action.sh
set -euo pipefail

url=${WIREFAULT_URL:?WIREFAULT_URL: the URL to audit}
sarif=${WIREFAULT_SARIF:-wirefault.sarif}
fail_on=${WIREFAULT_FAIL_ON:-warning}
python=$(command -v python3 || command -v python) || { echo "wirefault: needs Python 3" >&2; exit 2; }

venv=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/wirefault-venv.XXXXXX")
"$python" -m venv "$venv"
venv_python=$venv/bin/python
[ -x "$venv_python" ] || venv_python=$venv/Scripts/python.exe # Windows
if [ -n "${WIREFAULT_WHEEL:-}" ]; then
    package=$WIREFAULT_WHEEL
elif [ -n "${WIREFAULT_VERSION:-}" ]; then
    package="wirefault==$WIREFAULT_VERSION"
else
    package=wirefault
fi
"$venv_python" -m pip install -q --disable-pip-version-check "$package"
wirefault=$venv/bin/wirefault
[ -x "$wirefault" ] || wirefault=$venv/Scripts/wirefault.exe

# The extra arguments, split as a shell would, without running anything.
extra=()
while IFS= read -r -d '' arg; do
    extra+=("$arg")
done < <("$python" -c 'import shlex, sys
for arg in shlex.split(sys.argv[1]):
    sys.stdout.write(arg + "\0")' "${WIREFAULT_ARGS:-}")

mkdir -p "$(dirname "$sarif")"
code=0
"$wirefault" audit "$url" --fail-on "$fail_on" --format sarif "${extra[@]}" >"$sarif" || code=$?

# The findings in the log, one line each, read from the SARIF just written.
if [ -s "$sarif" ]; then
    "$python" - "$sarif" <<'PY'
import json, sys
log = json.load(open(sys.argv[1], encoding="utf-8"))
results = [r for run in log.get("runs", []) for r in run.get("results", [])]
print(f"wirefault: {len(results)} finding(s), SARIF in {sys.argv[1]}")
for r in results:
    where = r.get("locations", [{}])[0].get("physicalLocation", {}).get("artifactLocation", {}).get("uri", "")
    text = r.get("message", {}).get("text", "").split(". Expected:")[0]
    print(f"  {r.get('level', '?'):8} {r.get('ruleId', '?'):12} {where}: {text}")
PY
fi

if [ -n "${GITHUB_OUTPUT:-}" ]; then
    {
        echo "sarif=$sarif"
        echo "exit-code=$code"
    } >>"$GITHUB_OUTPUT"
fi
exit "$code"

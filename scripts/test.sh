#!/usr/bin/env bash
# THE test command of the README: runs every test suite for real.
#
#   scripts/test.sh [pytest args...]
#
# 1. scripts/setup.sh (venv, web build, chromium, Neo4j jars; no Go, no Docker)
# 2. make lint (ruff, mypy, import layers, svelte-check)
# 3. starts Neo4j 5.26 unless it already runs (and stops it at the end only if it started it)
# 4. .venv/bin/pytest (all of tests/, or the given args), web unit tests (npm test),
#    browser tests (npm run test:e2e, headless /usr/bin/chromium)
# Exit status is non-zero when any step fails; pytest collecting no test is a failure.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
T0=$(date +%s)
declare -a SUMMARY=()
FAILED=0

note() { echo; echo "==> test.sh: $*"; }
record() {  # record NAME RC SECONDS
  local status="PASS"
  if [[ "$2" != 0 ]]; then status="FAIL (exit $2)"; FAILED=1; fi
  SUMMARY+=("$(printf '%-14s %-14s %5ss' "$1" "$status" "$3")")
}
run_step() {  # run_step NAME CMD...
  local name="$1" t rc
  shift
  note "$name: $*"
  t=$(date +%s)
  "$@"
  rc=$?
  record "$name" "$rc" "$(($(date +%s) - t))"
  return "$rc"
}
has_npm_script() {
  [[ -f web/package.json ]] && node -e \
    "process.exit((require('./web/package.json').scripts || {})[process.argv[1]] ? 0 : 1)" "$1"
}

if ! run_step setup scripts/setup.sh; then
  note "setup failed; nothing else can run"
  printf '%s\n' "${SUMMARY[@]}"
  exit 1
fi

# make lint: ruff, mypy, the import layers (import-linter) and svelte-check
run_step lint make --no-print-directory lint

STARTED_NEO4J=0
stop_neo4j() {
  if ((STARTED_NEO4J)); then
    note "stopping the Neo4j this run started"
    scripts/neo4j.sh stop || true
  fi
}
trap stop_neo4j EXIT
trap 'exit 130' INT TERM

if scripts/neo4j.sh status >/dev/null 2>&1; then
  note "Neo4j already running; reusing it (left running afterwards)"
  record neo4j 0 0
else
  STARTED_NEO4J=1
  # On failure the Neo4j tests still run and fail with a clear message (they never skip).
  run_step neo4j scripts/neo4j.sh start
fi
eval "$(scripts/neo4j.sh env)"
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

mkdir -p .cache/test-results
note "pytest: .venv/bin/pytest $*"
t=$(date +%s)
.venv/bin/pytest --junitxml=.cache/test-results/pytest.xml "$@"
rc=$?
if [[ "$rc" == 5 ]]; then
  echo "test.sh: pytest collected no tests: that is a failure"
fi
record pytest "$rc" "$(($(date +%s) - t))"

if has_npm_script test; then
  run_step web-unit npm --prefix web run --silent test
else
  note "web unit tests: no 'test' script in web/package.json"
fi
if has_npm_script test:e2e; then
  run_step browser npm --prefix web run --silent test:e2e
else
  note "browser tests: no 'test:e2e' script in web/package.json"
fi

PYTEST_COUNTS="$(.venv/bin/python - <<'EOF' 2>/dev/null
import xml.etree.ElementTree as ET
root = ET.parse(".cache/test-results/pytest.xml").getroot()
suites = [root] if root.tag == "testsuite" else list(root)
n = sum(int(s.get("tests", 0)) for s in suites)
bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
skip = sum(int(s.get("skipped", 0)) for s in suites)
print(f"{n - bad - skip} passed, {bad} failed, {skip} skipped")
EOF
)"

echo
echo "==================== test.sh summary ($(($(date +%s) - T0))s) ===================="
printf '%s\n' "${SUMMARY[@]}"
[[ -n "$PYTEST_COUNTS" ]] && echo "python: $PYTEST_COUNTS"
if ((FAILED)); then
  echo "test.sh: FAILED"
  exit 1
fi
echo "test.sh: all suites passed"

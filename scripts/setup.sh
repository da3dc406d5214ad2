#!/usr/bin/env bash
# Install everything Summit needs on this machine; idempotent and fast on a second run.
#
#   Python 3.11 venv in .venv with the package (editable, extras ingest+dev),
#   Node deps + built web app (web/dist), Debian chromium (browser tests),
#   Java 17 + Maven + the Neo4j 5.26 jars (scripts/neo4j.sh fetch).
# Neither Go nor Docker is needed: the tests validate docker-compose.yml against the
# compose-spec JSON schema (and with `docker compose config` only where it is installed).
#
# Each step records a hash of its inputs and is skipped when nothing changed.
# Downloads are cached outside the clone (~/.cache/pip, ~/.npm, ~/.m2,
# ~/.cache/summit), so a fresh clone on the same machine installs offline.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"

log() { echo "setup: $*" >&2; }
die() { echo "setup: error: $*" >&2; exit 1; }
hash_files() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }

SUDO=""
if [[ "$(id -u)" != 0 ]] && command -v sudo >/dev/null; then SUDO="sudo"; fi
APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null || die "need to install $* but apt-get is missing"
  if ((!APT_UPDATED)); then
    log "apt-get update"
    $SUDO apt-get update -qq
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# ------------------------------------------------------------- Python
find_python() {
  local cand
  for cand in python3.11 python3.12 python3.13 python3; do
    if command -v "$cand" >/dev/null \
        && "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      command -v "$cand"
      return 0
    fi
  done
  return 1
}

setup_python() {
  if [[ ! -x "$VENV/bin/python" ]]; then
    local py
    py="$(find_python)" || { apt_install python3 python3-venv; py="$(find_python)"; } \
      || die "Python 3.11+ not found"
    log "creating .venv with $py"
    "$py" -m venv "$VENV" || { apt_install python3-venv; "$py" -m venv "$VENV"; }
  fi
  local want have=""
  want="$(hash_files pyproject.toml)"
  [[ -f "$VENV/.summit-setup-hash" ]] && have="$(cat "$VENV/.summit-setup-hash")"
  if [[ "$want" == "$have" && -x "$VENV/bin/summit" && -x "$VENV/bin/pytest" ]]; then
    log "python: .venv up to date"
    return 0
  fi
  log "python: pip install -e .[ingest,dev] (cached wheels in ~/.cache/pip)"
  "$VENV/bin/python" -m pip install -q -e ".[ingest,dev]"
  echo "$want" >"$VENV/.summit-setup-hash"
}

# ------------------------------------------------------------- Node + web app
web_source_hash() {
  (cd web && find . \( -path ./node_modules -o -path ./dist -o -path ./test-results \) -prune -o -type f -print \
    | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum | cut -d' ' -f1)
}

setup_web() {
  [[ -f web/package.json ]] || { log "web: no web/package.json yet, skipped"; return 0; }
  command -v npm >/dev/null || apt_install nodejs npm
  local want have=""
  want="$(hash_files web/package.json web/package-lock.json)"
  [[ -f web/node_modules/.summit-lock-hash ]] && have="$(cat web/node_modules/.summit-lock-hash)"
  if [[ "$want" != "$have" ]]; then
    log "web: npm ci (cache ~/.npm)"
    (cd web && npm ci --no-audit --no-fund --prefer-offline --loglevel=error)
    echo "$want" >web/node_modules/.summit-lock-hash
  else
    log "web: node_modules up to date"
  fi
  want="$(web_source_hash)"
  have=""
  [[ -f web/dist/.summit-build-hash ]] && have="$(cat web/dist/.summit-build-hash)"
  if [[ "$want" != "$have" || ! -f web/dist/index.html ]]; then
    log "web: npm run build"
    (cd web && npm run build --silent)
    [[ -f web/dist/index.html ]] || die "web build produced no web/dist/index.html"
    echo "$want" >web/dist/.summit-build-hash
  else
    log "web: dist up to date"
  fi
}

# ------------------------------------------------------------- system packages
setup_system() {
  local need=()
  [[ -x /usr/bin/chromium ]] || need+=(chromium)
  command -v java >/dev/null || need+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null || need+=(maven)
  command -v curl >/dev/null || need+=(curl)
  if ((${#need[@]})); then
    apt_install "${need[@]}"
  else
    log "system: chromium, java, maven, curl present"
  fi
}

start=$(date +%s)
setup_system
setup_python
setup_web
scripts/neo4j.sh fetch
log "done in $(($(date +%s) - start))s"

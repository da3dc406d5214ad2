#!/usr/bin/env bash
# THE demo command of the README: install what is needed, then run the demo end to end
# on the embedded store (`summit demo`, extra arguments are passed on).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh
exec .venv/bin/summit demo "$@"

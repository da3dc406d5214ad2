#!/usr/bin/env bash
# Load an artifact into the docker compose stack's Neo4j: a loading window.
#
#   scripts/compose-load.sh NAME [summit load options]
#
# NAME is a folder in the artifacts folder (./artifacts, or $SUMMIT_ARTIFACTS), seen as
# /artifacts/NAME inside the containers. The serving Neo4j is read-only (Browser users cannot
# change anything), so the load runs against neo4j-loader: the same data, writable, no port
# published. The window: stop the serving Neo4j, run the load (which starts neo4j-loader; Summit
# reads from it meanwhile), stop the loader, start the serving Neo4j again - also when the load
# fails. The same by hand, in one line:
#   docker compose stop neo4j && docker compose --profile load run --rm load /artifacts/NAME; \
#   docker compose --profile load stop neo4j-loader; docker compose up -d --wait neo4j
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ $# -ge 1 && "$1" != -* ]] || { echo "usage: scripts/compose-load.sh ARTIFACT_NAME [summit load options]" >&2; exit 2; }
name="$1"
shift
artifacts="${SUMMIT_ARTIFACTS:-$ROOT/artifacts}"
[[ -f "$artifacts/$name/manifest.json" ]] || {
  echo "compose-load: $artifacts/$name is not an artifact (no manifest.json); put it in $artifacts first" >&2
  exit 2
}

compose() { docker compose -f "$ROOT/docker-compose.yml" "$@"; }

close_window() {
  compose --profile load stop neo4j-loader
  compose up -d --wait neo4j
}

compose stop neo4j
trap close_window EXIT
compose --profile load run --rm load "/artifacts/$name" "$@"

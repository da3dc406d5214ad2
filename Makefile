# Developer shortcuts. The README's two commands are scripts/demo.sh and scripts/test.sh.
.PHONY: setup test test-py lint fmt bench demo neo4j-start neo4j-stop neo4j-status

PY := .venv/bin/python
PYDIRS := summit ingest server tests bench

setup:
	scripts/setup.sh

test:
	scripts/test.sh

# Python tests only, against the running Neo4j (make neo4j-start first).
test-py:
	eval "$$(scripts/neo4j.sh env)" && .venv/bin/pytest -q

# ruff; mypy and the import layers (import-linter) on the package as it installs; svelte-check.
lint:
	.venv/bin/ruff check $(PYDIRS) scripts
	$(PY) scripts/lint_packages.py
	@if [ -f web/package.json ]; then npm --prefix web run --silent check; fi

fmt:
	.venv/bin/ruff check --fix $(PYDIRS)
	.venv/bin/ruff format $(PYDIRS)

bench:
	@set -e; found=0; for f in bench/bench_*.py; do [ -e "$$f" ] || continue; found=1; \
	  echo "==> $$f"; $(PY) "$$f"; done; \
	  [ $$found = 1 ] || { echo "no benchmarks in bench/"; exit 1; }

demo:
	scripts/demo.sh

neo4j-start:
	scripts/neo4j.sh start

neo4j-stop:
	scripts/neo4j.sh stop

neo4j-status:
	scripts/neo4j.sh status

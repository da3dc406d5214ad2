"""docker-compose.yml is a valid Compose file with the services Summit needs.

Checked without Docker or Go: the file is interpolated and validated against the
vendored compose-spec JSON schema (``tests/foundation/compose_file.py``). Where the
``docker compose`` CLI is installed, every check also runs on what
``docker compose config`` prints, so the two readings must agree.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.foundation.compose_file import ComposeError, interpolate, load, validate

PASSWORD = "compose-test-pw"
Reader = Callable[[Path, "str | None"], dict[str, Any]]


def _env(password: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_PASSWORD"}
    if password is not None:
        env["NEO4J_PASSWORD"] = password
    return env


def read_with_schema(repo_root: Path, password: str | None) -> dict[str, Any]:
    return load(repo_root / "docker-compose.yml", _env(password))


def read_with_docker(repo_root: Path, password: str | None) -> dict[str, Any]:
    result = subprocess.run(
        ["docker", "compose", "-f", str(repo_root / "docker-compose.yml"), "config", "--format", "json"],
        cwd=repo_root, env=_env(password), capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0:
        raise ComposeError(result.stderr)
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def docker_compose_installed() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, timeout=30, check=False)
    return probe.returncode == 0


# The schema reading always runs; `docker compose config` only where it is already installed.
READERS = {"schema": read_with_schema, **({"docker": read_with_docker} if docker_compose_installed() else {})}


@pytest.fixture(scope="module", params=sorted(READERS))
def reader(request: pytest.FixtureRequest) -> Reader:
    return READERS[request.param]  # type: ignore[return-value]


@pytest.fixture(scope="module")
def config(reader: Reader, repo_root: Path) -> dict[str, Any]:
    return reader(repo_root, PASSWORD)


def test_compose_requires_the_password_env_var(reader: Reader, repo_root: Path) -> None:
    with pytest.raises(ComposeError, match="set NEO4J_PASSWORD"):
        reader(repo_root, None)


def test_neo4j_service(config: dict[str, Any]) -> None:
    neo4j = config["services"]["neo4j"]
    assert neo4j["image"] == "neo4j:5.26-community"
    assert neo4j["environment"]["NEO4J_AUTH"] == f"neo4j/{PASSWORD}"
    assert {p["target"] for p in neo4j["ports"]} == {7474, 7687}
    assert {p["published"] for p in neo4j["ports"]} == {"7474", "7687"}
    assert any(v["target"] == "/data" and v["type"] == "volume" for v in neo4j["volumes"])
    assert neo4j["healthcheck"]["test"]


def test_summit_service_waits_for_a_healthy_neo4j(config: dict[str, Any]) -> None:
    summit = config["services"]["summit"]
    assert summit["build"]["dockerfile"] == "Dockerfile"
    assert summit["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert summit["environment"]["SUMMIT_NEO4J_URI"] == "bolt://neo4j:7687"
    assert summit["environment"]["NEO4J_PASSWORD"] == PASSWORD
    assert summit["command"][:4] == ["summit", "serve", "--store", "neo4j"]


def test_the_schema_rejects_what_compose_rejects() -> None:
    validate({"services": {"db": {"image": "neo4j"}}})
    with pytest.raises(ComposeError, match=r"services\.db: 'imagee' does not match"):
        validate({"services": {"db": {"imagee": "neo4j"}}})
    with pytest.raises(ComposeError, match=r"services\.db\.depends_on"):
        validate({"services": {"db": {"image": "neo4j", "depends_on": {"x": {"condition": "sometimes"}}}}})
    with pytest.raises(ComposeError, match="volumes"):
        validate({"services": {}, "volumes": ["not-a-mapping"]})


def test_interpolation_follows_the_compose_rules() -> None:
    env = {"SET": "x", "EMPTY": ""}
    assert interpolate("$SET ${SET} $$SET ${UNSET}", env) == "x x $SET "
    assert interpolate(["${UNSET:-d}", "${EMPTY:-d}", "${EMPTY-d}", "${UNSET-d}"], env) == ["d", "d", "", "d"]
    assert interpolate({"k": "${SET:+alt}${EMPTY:+alt}${EMPTY+alt}"}, env) == {"k": "altalt"}
    assert interpolate("${SET:?need it}${EMPTY?fine}", env) == "x"
    with pytest.raises(ComposeError, match="required variable EMPTY is missing a value: need it"):
        interpolate("${EMPTY:?need it}", env)
    with pytest.raises(ComposeError, match="invalid interpolation format"):
        interpolate("${1BAD}", env)


def test_dockerfile_serves_without_the_ingest_extra(repo_root: Path) -> None:
    text = (repo_root / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in text
    assert "npm run build" in text
    installs = [line for line in text.splitlines() if "pip install" in line]
    assert installs
    assert all("ingest" not in line for line in installs)

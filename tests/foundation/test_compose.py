"""docker-compose.yml validates with the real `docker compose` CLI (no engine needed)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest


def compose(
    repo_root: Path, *args: str, password: str | None = "compose-test-pw"
) -> subprocess.CompletedProcess[str]:
    if shutil.which("docker") is None:
        pytest.fail("the docker CLI is missing: run scripts/setup.sh", pytrace=False)
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_PASSWORD"}
    if password is not None:
        env["NEO4J_PASSWORD"] = password
    result = subprocess.run(
        ["docker", "compose", "-f", str(repo_root / "docker-compose.yml"), *args],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if "is not a docker command" in result.stderr or "unknown command" in result.stderr:
        pytest.fail("the docker compose plugin is missing: run scripts/setup.sh", pytrace=False)
    return result


@pytest.fixture(scope="module")
def config(repo_root: Path) -> dict[str, Any]:
    result = compose(repo_root, "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def test_compose_config_quiet_passes(repo_root: Path) -> None:
    result = compose(repo_root, "config", "-q")
    assert result.returncode == 0, result.stderr


def test_compose_requires_the_password_env_var(repo_root: Path) -> None:
    result = compose(repo_root, "config", "-q", password=None)
    assert result.returncode != 0
    assert "set NEO4J_PASSWORD" in result.stderr


def test_neo4j_service(config: dict[str, Any]) -> None:
    neo4j = config["services"]["neo4j"]
    assert neo4j["image"] == "neo4j:5.26-community"
    assert neo4j["environment"]["NEO4J_AUTH"] == "neo4j/compose-test-pw"
    assert {p["target"] for p in neo4j["ports"]} == {7474, 7687}
    assert any(v["target"] == "/data" and v["type"] == "volume" for v in neo4j["volumes"])
    assert neo4j["healthcheck"]["test"]


def test_summit_service_waits_for_a_healthy_neo4j(config: dict[str, Any]) -> None:
    summit = config["services"]["summit"]
    assert summit["build"]["dockerfile"] == "Dockerfile"
    assert summit["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert summit["environment"]["SUMMIT_NEO4J_URI"] == "bolt://neo4j:7687"
    assert summit["environment"]["NEO4J_PASSWORD"] == "compose-test-pw"
    assert summit["command"][:4] == ["summit", "serve", "--store", "neo4j"]


def test_dockerfile_serves_without_the_ingest_extra(repo_root: Path) -> None:
    text = (repo_root / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in text
    assert "npm run build" in text
    installs = [line for line in text.splitlines() if "pip install" in line]
    assert installs
    assert all("ingest" not in line for line in installs)

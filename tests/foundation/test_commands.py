"""The README's two commands exist, CI runs the test one, and the scripts behave."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest


def quick_start_commands(readme: str) -> list[str]:
    """Commands in the fenced code blocks of the README's "Quick start" section."""
    match = re.search(r"^## Quick start\n(.*?)(?=^## |\Z)", readme, flags=re.M | re.S)
    assert match, "README has no '## Quick start' section"
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", match.group(1), flags=re.M | re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_readme_quick_start_has_exactly_the_demo_and_test_commands(repo_root: Path) -> None:
    commands = quick_start_commands((repo_root / "README.md").read_text())
    assert commands == ["scripts/demo.sh", "scripts/test.sh"]
    for command in commands:
        script = repo_root / command
        assert script.is_file(), command
        assert os.access(script, os.X_OK), f"{command} is not executable"


def test_ci_runs_the_readme_test_command(repo_root: Path) -> None:
    test_command = quick_start_commands((repo_root / "README.md").read_text())[1]
    ci = (repo_root / ".ci" / "run").read_text()
    code = [line for line in ci.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert any(test_command in shlex.split(line) for line in code), code


@pytest.mark.parametrize("script", ["neo4j.sh", "setup.sh", "test.sh", "demo.sh"])
def test_scripts_are_valid_bash(repo_root: Path, script: str) -> None:
    path = repo_root / "scripts" / script
    result = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert os.access(path, os.X_OK)


def test_neo4j_env_exports_quoted_settings(repo_root: Path) -> None:
    password = "p w'd\"$x"
    env = {**os.environ, "NEO4J_PASSWORD": password, "NEO4J_BOLT_PORT": "17687"}
    script = 'eval "$(scripts/neo4j.sh env)" && printf "%s\\n" "$TEST_NEO4J_URI" "$TEST_NEO4J_USER" "$TEST_NEO4J_PASSWORD"'
    result = subprocess.run(
        ["bash", "-c", script], cwd=repo_root, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == ["bolt://127.0.0.1:17687", "neo4j", password]


def test_neo4j_script_rejects_unknown_commands(repo_root: Path) -> None:
    result = subprocess.run(
        ["scripts/neo4j.sh", "launch"], cwd=repo_root, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "usage: scripts/neo4j.sh start|stop|status|env" in result.stderr


def test_neo4j_versions_agree(repo_root: Path) -> None:
    pom = (repo_root / "scripts" / "neo4j" / "pom.xml").read_text()
    version = re.search(r"<neo4j.version>([^<]+)</neo4j.version>", pom)
    assert version
    assert version.group(1).startswith("5.26.")
    compose = (repo_root / "docker-compose.yml").read_text()
    assert "image: neo4j:5.26-community" in compose

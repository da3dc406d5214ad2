"""docker-compose.yml is a valid Compose file with the services Summit needs.

Checked without Docker or Go: the file is interpolated and validated against the
vendored compose-spec JSON schema (``tests/foundation/compose_file.py``). Where the
``docker compose`` CLI is installed, every check also runs on what
``docker compose --profile load config`` prints (the loading window's services
belong to the profile ``load``), so the two readings must agree.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.foundation.compose_file import ComposeError, interpolate, load, validate

PASSWORD = "compose-test-pw"
TOKEN = "compose-test-token-0123456789"
Reader = Callable[..., dict[str, Any]]  # (repo_root, password, token=TOKEN)


def _env(password: str | None, token: str | None = TOKEN) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NEO4J_PASSWORD", "SUMMIT_TOKEN", "SUMMIT_ARTIFACTS")}
    if password is not None:
        env["NEO4J_PASSWORD"] = password
    if token is not None:
        env["SUMMIT_TOKEN"] = token
    return env


def read_with_schema(repo_root: Path, password: str | None, token: str | None = TOKEN) -> dict[str, Any]:
    return load(repo_root / "docker-compose.yml", _env(password, token))


def read_with_docker(repo_root: Path, password: str | None, token: str | None = TOKEN) -> dict[str, Any]:
    result = subprocess.run(
        ["docker", "compose", "-f", str(repo_root / "docker-compose.yml"), "--profile", "load", "config",
         "--format", "json"],
        cwd=repo_root, env=_env(password, token), capture_output=True, text=True, timeout=60, check=False)
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


def test_the_shared_server_needs_the_token_env_var(reader: Reader, repo_root: Path,
                                                  config: dict[str, Any]) -> None:
    summit = config["services"]["summit"]
    assert summit["environment"]["SUMMIT_TOKEN"] == TOKEN
    assert summit["environment"]["SUMMIT_PUBLIC"] == "false"
    assert summit["command"][4:] == ["--host", "0.0.0.0", "--wait-warm-up"]
    with pytest.raises(ComposeError, match="set SUMMIT_TOKEN"):
        reader(repo_root, PASSWORD, token=None)
    public = reader(repo_root, PASSWORD, token="")  # empty: a public demo (with SUMMIT_PUBLIC=true)
    assert public["services"]["summit"]["environment"]["SUMMIT_TOKEN"] == ""


def _artifacts(service: dict[str, Any]) -> dict[str, Any]:
    [mount] = [v for v in service["volumes"] if v["target"] == "/artifacts"]
    return mount


def test_artifacts_are_mounted_read_only_into_the_server_and_the_loader(config: dict[str, Any]) -> None:
    server, loader = config["services"]["summit"], config["services"]["load"]
    for service in (server, loader):
        mount = _artifacts(service)
        assert mount["type"] == "bind"
        assert mount["read_only"] is True
        assert mount["source"].endswith("/artifacts")
    # the loader records /artifacts/NAME as the artifact path: the server finds media/ at the same path
    assert _artifacts(server)["source"] == _artifacts(loader)["source"]


def test_serving_neo4j_is_read_only_and_loads_go_through_the_loading_window(config: dict[str, Any]) -> None:
    services = config["services"]
    serving, window, load = services["neo4j"], services["neo4j-loader"], services["load"]
    assert serving["environment"]["NEO4J_server_databases_read__only"] == "neo4j"
    assert "NEO4J_server_databases_read__only" not in window["environment"]
    assert window["environment"]["NEO4J_AUTH"] == serving["environment"]["NEO4J_AUTH"]
    assert window["profiles"] == ["load"]
    assert load["profiles"] == ["load"]
    assert not window.get("ports")  # the writable one is never reachable from outside
    assert window["networks"]["default"]["aliases"] == ["neo4j"]  # Summit reads from it meanwhile
    data = [v["source"] for v in serving["volumes"] if v["target"] == "/data"]
    assert data == [v["source"] for v in window["volumes"] if v["target"] == "/data"]  # the same database
    assert load["entrypoint"][:4] == ["summit", "load", "--neo4j", "bolt://neo4j-loader:7687"]
    assert load["depends_on"]["neo4j-loader"]["condition"] == "service_healthy"
    for service in (serving, window):
        assert service["environment"]["NEO4J_db_transaction_monitor_check_interval"] == "100ms"


def test_the_documented_load_command(repo_root: Path, tmp_path: Path) -> None:
    script = repo_root / "scripts" / "compose-load.sh"
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0
    text = script.read_text()
    assert "--profile load run --rm load" in text
    assert "up -d --wait neo4j" in text
    readme = (repo_root / "README.md").read_text()
    assert "scripts/compose-load.sh" in readme
    assert ("docker compose stop neo4j && docker compose --profile load run --rm load /artifacts/lite0; "
            "docker compose --profile load stop neo4j-loader; docker compose up -d --wait neo4j") in readme
    env = {**os.environ, "SUMMIT_ARTIFACTS": str(tmp_path)}
    refused = subprocess.run([str(script), "lite0"], env=env, capture_output=True, text=True, check=False)
    assert refused.returncode == 2  # checked before any docker call
    assert "is not an artifact" in refused.stderr


def test_dockerfile_is_ready_when_warm_and_takes_the_token_from_the_env(repo_root: Path) -> None:
    text = (repo_root / "Dockerfile").read_text()
    assert 'ENV SUMMIT_TOKEN=""' in text
    assert "/readyz" in text
    assert '"--wait-warm-up"]' in text


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


def test_compose_header_commands_parse(repo_root: Path) -> None:
    """The `summit ...` commands the compose file's header tells users to run are real commands and flags."""
    from summit.cli import build_parser

    lines = [line[1:].strip() for line in (repo_root / "docker-compose.yml").read_text().splitlines()
             if line.startswith("#")]
    header = "\n".join(lines).replace("\\\n", " ")  # one command a line, after shell line continuations
    parser = build_parser()
    commands = set(parser._subparsers._group_actions[0].choices)
    told: dict[str, list[str]] = {}
    for segment in re.split(r"&&|;|#|\n", header):
        words = segment.split()
        for i, word in enumerate(words[:-2]):
            # `--entrypoint summit SERVICE COMMAND ...` (docker compose run) or `summit COMMAND ...`
            start = i + 2 if i and words[i - 1] == "--entrypoint" else i + 1
            if word == "summit" and words[start] in commands:
                told[words[start]] = words[start:]
    assert {"models", "drop", "share"} <= set(told), header
    for name, argv in told.items():
        args = parser.parse_args(argv)  # argparse exits (SystemExit 2) on an unknown flag
        if name in ("models", "drop"):
            assert args.password_env == "NEO4J_PASSWORD", argv
            assert args.neo4j.startswith("bolt://neo4j"), argv

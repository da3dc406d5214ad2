"""The Neo4j the tests use is a real 5.26 server with authentication on."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import neo4j
import pytest
from neo4j.exceptions import AuthError

from tests.conftest import Neo4jAuth

pytestmark = pytest.mark.neo4j


def test_bolt_with_auth_creates_and_reads_back_a_node(neo4j_driver: Any) -> None:
    token = uuid.uuid4().hex
    try:
        neo4j_driver.execute_query(
            "CREATE (:FoundationProbe {token: $token, layer: 'mixed4d', channel: 7})", token=token
        )
        records = neo4j_driver.execute_query(
            "MATCH (p:FoundationProbe {token: $token}) RETURN p.layer AS layer, p.channel AS channel",
            token=token,
        ).records
        assert [(r["layer"], r["channel"]) for r in records] == [("mixed4d", 7)]
    finally:
        neo4j_driver.execute_query("MATCH (p:FoundationProbe {token: $token}) DELETE p", token=token)
    left = neo4j_driver.execute_query(
        "MATCH (p:FoundationProbe {token: $token}) RETURN count(p) AS n", token=token
    ).records
    assert left[0]["n"] == 0


def test_dbms_components_reports_neo4j_5_26(neo4j_driver: Any) -> None:
    records = neo4j_driver.execute_query("CALL dbms.components() YIELD name, versions, edition").records
    kernel = [r for r in records if r["name"] == "Neo4j Kernel"]
    assert len(kernel) == 1
    assert kernel[0]["versions"][0].startswith("5.26."), kernel[0]["versions"]
    assert kernel[0]["edition"] == "community"


def test_wrong_password_is_rejected(neo4j_auth: Neo4jAuth) -> None:
    wrong = neo4j_auth.password + "-wrong"
    with (
        neo4j.GraphDatabase.driver(neo4j_auth.uri, auth=(neo4j_auth.user, wrong)) as driver,
        pytest.raises(AuthError),
    ):
        driver.verify_connectivity()


def _run_probe_without_server(
    repo_root: Path, env_update: dict[str, str | None]
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    for key, value in env_update.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    target = "tests/foundation/test_neo4j_real.py::test_dbms_components_reports_neo4j_5_26"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", target],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env_update", "message"),
    [
        ({"TEST_NEO4J_URI": None}, "TEST_NEO4J_URI"),
        ({"TEST_NEO4J_URI": "bolt://127.0.0.1:9"}, "not reachable"),
    ],
    ids=["settings-unset", "server-unreachable"],
)
def test_missing_neo4j_fails_instead_of_skipping(
    repo_root: Path, env_update: dict[str, str | None], message: str
) -> None:
    result = _run_probe_without_server(repo_root, env_update)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "1 error" in out, out
    assert "skipped" not in out, out
    assert message in out, out
    assert "scripts/neo4j.sh start" in out, out


def test_neo4j_empty_wipes_data_constraints_and_indexes(
    neo4j_driver: Any, request: pytest.FixtureRequest
) -> None:
    neo4j_driver.execute_query(
        "CREATE CONSTRAINT probe_token IF NOT EXISTS FOR (p:FoundationProbe) REQUIRE p.token IS UNIQUE"
    )
    neo4j_driver.execute_query("CREATE INDEX probe_layer IF NOT EXISTS FOR (p:FoundationProbe) ON (p.layer)")
    neo4j_driver.execute_query(
        "UNWIND range(1, 25) AS i CREATE (:FoundationProbe {token: toString(i)})-[:NEXT]->(:Other)"
    )
    driver = request.getfixturevalue("neo4j_empty")
    counts = driver.execute_query(
        "CALL () { MATCH (n) RETURN count(n) AS nodes } CALL () { MATCH ()-[r]->() RETURN count(r) AS rels } "
        "RETURN nodes, rels"
    ).records[0]
    assert (counts["nodes"], counts["rels"]) == (0, 0)
    assert driver.execute_query("SHOW CONSTRAINTS YIELD name").records == []
    names = [
        r["name"]
        for r in driver.execute_query("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'").records
    ]
    assert names == []

"""Neo4j Browser users cannot change or delete loaded models: a read-only database while serving,
loads through a loading window (``scripts/neo4j.sh load``). A real Neo4j 5.26 Community of its own
(own home and ports), sessions like Neo4j Browser's (default WRITE access, auto-commit and explicit
transactions), and the Summit store reading from it."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest
from neo4j.exceptions import ClientError, Neo4jError

pytestmark = pytest.mark.slow

PASSWORD = "read-only-test-pw"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def read_only_neo4j(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A read-only Neo4j with one model loaded through ``scripts/neo4j.sh load`` (the loading window)."""
    from summit.synth import write_synthetic_artifact

    tmp = tmp_path_factory.mktemp("read-only-neo4j")
    write_synthetic_artifact(tmp / "art", classes=3, layers=3, channels=4, images_per_class=3, seed=17)
    bolt, http = free_port(), free_port()
    env = {**os.environ, "NEO4J_RUN_HOME": str(tmp / "home"), "NEO4J_BOLT_PORT": str(bolt),
           "NEO4J_HTTP_PORT": str(http), "NEO4J_PASSWORD": PASSWORD, "NEO4J_HEAP": "512m",
           "NEO4J_PAGECACHE": "64m", "NEO4J_READ_ONLY": "1"}
    script = str(repo_root / "scripts" / "neo4j.sh")

    def sh(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([script, *args], env=env, capture_output=True, text=True, timeout=600, check=False)

    try:
        # from a stopped server: the window starts Neo4j writable (creating the database), loads, and
        # leaves it running read-only (two starts instead of four, to keep the suite quick)
        loaded = sh("load", str(tmp / "art"))
        assert loaded.returncode == 0, loaded.stderr + loaded.stdout
        assert "loading window" in loaded.stderr
        assert "loaded model" in loaded.stdout
        yield {"uri": f"bolt://127.0.0.1:{bolt}", "http": http, "load_output": loaded}
    finally:
        stopped = sh("stop")
        assert stopped.returncode == 0, stopped.stderr


def browser_session(driver: Any) -> Any:
    """A session as Neo4j Browser opens one: the default (WRITE) access mode on the default database."""
    return driver.session(database="neo4j", default_access_mode=neo4j.WRITE_ACCESS)


def model_ids(driver: Any) -> list[str]:
    with browser_session(driver) as session:
        return [r["id"] for r in session.run("MATCH (m:Model) RETURN m.id AS id ORDER BY id")]


def nodes(driver: Any) -> int:
    with browser_session(driver) as session:
        return int(session.run("MATCH (n) RETURN count(n) AS n").single()["n"])


@pytest.mark.parametrize("statement", [
    "CREATE (:Vandal {name: 'x'})",
    "MATCH (n) DETACH DELETE n",
    "MATCH (m:Model) SET m.name = 'renamed'",
    "MATCH (m:Model) DETACH DELETE m",
    "CREATE INDEX vandal IF NOT EXISTS FOR (n:Vandal) ON (n.name)",
])
def test_browser_writes_fail_and_reads_work(read_only_neo4j: dict[str, Any], statement: str) -> None:
    with neo4j.GraphDatabase.driver(read_only_neo4j["uri"], auth=("neo4j", PASSWORD)) as driver:
        before_models, before_nodes = model_ids(driver), nodes(driver)
        assert before_models
        assert before_nodes > 50
        with browser_session(driver) as session, pytest.raises(Neo4jError) as auto_commit:
            session.run(statement).consume()
        assert "read" in str(auto_commit.value).lower()  # "... read-only ..." / "... read only mode"
        with browser_session(driver) as session:
            tx = session.begin_transaction()  # Browser's explicit transactions too
            with pytest.raises(Neo4jError):
                tx.run(statement).consume()
            tx.close()
        assert model_ids(driver) == before_models
        assert nodes(driver) == before_nodes


def test_the_read_only_mode_cannot_be_switched_off_from_a_session(read_only_neo4j: dict[str, Any]) -> None:
    with neo4j.GraphDatabase.driver(read_only_neo4j["uri"], auth=("neo4j", PASSWORD)) as driver:
        with driver.session(database="system") as system, pytest.raises(ClientError):  # Enterprise-only
            system.run("ALTER DATABASE neo4j SET ACCESS READ WRITE").consume()
        with browser_session(driver) as session, pytest.raises(ClientError):  # Enterprise-only too
            session.run("CALL dbms.setConfigValue('server.databases.read_only', '')").consume()
        with browser_session(driver) as session, pytest.raises(Neo4jError):
            session.run("CREATE (:Vandal)").consume()


def test_summit_reads_the_read_only_database(read_only_neo4j: dict[str, Any]) -> None:
    from summit.store.neo4j_store import Neo4jStore

    store = Neo4jStore(read_only_neo4j["uri"], "neo4j", PASSWORD)
    try:
        model = store.models()[0]
        assert model.classes == 3
        graph = store.class_graph(model.id, 0)
        assert graph.nodes
    finally:
        store.close()


def test_notes_are_refused_with_a_reason_on_the_read_only_database(read_only_neo4j: dict[str, Any]) -> None:
    """Users' notes are the one thing the server writes: a read-only database refuses them as FORBIDDEN."""
    from summit.errors import Forbidden
    from summit.store.neo4j_store import Neo4jStore

    store = Neo4jStore(read_only_neo4j["uri"], "neo4j", PASSWORD)
    try:
        model = store.models()[0].id
        neuron = store.class_graph(model, 0).nodes[0].neuron.id
        assert store.notes(model) == []
        with pytest.raises(Forbidden, match="read-only while serving"):
            store.set_note(model, "neuron", neuron, [], "cannot be saved here")
        assert store.notes(model) == []
    finally:
        store.close()


def test_models_lists_and_drop_refuses_with_a_reason_on_the_read_only_database(
        read_only_neo4j: dict[str, Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`summit models` reads a read-only Neo4j; `summit drop` says why it cannot write there and the model stays."""
    from summit.cli import main

    monkeypatch.setenv("READ_ONLY_TEST_PW", PASSWORD)
    args = ["--neo4j", read_only_neo4j["uri"], "--password-env", "READ_ONLY_TEST_PW"]
    assert main(["models", *args]) == 0
    listed = capsys.readouterr().out.splitlines()
    model = listed[2].split()[0]
    assert listed[0].startswith("1 model in Neo4j")
    assert main(["drop", model, *args]) == 2
    err = capsys.readouterr().err
    assert "read-only while serving" in err
    assert "loading window" in err
    assert main(["models", *args]) == 0
    assert model in capsys.readouterr().out

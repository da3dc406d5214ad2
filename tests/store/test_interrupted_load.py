"""Interrupted loads (issue 20): a real `kill -9` of `summit load` mid-load, then `summit serve` starts,
removes what the killed load left and answers as before, on both stores; a checkpoint a killed
writer left pending is finished by whoever opens the store next.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from summit.graph_schema import EMBEDDED_SHARED_DDL, NODE_PROPERTIES, RELATIONSHIPS
from summit.synth import write_synthetic_artifact
from tests.serving import SUMMIT, serve, stop
from tests.store.conftest import unique_model
from tests.store.tiny import write_tiny_artifact

BIG_SEED = 2081  # model synthetic-40c-4l-s2081: no other suite uses it
KILL_AFTER = "  Neuron: "  # progress line: the load's Load node and first tables are written, INFLUENCES not yet
TABLES_PER_LOAD = len(NODE_PROPERTIES) + len(RELATIONSHIPS)
CLASS0 = '{ model(id: "%s") { classGraph(classKey: "0") { edges { src dst weight } } } }'


@pytest.fixture(scope="module")
def big_artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model whose load takes seconds (300k influence rows), so a kill lands in the middle of it."""
    path = tmp_path_factory.mktemp("big") / "artifact"
    write_synthetic_artifact(path, classes=40, layers=4, channels=48, images_per_class=4,
                             influence_rows_target=300_000, seed=BIG_SEED, with_media=False)
    return path


def kill_mid_load(args: list[str], env: dict[str, str] | None = None) -> str:
    """Start `summit load ARGS`, SIGKILL it once its progress shows the given line; return its output."""
    proc = subprocess.Popen([*SUMMIT, "load", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env)
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if line.startswith(KILL_AFTER):
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    output = "".join(seen)
    assert proc.returncode == -signal.SIGKILL, output
    assert "now served from load" not in output, "the load finished before the kill: make it bigger"
    return output


def edges_of_class0(base: str, model: str) -> list[tuple[str, str, int]]:
    body = httpx.post(f"{base}/graphql", json={"query": CLASS0 % model}).json()
    assert "errors" not in body, body
    return [(e["src"], e["dst"], e["weight"]) for e in body["data"]["model"]["classGraph"]["edges"]]


def test_kill_9_mid_load_embedded(tmp_path: Path, big_artifact: Path) -> None:
    from summit.store.embedded import EmbeddedStore

    db = tmp_path / "db"
    model = unique_model("kill")
    store = EmbeddedStore(db)
    store.load_artifact(str(write_tiny_artifact(tmp_path / "tiny", run_id=model)))
    before = store.class_graph(model, 0)
    store.close()

    kill_mid_load([str(big_artifact), "--embedded", str(db)])

    proc, base = serve(["--embedded", str(db), "--no-warm-up"], tmp_path / "serve.log")
    try:
        assert edges_of_class0(base, model) == [(e.src, e.dst, e.weight) for e in before.edges]
        assert [m["id"] for m in httpx.post(f"{base}/graphql", json={"query": "{ models { id } }"}).json()[
            "data"]["models"]] == [model]
    finally:
        stop(proc)
    assert "removed 1 orphaned load(s) left by interrupted loads" in (tmp_path / "serve.log").read_text()
    store = EmbeddedStore(db, read_only=True)
    try:
        loads = store.loads()
        assert [r["model"] for r in loads] == [model]
        tables = [r["name"] for r in store._rows("CALL show_tables() RETURN name")]
        shared = sum(ddl.startswith(("CREATE NODE TABLE", "CREATE REL TABLE")) for ddl in EMBEDDED_SHARED_DDL)
        assert len(tables) == shared + TABLES_PER_LOAD, tables  # none of the killed load's tables is left
        assert store.class_graph(model, 0) == before
    finally:
        store.close()


JUNK_WRITER = """
import sys, ladybug, polars as pl
db = ladybug.Database(sys.argv[1]); c = ladybug.Connection(db)
c.execute("CREATE NODE TABLE IF NOT EXISTS Junk(id INT64, v STRING, PRIMARY KEY(id))")
i = 0
while True:
    scan = pl.DataFrame({"id": list(range(i, i + 100000)), "v": ["x" * 60] * 100000})
    c.execute("COPY Junk FROM scan")
    i += 100000
    c.execute("CHECKPOINT")
"""
PENDING = "checkpoint recovery is pending"


def leave_pending_checkpoint(db: Path) -> None:
    """Kill a writer of ``db`` in the middle of a checkpoint (its shadow file exists), until LadybugDB
    refuses a read-only open because recovery is pending."""
    import ladybug

    shadow = db.with_name(db.name + ".shadow")
    for _ in range(30):
        writer = subprocess.Popen([sys.executable, "-c", JUNK_WRITER, str(db)])
        deadline = time.monotonic() + 30
        while not shadow.exists() and writer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.0005)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        try:
            ladybug.Database(str(db), read_only=True).close()
        except RuntimeError as exc:
            if PENDING in str(exc):
                return
            raise
    pytest.fail("could not kill a writer in the middle of a checkpoint in 30 tries")


def test_pending_checkpoint_is_finished_by_the_next_open(tmp_path: Path) -> None:
    from summit.store.embedded import EmbeddedStore

    db = tmp_path / "db"
    model = unique_model("ckpt")
    store = EmbeddedStore(db)
    store.load_artifact(str(write_tiny_artifact(tmp_path / "tiny", run_id=model)))
    before = store.class_graph(model, 0)
    store.close()

    leave_pending_checkpoint(db)
    store = EmbeddedStore(db, read_only=True)  # finishes the checkpoint, then reads
    try:
        assert store.class_graph(model, 0) == before
    finally:
        store.close()

    leave_pending_checkpoint(db)
    proc, base = serve(["--embedded", str(db), "--no-warm-up"], tmp_path / "serve.log")  # opens for writing: recovers too
    try:
        assert edges_of_class0(base, model) == [(e.src, e.dst, e.weight) for e in before.edges]
    finally:
        stop(proc)


@pytest.fixture
def neo4j_env(neo4j_auth: Any) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "KILL_TEST_NEO4J_PW": neo4j_auth.password}
    return ["--neo4j", neo4j_auth.uri, "--user", neo4j_auth.user, "--password-env", "KILL_TEST_NEO4J_PW"], env


def test_kill_9_mid_load_neo4j(tmp_path: Path, big_artifact: Path, neo4j_auth: Any, neo4j_driver: Any,
                               neo4j_env: tuple[list[str], dict[str, str]]) -> None:
    from summit.store.neo4j_store import Neo4jStore

    store_args, env = neo4j_env
    model = unique_model("kill")
    store = Neo4jStore(neo4j_auth.uri, neo4j_auth.user, neo4j_auth.password)
    try:
        store.load_artifact(str(write_tiny_artifact(tmp_path / "tiny", run_id=model)))
        before = store.class_graph(model, 0)
        big = f"synthetic-40c-4l-s{BIG_SEED}"

        kill_mid_load([str(big_artifact), *store_args, "--batch", "500"], env)

        orphans = neo4j_driver.execute_query("MATCH (l:Load {model: $m}) RETURN l.id AS id, l.pid AS pid",
                                             {"m": big}).records
        assert len(orphans) == 1
        orphan = orphans[0]["id"]
        left = neo4j_driver.execute_query("MATCH (n {load: $l}) RETURN count(n) AS n", {"l": orphan}).records[0]["n"]
        assert left > 0  # the killed load's nodes are there ...

        proc, base = serve([*store_args, "--no-warm-up"], tmp_path / "serve.log", env)
        try:
            assert edges_of_class0(base, model) == [(e.src, e.dst, e.weight) for e in before.edges]
        finally:
            stop(proc)
        assert f"removed 1 orphaned load(s) left by interrupted loads: {orphan}" in (tmp_path / "serve.log").read_text()
        gone = neo4j_driver.execute_query("MATCH (n {load: $l}) RETURN count(n) AS n", {"l": orphan}).records[0]["n"]
        assert gone == 0  # ... and gone after the next start
        assert neo4j_driver.execute_query("MATCH (l:Load {id: $l}) RETURN l", {"l": orphan}).records == []
        assert big not in {m.id for m in store.models()}
        assert store.class_graph(model, 0) == before
    finally:
        store.drop_model(model)
        store.close()


def test_neo4j_keeps_loads_that_are_still_being_written(neo4j_auth: Any, tmp_path: Path) -> None:
    """Only dead loads are orphans: a load whose writer is alive (this process), or whose heartbeat is
    recent on another host, is left alone; a dead writer's or a silent one's is removed."""
    from summit.store import lifecycle
    from summit.store.neo4j_store import Neo4jStore

    store = Neo4jStore(neo4j_auth.uri, neo4j_auth.user, neo4j_auth.password)
    model = unique_model("owners")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    now, host = time.time(), socket.gethostname()
    cases = {  # load id -> (host, pid, heartbeat, orphan?)
        "L00000000000000a1": (host, os.getpid(), now, False),
        "L00000000000000a2": (host, int(dead.stdout), now, True),
        "L00000000000000a3": ("another-host", 1, now - 60, False),
        "L00000000000000a4": ("another-host", 1, now - lifecycle.STALE_S - 60, True),
    }
    try:
        for load, (h, pid, beat, _) in cases.items():
            store._write("CREATE (:Load {id: $id, model: $m, created: '', host: $h, pid: $p, heartbeat: $b})",
                         {"id": load, "m": model, "h": h, "p": pid, "b": beat})
            store._write("CREATE (:Neuron {load: $id, key: $id + '|x', id: 'x'})", {"id": load})
        removed = store.remove_orphans()
        assert sorted(load for load in removed if load in cases) == sorted(load for load, c in cases.items() if c[3])
        assert sorted(r["id"] for r in store.loads() if r["model"] == model) == sorted(
            load for load, c in cases.items() if not c[3])
    finally:
        for load in cases:
            store._delete_load(load)
        store.close()

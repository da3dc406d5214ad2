"""Reloads while serving (issue 20): 20 clients query a real `summit serve` while `summit load` reloads
its models again and again from another process, on both stores. Model A alternates between two
versions (A and A2: same model id, other graphs); B is reloaded unchanged. Every answer must be
exactly the answer of a version that was being served while the request ran, and once a load has
returned (plus the model list's 1-s refresh) the old version must never be answered again:
0 wrong, 0 errors.

The embedded store once gave empty class graphs and INTERNAL errors after two reloads (the server
held a read-only view that the loading process changed under it); now a load into a served
embedded store goes through the server, and every read is checked against loads retired meanwhile.
The server runs without its response cache and warm-up, so the answers come from the store.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest

from summit.artifact import read_table
from summit.settings import resolve
from summit.synth import write_synthetic_artifact
from tests.serving import SUMMIT, free_port, serve, stop

CLIENTS = 20
RELOADS = ("a2", "b", "a", "b", "a2", "a")  # as in the repro: A, B, A again ..., A changing
SEEDS = {"a": 2071, "a2": 2071, "b": 2072}  # model ids synthetic-5c-3l-s2071/2: no other suite uses them
GRAPH_MASS = {"a": 0.4, "a2": 0.8, "b": 0.4}  # A2: the same model, other class graphs
QUIET = ["--response-cache", "0", "--no-warm-up"]  # answers come from the store, not from memory
# 20 clients from one address: a load test, not abuse (no per-client rate or heavy-query limits)
NO_RATE_LIMIT = {"SUMMIT_RATE_LIMIT": "0", "SUMMIT_HEAVY_PER_CLIENT": "1000"}
SETTLE_S = 3.5  # after a load returns, servers may answer the old version this long (model list: 2 x 1 s)


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("reload-artifacts")
    out = {}
    for name, seed in SEEDS.items():
        out[name] = root / name
        write_synthetic_artifact(out[name], classes=5, layers=3, channels=8, images_per_class=8, seed=seed,
                                 with_media=False, settings=resolve({"graph_mass": GRAPH_MASS[name]}, environ={}))
    return out


def model_id(artifact: Path) -> str:
    from summit.artifact import model_id as mid
    from summit.artifact import read_manifest

    return mid(read_manifest(artifact))


def queries(artifact: Path) -> list[tuple[str, dict[str, Any]]]:
    """Questions about one model covering every store read: graphs of all classes, neurons, paths, ..."""
    model = model_id(artifact)
    classes = read_table(artifact, "classes")["class_index"].to_list()
    nodes = read_table(artifact, "class_nodes").filter(pl.col("class_index") == classes[0])
    first = sorted(nodes["neuron_id"].to_list())[0]
    layer = read_table(artifact, "embedding")["layer"][0]
    graph = "class { index name } nodes { count pagerank neuron { id layerIndex } } edges { src dst weight }"
    out: list[tuple[str, dict[str, Any]]] = [
        (f"query($m: String!, $k: String!) {{ model(id: $m) {{ classGraph(classKey: $k) {{ {graph} }} }} }}",
         {"m": model, "k": str(c)}) for c in classes
    ]
    out += [
        ("query($m: String!, $id: String!) { model(id: $m) { neuron(id: $id) { neuron { id } "
         "topClasses(limit: 3) { class { index } count mean } edges(limit: 5) { src dst count } } } }",
         {"m": model, "id": first}),
        ("query($m: String!, $id: String!) { model(id: $m) { neighbourhood(classKey: \"0\", neuronId: $id, hops: 2) "
         "{ nodes { neuron { id } count pagerank } edges { src dst weight } } } }", {"m": model, "id": first}),
        ("query($m: String!, $id: String!) { model(id: $m) { paths(classKey: \"0\", from: $id, k: 3) "
         "{ neurons weights score } } }", {"m": model, "id": first}),
        ("query($m: String!) { model(id: $m) { compare(a: \"0\", b: \"1\") { shared { neuron { id } countA countB } "
         "onlyA { neuron { id } } onlyB { neuron { id } } edges { src dst weightA weightB } } } }", {"m": model}),
        ("query($m: String!) { model(id: $m) { similarClasses(classKey: \"1\", limit: 3) { class { index } "
         "similarity } classes(first: 10) { totalCount edges { node { index name accuracy } } } } }", {"m": model}),
        ("query($m: String!, $l: String!) { model(id: $m) { embedding(layer: $l) { classIndex x y } "
         "search(text: \"n0\", limit: 5) { kind id score } } }", {"m": model, "l": layer}),
    ]
    return out


@dataclass
class Tally:
    answers: int = 0
    during_reloads: int = 0
    wrong: list[str] = field(default_factory=list)
    codes: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    outputs: list[str] = field(default_factory=list)  # of the `summit load` runs


@dataclass
class Versions:
    """Which version of each model is served when: ``(model, version, from, until)``, from load start
    (the flip may come any time during the load) until the next load of the model returned + SETTLE_S."""

    windows: list[list[Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, model: str, version: str, now: float) -> None:
        with self.lock:
            self.windows.append([model, version, now, float("inf")])

    def loaded(self, model: str, version: str, now: float) -> None:
        with self.lock:
            for window in self.windows:
                if window[0] == model and window[1] != version and window[3] == float("inf"):
                    window[3] = now + SETTLE_S

    def allowed(self, model: str, began: float, ended: float) -> set[str]:
        with self.lock:
            return {v for m, v, a, b in self.windows if m == model and a <= ended and b >= began}


def ask(client: httpx.Client, base: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"{base}/graphql", json={"query": query, "variables": variables}, timeout=30)
    assert response.status_code == 200, response.text[:500]
    body: dict[str, Any] = response.json()
    return body


Work = list[tuple[str, str, dict[str, Any], dict[str, Any]]]  # (model, query, variables, {version: answer})


def hammer(base: str, work: Work, versions: Versions, stop_at: threading.Event, reloading: threading.Event,
           tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    with httpx.Client() as client:
        while not stop_at.is_set():
            model, query, variables, expected = work[rng.randrange(len(work))]
            during = reloading.is_set()
            began = time.monotonic()
            try:
                body = ask(client, base, query, variables)
            except (AssertionError, httpx.HTTPError) as exc:
                with tally.lock:
                    tally.codes[f"http: {exc}"[:80]] += 1
                continue
            allowed = versions.allowed(model, began, time.monotonic())
            with tally.lock:
                tally.answers += 1
                tally.during_reloads += during
                for error in body.get("errors") or []:
                    tally.codes[error.get("extensions", {}).get("code", "?")] += 1
                if "errors" not in body and not any(body["data"] == expected[v] for v in allowed):
                    seen = [v for v, answer in expected.items() if answer == body["data"]]
                    tally.wrong.append(f"{variables}: answered as version {seen or 'none'}, "
                                       f"served {sorted(allowed)}: {str(body['data'])[:200]}")


def load(artifacts: dict[str, Path], name: str, load_args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([*SUMMIT, "load", str(artifacts[name]), *load_args], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"loaded model {model_id(artifacts[name])!r}" in done.stdout, done.stdout
    return done.stdout + done.stderr


def references(artifacts: dict[str, Path], base: str, load_args: list[str], env: dict[str, str]) -> Work:
    """Every query's answer for every version (A and B are loaded; A2 is loaded for a moment)."""
    answers: dict[str, list[dict[str, Any]]] = {}
    with httpx.Client() as client:
        def ask_all(name: str) -> list[dict[str, Any]]:
            out = []
            for query, variables in queries(artifacts[name.rstrip("2")]):  # A2 gets A's very questions
                body = ask(client, base, query, variables)
                assert "errors" not in body, body
                out.append(body["data"])
            return out

        answers["a"], answers["b"] = ask_all("a"), ask_all("b")
        load(artifacts, "a2", load_args, env)
        time.sleep(SETTLE_S)
        answers["a2"] = ask_all("a2")
        load(artifacts, "a", load_args, env)
        time.sleep(SETTLE_S)
        assert ask_all("a") == answers["a"]
    assert answers["a"] != answers["a2"]  # the versions can be told apart
    assert any(d["model"].get("classGraph", {}).get("edges") for d in answers["a"])  # and are not empty
    work: Work = []
    for name, versions in (("a", ("a", "a2")), ("b", ("b",))):
        for i, (query, variables) in enumerate(queries(artifacts[name])):
            work.append((model_id(artifacts[name]), query, variables, {v: answers[v][i] for v in versions}))
    return work


def reload_under_load(artifacts: dict[str, Path], base: str, load_args: list[str], env: dict[str, str]) -> Tally:
    work = references(artifacts, base, load_args, env)
    versions = Versions()
    for name in ("a", "b"):
        versions.start(model_id(artifacts[name]), name, 0.0)
    tally, stop_at, reloading = Tally(), threading.Event(), threading.Event()
    threads = [threading.Thread(target=hammer, args=(base, work, versions, stop_at, reloading, tally, i))
               for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        reloading.set()
        for name in RELOADS:
            model = model_id(artifacts[name])
            versions.start(model, name, time.monotonic())
            tally.outputs.append(load(artifacts, name, load_args, env))
            versions.loaded(model, name, time.monotonic())
        reloading.clear()
        time.sleep(SETTLE_S + 0.5)  # answers after the last load's settling time must be its version
    finally:
        stop_at.set()
        for thread in threads:
            thread.join()
    return tally


def check(tally: Tally) -> None:
    codes = dict(tally.codes)
    print(f"reload under load: {tally.answers} answers ({tally.during_reloads} during {len(tally.outputs)} "
          f"reloads), {len(tally.wrong)} wrong, errors {codes or 'none'}")
    assert tally.wrong == [], f"{len(tally.wrong)} wrong answers of {tally.answers}, e.g. {tally.wrong[:3]}"
    assert codes == {}, f"errors among {tally.answers} answers: {codes}"
    assert tally.answers >= 200, tally.answers
    assert tally.during_reloads >= 100, tally.during_reloads


def test_embedded_reloads_while_serving(artifacts: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "db"
    env = {**os.environ, **NO_RATE_LIMIT}
    for name in ("a", "b"):
        subprocess.run([*SUMMIT, "load", str(artifacts[name]), "--embedded", str(db)], check=True,
                       capture_output=True, env=env)
    proc, base = serve(["--embedded", str(db), *QUIET], tmp_path / "serve.log", env)
    try:
        tally = reload_under_load(artifacts, base, ["--embedded", str(db)], env)
        assert httpx.get(f"{base}/healthz").json()["models"] == 2
        refused_through_server(artifacts["a"], db, proc.pid, tmp_path, env)
    finally:
        stop(proc)
    check(tally)
    assert all("through the running server" in out for out in tally.outputs), tally.outputs[0]
    from summit.store.embedded import EmbeddedStore

    store = EmbeddedStore(db, read_only=True)
    try:  # every old load is gone: one load per model, and no table of any other load
        loads = store.loads()
        assert sorted(r["model"] for r in loads) == sorted({model_id(a) for a in artifacts.values()})
        tables = [r["name"] for r in store._rows("CALL show_tables() RETURN name")]
        per_load = [t for t in tables if re.search(r"_L[0-9a-f]{16}$", t)]  # Label_<load id> (graph_schema.table)
        assert all(any(t.endswith(r["id"]) for r in loads) for t in per_load), tables
    finally:
        store.close()


def refused_through_server(artifact: Path, db: Path, pid: int, tmp_path: Path, env: dict[str, str]) -> None:
    """While the server holds the store: a bad artifact sent through it is refused with the server's
    message and exit code; a second server is refused naming the first one's process."""
    import shutil

    partial = tmp_path / "partial"
    shutil.copytree(artifact, partial)
    (partial / "class_edges.parquet").unlink()
    done = subprocess.run([*SUMMIT, "load", str(partial), "--embedded", str(db)], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 4, done.stdout + done.stderr  # refused before the server is asked
    assert f"run `summit graphs {partial}` first" in done.stderr
    second = subprocess.run([*SUMMIT, "serve", "--embedded", str(db), "--port", str(free_port())],
                            capture_output=True, text=True, env=env, timeout=120)
    assert second.returncode == 5, second.stdout + second.stderr
    assert f"is open for writing by process {pid}" in second.stderr


@pytest.fixture
def neo4j_models(neo4j_auth: Any, artifacts: dict[str, Path]) -> Iterator[Any]:
    from summit.store.neo4j_store import Neo4jStore

    store = Neo4jStore(neo4j_auth.uri, neo4j_auth.user, neo4j_auth.password)
    for name in ("a", "b"):
        store.load_artifact(str(artifacts[name]))
    try:
        yield store
    finally:
        for artifact in artifacts.values():
            if model_id(artifact) in {m.id for m in store.models()}:
                store.drop_model(model_id(artifact))
        store.close()


def test_neo4j_reloads_while_serving(artifacts: dict[str, Path], neo4j_auth: Any, neo4j_models: Any,
                                     tmp_path: Path) -> None:
    env = {**os.environ, **NO_RATE_LIMIT, "RELOAD_TEST_NEO4J_PW": neo4j_auth.password}
    store_args = ["--neo4j", neo4j_auth.uri, "--user", neo4j_auth.user, "--password-env", "RELOAD_TEST_NEO4J_PW"]
    proc, base = serve([*store_args, *QUIET], tmp_path / "serve.log", env)
    try:
        tally = reload_under_load(artifacts, base, store_args, env)
    finally:
        stop(proc)
    check(tally)
    ours = {model_id(a) for a in artifacts.values()}
    loads = [r for r in neo4j_models.loads() if r["model"] in ours]
    assert len(loads) == 2, loads  # the old loads were deleted

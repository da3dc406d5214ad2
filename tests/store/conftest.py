"""Fixtures for the store contract suite: the tiny artifact loaded into each store."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.store.tiny import write_tiny_artifact

STORES = ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)]


@pytest.fixture(scope="session")
def tiny_artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_artifact(tmp_path_factory.mktemp("tiny") / "artifact")


def open_store_kind(kind: str, tmp: Path, request: pytest.FixtureRequest) -> Any:
    """A store of ``kind``: a new embedded store under ``tmp``, or the test Neo4j."""
    if kind == "embedded":
        from summit.store.embedded import EmbeddedStore

        return EmbeddedStore(tmp / "store")
    from summit.store.neo4j_store import Neo4jStore

    auth = request.getfixturevalue("neo4j_auth")
    return Neo4jStore(auth.uri, auth.user, auth.password)


@pytest.fixture
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], Any]]:
    """Open a fresh store of a kind; models it gets are dropped afterwards (Neo4j is shared)."""
    opened: list[Any] = []

    def make(kind: str) -> Any:
        store = open_store_kind(kind, tmp_path / f"{kind}-{len(opened)}", request)
        opened.append(store)
        return store

    yield make
    for store in opened:
        for info in store.models():
            if info.id.startswith("test-"):
                store.drop_model(info.id)
        store.close()


def unique_model(prefix: str = "tiny") -> str:
    return f"test-{prefix}-{secrets.token_hex(4)}"


@pytest.fixture(scope="module", params=STORES)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    """(store, model id) with the tiny artifact loaded (batch of 3 rows), once per store kind."""
    kind = request.param
    tmp = tmp_path_factory.mktemp(f"loaded-{kind}")
    model = unique_model()
    path = write_tiny_artifact(tmp / "artifact", run_id=model)
    store = open_store_kind(kind, tmp, request)
    store.load_artifact(str(path), batch_rows=3)
    try:
        yield store, model
    finally:
        store.drop_model(model)
        store.close()


@pytest.fixture(scope="module")
def neo4j_tiny(neo4j_auth: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    """(Neo4j store, model id) with the tiny artifact loaded, dropped afterwards."""
    from summit.store.neo4j_store import Neo4jStore

    model = unique_model("cypher")
    store = Neo4jStore(neo4j_auth.uri, neo4j_auth.user, neo4j_auth.password)
    store.load_artifact(str(write_tiny_artifact(tmp_path_factory.mktemp("cypher") / "a", run_id=model)))
    try:
        yield store, model
    finally:
        store.drop_model(model)
        store.close()

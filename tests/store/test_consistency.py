"""A read that meets a reload is redone on the new load, never answered from a load being deleted (issue 20).

The reload is made to happen exactly between a read's lookup of the active load and its fetch of
that load's data (the window in which a concurrent load used to give empty graphs on Neo4j and
"table does not exist" on the embedded store).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from summit.errors import StoreUnavailable
from summit.store.consistency import ATTEMPTS
from tests.store.conftest import STORES, unique_model
from tests.store.tiny import write_tiny_artifact


@pytest.mark.parametrize("kind", STORES)
def test_a_read_that_meets_a_reload_is_redone(kind: str, make_store: Callable[[str], Any], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    store = make_store(kind)
    model = unique_model()
    store.load_artifact(str(write_tiny_artifact(tmp_path / "v1", run_id=model)))
    v2 = write_tiny_artifact(tmp_path / "v2", run_id=model, name_suffix=" v2")
    before = store.class_graph(model, 0)  # also caches the first load's lookups
    fetch = type(store)._fetch_class_graph
    reads: list[str] = []

    def reload_first(self: Any, load: str, *args: Any, **kwargs: Any) -> Any:
        reads.append(load)
        if len(reads) == 1:
            store.load_artifact(str(v2))  # flips the model to a new load and deletes `load`
        return fetch(self, load, *args, **kwargs)

    monkeypatch.setattr(type(store), "_fetch_class_graph", reload_first)
    graph = store.class_graph(model, 0)
    assert len(reads) == 2
    assert reads[0] != reads[1]  # redone on the new load
    assert graph.cls.name == "tench, Tinca tinca v2"  # the new load's answer ...
    assert graph.nodes == before.nodes  # ... whole (the graph data of v2 is that of v1)
    assert graph.edges == before.edges
    assert len(graph.edges) == 5


@pytest.mark.parametrize("kind", STORES)
def test_a_store_reloaded_during_every_try_says_so(kind: str, make_store: Callable[[str], Any], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    store = make_store(kind)
    model = unique_model()
    store.load_artifact(str(write_tiny_artifact(tmp_path / "v1", run_id=model)))
    again = write_tiny_artifact(tmp_path / "v2", run_id=model)
    fetch = type(store)._fetch_top_classes
    tries: list[str] = []

    def reload_always(self: Any, load: str, *args: Any, **kwargs: Any) -> Any:
        tries.append(load)
        store.load_artifact(str(again))
        return fetch(self, load, *args, **kwargs)

    monkeypatch.setattr(type(store), "_fetch_top_classes", reload_always)
    with pytest.raises(StoreUnavailable, match=f"reloaded during each of {ATTEMPTS} tries"):
        store.neuron_detail(model, "conv1:0")
    assert len(tries) == ATTEMPTS
    monkeypatch.undo()
    assert [a.cls.index for a in store.neuron_detail(model, "conv1:0").top_classes] == [0, 1, 2]


@pytest.mark.parametrize("kind", STORES)
def test_cached_lookups_need_no_check(kind: str, make_store: Callable[[str], Any], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Answers from a load's cached, immutable lookups (classes, search) cost no extra store call."""
    store = make_store(kind)
    model = unique_model()
    store.load_artifact(str(write_tiny_artifact(tmp_path / "v1", run_id=model)))
    store.classes(model)
    checks: list[object] = []
    real = type(store)._loads_still_active
    monkeypatch.setattr(type(store), "_loads_still_active",
                        lambda self, token, loads: checks.append(loads) or real(self, token, loads))
    store.classes(model)
    store.search(model, "n01", limit=5)
    assert checks == []
    store.class_graph(model, 1)
    assert len(checks) == 1

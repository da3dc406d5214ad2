"""Exploring a graph on both real stores: suggested groups, classes containing a subgraph, notes.

Answers worked out by hand from ``tests/store/tiny.py``: class 0's graph has conv1:0 (pagerank
0.5), conv1:1 (0.2), conv2:0 (0.6), conv2:1 (0.3), fc:0 (0.9); class 1's has conv1:1 (0.4),
conv2:1 (0.7), fc:1 (0.8) and the edges conv1:1 -> conv2:1 -> fc:1; class 2's is empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from summit.errors import BadInput, Forbidden, NotFound
from summit.store.base import SuggestedGroup
from tests.store.conftest import STORES, open_store_kind, unique_model
from tests.store.tiny import write_tiny_artifact

E = tuple[Any, str]


def containing(store: Any, model: str, neurons: list[str], edges: tuple[tuple[str, str], ...] = (),
               limit: int = 10) -> list[tuple[int, float]]:
    return [(c.cls.index, round(c.mass, 9)) for c in store.classes_containing(model, neurons, edges, limit=limit)]


def test_suggested_groups(loaded: E) -> None:
    store, model = loaded
    assert store.suggested_groups(model, None) == [
        SuggestedGroup(0, "conv1", ("conv1:0", "conv1:1"), 0.8),
        SuggestedGroup(1, "conv2", ("conv2:0", "conv2:1"), 0.6),
        SuggestedGroup(2, "fc", ("fc:0", "fc:1"), 0.5),
    ]
    assert [g.id for g in store.suggested_groups(model, "conv2")] == [1]
    with pytest.raises(NotFound, match="no layer"):
        store.suggested_groups(model, "conv9")


def test_classes_containing_neurons(loaded: E) -> None:
    store, model = loaded
    assert containing(store, model, ["conv1:1"]) == [(1, 0.4), (0, 0.2)]
    assert containing(store, model, ["conv1:1", "conv2:1"]) == [(1, 1.1), (0, 0.5)]
    assert containing(store, model, ["conv1:1", "conv2:1"], limit=1) == [(1, 1.1)]
    assert containing(store, model, ["conv1:1", "conv1:1"]) == [(1, 0.4), (0, 0.2)], "duplicates count once"
    assert containing(store, model, ["fc:0", "fc:1"]) == []
    assert containing(store, model, ["conv1:2"]) == [], "a neuron in no class graph"


def test_classes_containing_edges(loaded: E) -> None:
    store, model = loaded
    # both graphs hold conv1:1 and conv2:1, only class 1's has the edge between them
    assert containing(store, model, [], (("conv1:1", "conv2:1"),)) == [(1, 1.1)]
    assert containing(store, model, ["fc:1"], (("conv1:1", "conv2:1"),)) == [(1, 1.9)]
    assert containing(store, model, [], (("conv1:0", "conv2:1"), ("conv2:1", "fc:0"))) == [(0, 1.7)]
    assert containing(store, model, [], (("conv1:0", "conv2:1"), ("conv1:1", "conv2:1"))) == []
    assert containing(store, model, [], (("conv2:1", "conv1:0"),)) == [], "edges have a direction"


def test_classes_containing_bad_input(loaded: E) -> None:
    store, model = loaded
    with pytest.raises(BadInput, match="at least one"):
        store.classes_containing(model, [], [], limit=5)
    with pytest.raises(NotFound):
        store.classes_containing(model, ["conv1:0", "conv7:0"], [], limit=5)
    with pytest.raises(NotFound):
        store.classes_containing(model, [], [("conv1:0", "conv7:0")], limit=5)
    with pytest.raises(BadInput):
        store.classes_containing(model, ["conv1:0"], [], limit=0)


# --- notes -------------------------------------------------------------------------------------
def _clear_notes(store: Any, model: str) -> None:
    for note in store.notes(model):
        store.delete_note(model, note.kind, note.target)


@pytest.fixture(params=STORES)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[E]:
    """A store of each kind with a newly loaded tiny model; it and its notes are removed afterwards
    (only its own: the module's ``loaded`` model lives in the same Neo4j)."""
    store = open_store_kind(request.param, tmp_path, request)
    model = unique_model("notes")
    store.load_artifact(str(write_tiny_artifact(tmp_path / "artifact", run_id=model)))
    try:
        yield store, model
    finally:
        _clear_notes(store, model)
        store.drop_model(model)
        store.close()


def test_notes_set_replace_delete(fresh: E) -> None:
    store, model = fresh
    assert store.notes(model) == []
    first = store.set_note(model, "neuron", "conv2:1", [], "  edge detector?  ")
    assert (first.kind, first.target, first.neurons, first.text) == ("neuron", "conv2:1", ("conv2:1",), "edge detector?")
    group = store.set_note(model, "group", "g-fish", ["conv1:1", "conv1:0", "conv1:1"], "fins")
    assert group.neurons == ("conv1:1", "conv1:0"), "members as given, once each"
    again = store.set_note(model, "neuron", "conv2:1", ["conv2:1"], "curves")
    assert again.updated >= first.updated
    notes = store.notes(model)
    assert [(n.kind, n.target, n.neurons, n.text) for n in notes] == [
        ("group", "g-fish", ("conv1:1", "conv1:0"), "fins"), ("neuron", "conv2:1", ("conv2:1",), "curves")]
    assert notes[1].updated == again.updated
    assert store.delete_note(model, "neuron", "conv2:1") is True
    assert store.delete_note(model, "neuron", "conv2:1") is False
    assert [n.target for n in store.notes(model)] == ["g-fish"]


def test_notes_bad_input(fresh: E) -> None:
    store, model = fresh
    with pytest.raises(NotFound):
        store.set_note(model, "neuron", "conv9:0", [], "x")
    with pytest.raises(NotFound):
        store.set_note(model, "group", "g1", ["conv1:0", "conv9:0"], "x")
    with pytest.raises(NotFound):
        store.set_note("no-such-model", "neuron", "conv1:0", [], "x")
    with pytest.raises(BadInput, match="needs text"):
        store.set_note(model, "neuron", "conv1:0", [], "   ")
    with pytest.raises(BadInput, match="at most"):
        store.set_note(model, "neuron", "conv1:0", [], "x" * 2001)
    with pytest.raises(BadInput, match="only that neuron"):
        store.set_note(model, "neuron", "conv1:0", ["conv1:1"], "x")
    with pytest.raises(BadInput, match="group's neurons"):
        store.set_note(model, "group", "g1", [], "x")
    with pytest.raises(BadInput, match="group id"):
        store.set_note(model, "group", "g 1/..", ["conv1:0"], "x")
    with pytest.raises(BadInput, match="kind"):
        store.set_note(model, "class", "0", [], "x")
    assert store.notes(model) == []


def test_notes_survive_reload_and_stay_with_their_model(fresh: E, tmp_path: Path) -> None:
    store, model = fresh
    other = unique_model("notes-other")
    store.load_artifact(str(write_tiny_artifact(tmp_path / "other", run_id=other)))
    try:
        store.set_note(model, "neuron", "fc:0", [], "output for tench")
        store.set_note(other, "neuron", "fc:0", [], "someone else's")
        store.load_artifact(str(write_tiny_artifact(tmp_path / "again", run_id=model, name_suffix=" v2")))
        assert store.class_by_key(model, "0").name.endswith(" v2"), "the reload is served"
        assert [(n.target, n.text) for n in store.notes(model)] == [("fc:0", "output for tench")]
        store.drop_model(other)
        assert [n.text for n in store.notes(model)] == ["output for tench"], "dropping another model keeps them"
        store.load_artifact(str(write_tiny_artifact(tmp_path / "other2", run_id=other)))
        assert [n.text for n in store.notes(other)] == ["someone else's"], "a model loaded again finds its notes"
    finally:
        _clear_notes(store, other)
        if other in {m.id for m in store.models()}:
            store.drop_model(other)


def test_embedded_notes_live_in_the_store(tmp_path: Path) -> None:
    """The process holding the store writes notes into its shared Note table: they outlive closing
    it; a process that opens the store read-only reads them and is refused writes; a store from
    before notes existed (no Note table) has none."""
    import ladybug

    from summit.store.embedded import EmbeddedStore

    path = tmp_path / "store"
    model = unique_model("notes-ro")
    holder = EmbeddedStore(path)
    holder.load_artifact(str(write_tiny_artifact(tmp_path / "artifact", run_id=model)))
    holder.set_note(model, "neuron", "conv1:0", [], "written while serving")
    holder.close()
    reader = EmbeddedStore(path, read_only=True)
    try:
        assert [n.text for n in reader.notes(model)] == ["written while serving"]
        with pytest.raises(Forbidden, match="read-only"):
            reader.set_note(model, "neuron", "conv1:1", [], "x")
    finally:
        reader.close()
    db = ladybug.Database(str(path))
    ladybug.Connection(db).execute("DROP TABLE Note")
    db.close()
    old = EmbeddedStore(path, read_only=True)
    try:
        assert old.notes(model) == []
    finally:
        old.close()

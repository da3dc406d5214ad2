"""Every docs/cypher cookbook query runs on the real Neo4j and agrees with the store's answer.

The files are Neo4j Browser scripts (a ``:param`` block, then the statement; see
``tests/store/cookbook.py``); here the statement runs over Bolt with the block's parameters
replaced by the tiny artifact's. tests/store/test_browser.py pastes the same files into Neo4j Browser.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.store import cookbook

pytestmark = pytest.mark.neo4j

INTEGER_PARAMS = {"class", "a", "b", "k", "limit", "min_weight"}


@pytest.fixture(scope="module")
def neo(neo4j_tiny: tuple[Any, str]) -> tuple[Any, str]:
    return neo4j_tiny


def run(neo: tuple[Any, str], name: str, **params: Any) -> list[dict[str, Any]]:
    """Run a cookbook file's statement with its own parameters, overridden by ``params`` and the model."""
    store, model = neo
    script = cookbook.load(name)
    unknown = set(params) - set(script.params)
    assert not unknown, f"{name}.cypher sets no parameter {sorted(unknown)}"
    values = {**script.params, **params, **({"model": model} if "model" in script.params else {})}
    rows: list[dict[str, Any]] = store._rows(script.statement, values)
    return rows


def test_every_file_is_covered() -> None:
    files = {p.stem for p in cookbook.COOKBOOK.glob("*.cypher")}
    tested = {name[len("test_"):] for name in globals() if name.startswith("test_")} | {"class_graph_picture"}
    assert files <= tested, f"cookbook files without a test: {sorted(files - tested)}"


@pytest.mark.parametrize(("name", "text"), cookbook.sources(), ids=[n for n, _ in cookbook.sources()])
def test_parameter_blocks_paste_into_browser(name: str, text: str) -> None:
    """Blocks Browser accepts: `:param name => literal;` lines; counts and indices are integer literals."""
    script = cookbook.parse(name, text)
    used = set(re.findall(r"\$(\w+)", script.statement))
    assert used == set(script.params), f"{script.name}: parameters used {sorted(used)}, set {sorted(script.params)}"
    for name, value in script.params.items():
        assert isinstance(value, int) == (name in INTEGER_PARAMS), (script.name, name, value)
        assert script.with_params({name: value}) == script.text.rstrip("\n") + "\n"


def test_readme_snippets_run(neo: tuple[Any, str]) -> None:
    store, model = neo
    for script in cookbook.readme_snippets():
        values = {**script.params, "model": model, "class": 0}
        assert store._rows(script.statement, {k: v for k, v in values.items() if k in script.params}), script.name


def test_models(neo: tuple[Any, str]) -> None:
    store, model = neo
    row = next(r for r in run(neo, "models") if r["model"] == model)
    assert row["load"] == store._load(model)
    counted = store._rows("MATCH (n {load: $load}) OPTIONAL MATCH (n)<-[r]-() "
                          "RETURN count(DISTINCT n) AS nodes, count(r) AS relationships", {"load": row["load"]})
    assert (row["nodes"], row["relationships"]) == (counted[0]["nodes"], counted[0]["relationships"])
    assert row["nodes"] == store.model_stats()[model]["nodes"] > 0
    assert row["load_seconds"] > 0


def test_class_graph_nodes(neo: tuple[Any, str]) -> None:
    store, model = neo
    rows = run(neo, "class_graph_nodes", **{"class": 0})
    graph = store.class_graph(model, 0)
    assert [(r["neuron"], r["count"], r["pagerank"]) for r in rows] == [
        (n.neuron.id, n.count, n.pagerank) for n in graph.nodes]


def test_class_graph_edges(neo: tuple[Any, str]) -> None:
    store, model = neo
    rows = run(neo, "class_graph_edges", **{"class": 0})
    assert [(r["src"], r["dst"], r["weight"]) for r in rows] == [
        (e.src, e.dst, e.weight) for e in store.class_graph(model, 0).edges]
    assert [r["weight"] for r in run(neo, "class_graph_edges", min_weight=4, **{"class": 0})] == [5, 4, 6]
    picture = run(neo, "class_graph_picture", **{"class": 0})
    assert len(picture) == 6  # five edges, and fc:0 with none
    assert {r["a"]["name"] for r in picture} == {n.neuron.id for n in store.class_graph(model, 0).nodes}


def test_neuron_top_classes(neo: tuple[Any, str]) -> None:
    store, model = neo
    rows = run(neo, "neuron_top_classes", neuron="conv1:0", limit=2)
    detail = store.neuron_detail(model, "conv1:0", top_classes=2)
    assert [(r["class"], r["count"], r["mean"]) for r in rows] == [
        (a.cls.index, a.count, a.mean) for a in detail.top_classes]


def test_neuron_examples(neo: tuple[Any, str]) -> None:
    store, model = neo
    rows = run(neo, "neuron_examples", neuron="conv1:0")
    assert [(r["rank"], r["media"]) for r in rows] == [
        (e.rank, e.media) for e in store.neuron_detail(model, "conv1:0").examples]


def test_influence_class(neo: tuple[Any, str]) -> None:
    store, model = neo
    rows = run(neo, "influence_class", neuron="conv2:0", limit=3, **{"class": 0})
    assert [(r["src"], r["dst"], r["count"]) for r in rows] == [
        (e.src, e.dst, e.count)
        for e in store.influence_edges(model, "conv2:0", class_index=0, direction="both", limit=3)]


def test_influence_all_classes(neo: tuple[Any, str]) -> None:
    store, model = neo
    rows = run(neo, "influence_all_classes", neuron="conv2:0", limit=10)
    assert [(r["src"], r["dst"], r["count"]) for r in rows] == [
        (e.src, e.dst, e.count)
        for e in store.influence_edges(model, "conv2:0", class_index=None, direction="both", limit=10)]


def test_neighbourhood(neo: tuple[Any, str]) -> None:
    store, model = neo
    edges = store.neighbourhood(model, 0, "conv2:1", hops=2).edges
    strongest = sorted(edges, key=lambda e: (-e.weight, e.src, e.dst))
    assert len(strongest) == 5
    for limit in (100, 3):
        rows = run(neo, "neighbourhood", neuron="conv2:1", limit=limit, **{"class": 0})
        assert [(r["src"], r["dst"], r["weight"]) for r in rows] == [
            (e.src, e.dst, e.weight) for e in strongest[:limit]]


@pytest.mark.parametrize("src", ["conv1:0", "conv1:1", "conv1:2", "conv2:0", "conv2:1", "fc:0"])
@pytest.mark.parametrize("k", [1, 2, 5])
def test_paths_to_last_layer(neo: tuple[Any, str], src: str, k: int) -> None:
    store, model = neo
    rows = run(neo, "paths_to_last_layer", src=src, k=k, **{"class": 0})
    assert [(tuple(r["neurons"]), tuple(r["weights"]), float(r["score"])) for r in rows] == [
        (p.neurons, p.weights, p.score) for p in store.paths(model, 0, src, None, k=k, mode="sum")]


def test_paths_between(neo: tuple[Any, str]) -> None:
    store, model = neo
    rows = run(neo, "paths_between", src="conv1:0", dst="fc:0", k=5, **{"class": 0})
    assert [(tuple(r["neurons"]), tuple(r["weights"]), float(r["score"])) for r in rows] == [
        (p.neurons, p.weights, p.score) for p in store.paths(model, 0, "conv1:0", "fc:0", k=5, mode="sum")]
    assert len(rows) == 2
    assert run(neo, "paths_between", src="conv1:1", dst="fc:1", k=5, **{"class": 1})


def test_compare(neo: tuple[Any, str]) -> None:
    store, model = neo
    rows = run(neo, "compare", a=0, b=1)
    cmp = store.compare(model, 0, 1)
    expected = sorted(
        [(n.neuron.layer_index, n.neuron.id, n.count_a, n.count_b, side)
         for side, nodes in (("shared", cmp.shared), ("only_a", cmp.only_a), ("only_b", cmp.only_b))
         for n in nodes])
    assert [(r["neuron"], r["count_a"], r["count_b"], r["side"]) for r in rows] == [x[1:] for x in expected]


def test_similar_classes(neo: tuple[Any, str]) -> None:
    store, model = neo
    rows = run(neo, "similar_classes", layer="all", limit=5, **{"class": 0})
    assert [(r["class"], r["similarity"]) for r in rows] == [
        (s.cls.index, s.similarity) for s in store.similar_classes(model, 0, layer=None, limit=5)]


@pytest.mark.parametrize("text", ["goldf", "n014", "conv2:1", "fish", "CARASSIUS auratus", "conv", "x' OR 1=1"])
def test_search(neo: tuple[Any, str], text: str) -> None:
    store, model = neo
    rows = run(neo, "search", text=text, limit=20)
    assert [(r["kind"], r["id"], r["label"], r["score"]) for r in rows] == [
        (h.kind, h.id, h.label, h.score) for h in store.search(model, text, limit=20)]


def test_embedding(neo: tuple[Any, str]) -> None:
    store, model = neo
    rows = run(neo, "embedding", layer="fc")
    assert [(r["class"], r["x"], r["y"]) for r in rows] == [
        (p.class_index, p.x, p.y) for p in store.embedding(model, "fc")]


@pytest.mark.parametrize(("neurons", "edges"), [
    (["conv1:1"], []), (["conv1:1", "conv2:1"], []), ([], [["conv1:1", "conv2:1"]]),
    (["fc:1"], [["conv1:1", "conv2:1"], ["conv2:1", "fc:1"]]), ([], [["conv1:0", "conv2:1"], ["conv1:1", "conv2:1"]]),
    (["conv1:2"], []),
])
def test_classes_containing(neo: tuple[Any, str], neurons: list[str], edges: list[list[str]]) -> None:
    store, model = neo
    rows = run(neo, "classes_containing", neurons=neurons, edges=edges, limit=50)
    expected = store.classes_containing(model, neurons, [tuple(e) for e in edges], limit=50)
    assert [(r["class"], r["mass"]) for r in rows] == [(c.cls.index, pytest.approx(c.mass)) for c in expected]


def test_suggested_groups(neo: tuple[Any, str]) -> None:
    store, model = neo
    rows = run(neo, "suggested_groups")
    assert [(r["group"], r["layer"], tuple(r["neurons"]), r["cohesion"]) for r in rows] == [
        (g.id, g.layer, g.neurons, g.cohesion) for g in store.suggested_groups(model, None)]
    assert len(rows) == 3


def test_list_parameters_round_trip() -> None:
    script = cookbook.load("classes_containing")
    assert script.params["edges"] == [["blocks.5.1:112", "blocks.5.2:112"]]
    assert cookbook.parse("x", script.with_params({"edges": [["a'b", "c"]]})).params["edges"] == [["a'b", "c"]]
    with pytest.raises(ValueError, match="not written as"):
        cookbook.parse("x", ':param edges => ["a"];\nRETURN $edges;')


def test_notes(neo: tuple[Any, str]) -> None:
    store, model = neo
    store.set_note(model, "neuron", "conv2:0", [], "a note")
    store.set_note(model, "group", "g-1", ["conv1:0", "conv1:1"], "a group's note")
    try:
        rows = run(neo, "notes")
        assert [(r["kind"], r["target"], tuple(r["neurons"]), r["text"], r["updated"]) for r in rows] == [
            (n.kind, n.target, n.neurons, n.text, n.updated) for n in store.notes(model)]
        assert len(rows) == 2
    finally:
        for note in store.notes(model):
            store.delete_note(model, note.kind, note.target)


# --- on real data: Summit's 1,000 published InceptionV1 graphs (tests/conftest.py: published_neo4j) ------


def _graph_members(summit_data: Path) -> dict[str, dict[int, tuple[int, float]]]:
    """neuron id -> {class index: (count, pagerank)} over the published ag files."""
    import json

    members: dict[str, dict[int, tuple[int, float]]] = {}
    for k in range(1000):
        graph = json.loads((summit_data / "data" / "ag" / f"ag-{k}.json").read_text())
        for layer, nodes in graph.items():
            for n in nodes:
                members.setdefault(f"{layer}:{n['channel']}", {})[k] = (n["count"], n["pagerank"])
    return members


def test_shared_neurons_per_layer(published_neo4j: tuple[Any, str], summit_data: Path) -> None:
    rows = run(published_neo4j, "shared_neurons_per_layer", limit=3)
    members = _graph_members(summit_data)
    layers = ["mixed3a", "mixed3b", "mixed4a", "mixed4b", "mixed4c", "mixed4d", "mixed4e", "mixed5a", "mixed5b"]
    expected = []
    for layer in layers:
        ranked = sorted(((-len(v), nid) for nid, v in members.items() if nid.startswith(layer + ":")))[:3]
        expected += [(layer, nid, -neg) for neg, nid in ranked]
    assert [(r["layer"], r["neuron"], r["graphs"]) for r in rows] == expected
    assert ("mixed3a", "mixed3a:101", 461) in expected  # the example in the file's comment


def test_classes_sharing_neuron(published_neo4j: tuple[Any, str], summit_data: Path) -> None:
    rows = run(published_neo4j, "classes_sharing_neuron", neuron="mixed4d:463")
    found = _graph_members(summit_data)["mixed4d:463"]
    assert len(rows) == len(found) == 325
    assert [(r["class"], r["count"], r["pagerank"]) for r in rows] == [
        (k, c, p) for k, (c, p) in sorted(found.items(), key=lambda kv: (-kv[1][0], kv[0]))]
    store, model = published_neo4j
    names = {c.index: c.name for c in store.classes(model)}
    assert all(r["name"] == names[r["class"]] for r in rows)

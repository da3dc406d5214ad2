"""The graph schema explains itself to a Cypher user: everything hangs off the model by relationships,
nodes carry a caption (``name``), lookups are indexed, and a class's graphs are structures of their own."""

from __future__ import annotations

from typing import Any

import pytest

from summit import graph_schema as gs
from tests.store import cookbook
from tests.store.tiny import CLASS_EDGES, CLASS_NODES, INFLUENCES, LAYERS


@pytest.fixture(scope="module")
def neo(neo4j_tiny: tuple[Any, str]) -> tuple[Any, str]:
    return neo4j_tiny


def one(store: Any, query: str, **params: Any) -> Any:
    rows = store._rows(query, params)
    assert len(rows) == 1, rows
    return next(iter(rows[0].values()))


def test_the_model_reaches_its_classes_layers_and_neurons(neo: tuple[Any, str]) -> None:
    store, model = neo
    load = store._load(model)
    path = "(:Model {id: $model})-[:ACTIVE_LOAD]->(l:Load)"
    assert one(store, f"MATCH {path} RETURN l.id", model=model) == load
    assert one(store, f"MATCH {path}-[:HAS_CLASS]->(c:Class) RETURN count(c)", model=model) == 3
    assert one(store, f"MATCH {path}-[:HAS_LAYER]->(x:Layer) RETURN count(x)", model=model) == len(LAYERS)
    assert one(store, f"MATCH {path}-[:HAS_LAYER]->(:Layer)<-[:IN_LAYER]-(n:Neuron) RETURN count(n)",
               model=model) == sum(c for _, c in LAYERS)
    # nothing of the load hangs off by a property alone: every node has a relationship
    assert one(store, "MATCH (n {load: $load}) WHERE NOT (n)--() RETURN count(n)", load=load) == 0


def test_schema_picture_connects_every_label(neo: tuple[Any, str]) -> None:
    """The first picture of docs/cypher/README.md: db.schema.visualization() without the Depth labels."""
    store, _ = neo
    first = cookbook.readme_snippets()[[s.name for s in cookbook.readme_snippets()].index("docs/cypher/README.md#1")]
    assert "CALL db.schema.visualization()" in first.statement
    picture = store._rows(first.statement)[0]
    labels = {next(iter(n.labels)) for n in picture["nodes"]}
    # Notes (when a test or a user wrote some) belong to a model id, not a load: found by `model`
    assert labels - {gs.NOTE} == {*gs.NODE_PROPERTIES, *gs.SHARED_LABELS}
    ids = {n.element_id: next(iter(n.labels)) for n in picture["nodes"]}
    triples = {(ids[r.start_node.element_id], r.type, ids[r.end_node.element_id]) for r in picture["relationships"]}
    assert triples == {(src, gs.neo4j_type(key), dst) for key, (src, dst) in gs.RELATIONSHIPS.items()} | {
        (gs.MODEL, gs.ACTIVE_LOAD, gs.LOAD)}


def test_captions_depth_labels_and_no_empty_lists(neo: tuple[Any, str]) -> None:
    store, model = neo
    load = store._load(model)
    assert one(store, "MATCH (n {load: $load}) WHERE n.name IS NULL RETURN count(n)", load=load) == 0
    rows = store._rows("MATCH (n:Neuron {load: $load}) RETURN n.id AS id, n.name AS name, n.layer_index AS i, "
                       "labels(n) AS labels, n.featurevis AS fv", {"load": load})
    for r in rows:
        assert r["name"] == r["id"]
        assert sorted(r["labels"]) == sorted([gs.NEURON, gs.depth_label(r["i"])])
    fv = {r["id"]: r["fv"] for r in rows}
    assert fv["conv1:0"] == ["featurevis/conv1/0.png", "featurevis/conv1/0_1.png"]
    assert fv["conv2:0"] is None  # no pictures: no empty list either
    names = {r["name"] for r in store._rows("MATCH (c:Class {load: $load}) RETURN c.name AS name", {"load": load})}
    assert "goldfish, Carassius auratus" in names


def test_lookup_indexes(neo: tuple[Any, str]) -> None:
    store, _ = neo
    indexes = {(tuple(r["labels"]), tuple(r["props"])) for r in store._rows(
        "SHOW INDEXES YIELD labelsOrTypes AS labels, properties AS props, state WHERE state = 'ONLINE' "
        "RETURN labels, props") if r["labels"]}
    for label, prop in ((gs.NEURON, "id"), (gs.CLASS, "name"), (gs.CLASS, "index")):
        assert ((label,), (prop,)) in indexes


@pytest.mark.parametrize("ci", [0, 1])
def test_a_class_graph_is_its_own_structure(neo: tuple[Any, str], ci: int) -> None:
    """Between one class's graph nodes there are exactly that graph's edges (Browser's "connect result
    nodes" draws nothing else), and each class's influence nodes hold exactly its influence edges."""
    store, model = neo
    load = store._load(model)
    between = store._rows(
        "MATCH (c:Class {key: $key})-[:HAS_NODE]->(a:GraphNode), (c)-[:HAS_NODE]->(b:GraphNode) "
        "MATCH (a)-[r]->(b) RETURN a.neuron AS src, type(r) AS type, b.neuron AS dst, r.weight AS w",
        {"key": f"{load}|{ci}"})
    assert sorted((r["src"], r["dst"], r["w"]) for r in between) == sorted(
        (s, d, w) for c, s, d, w in CLASS_EDGES if c == ci)
    assert {r["type"] for r in between} == {gs.GRAPH_EDGE}
    assert one(store, "MATCH (c:Class {key: $key})-[:HAS_NODE]->(g:GraphNode)-[:OF_NEURON]->(:Neuron) "
                      "RETURN count(g)", key=f"{load}|{ci}") == sum(1 for c, *_ in CLASS_NODES if c == ci)
    influences = store._rows(
        "MATCH (a:InfluenceNode {load: $load, class: $ci})-[r:INFLUENCES]->(b:InfluenceNode) "
        "RETURN a.neuron AS src, b.neuron AS dst, r.count AS n, b.class AS bc", {"load": load, "ci": ci})
    assert sorted((r["src"], r["dst"], r["n"]) for r in influences) == sorted(
        (s, d, n) for c, s, d, n in INFLUENCES if c == ci)
    assert {r["bc"] for r in influences} == {ci}


def test_embedded_store_has_the_same_links(make_store: Any, tmp_path: Any) -> None:
    from tests.store.conftest import unique_model
    from tests.store.tiny import write_tiny_artifact

    store = make_store("embedded")
    model = unique_model()
    store.load_artifact(str(write_tiny_artifact(tmp_path / "a", run_id=model)))
    load = store._load(model)
    t = {name: gs.table(name, load) for name in (*gs.RELATIONSHIPS, *gs.NODE_PROPERTIES)}
    assert one(store, f"MATCH (:Model {{id: $model}})-[:{gs.ACTIVE_LOAD}]->(l:Load) RETURN l.id", model=model) == load
    assert one(store, f"MATCH (:Load {{id: $load}})-[:{t[gs.HAS_CLASS]}]->(c:{t[gs.CLASS]}) RETURN count(c)",
               load=load) == 3
    assert one(store, f"MATCH (:{t[gs.INFLUENCE_NODE]})-[r:{t[gs.INFLUENCES]}]->() RETURN count(r)") == len(INFLUENCES)
    assert one(store, f"MATCH (:{t[gs.CLASS]})-[:{t[gs.HAS_POINT]}]->(p:{t[gs.POINT]}) RETURN count(p)") == 6

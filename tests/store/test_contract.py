"""The GraphStore contract on the tiny artifact, run against both stores (answers worked out by hand)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from summit.errors import BadInput, NotFound
from summit.store.base import GraphStore
from tests.store.tiny import FAITHFULNESS

E = tuple[Any, str]


def edges(graph: Any) -> list[tuple[str, str, int]]:
    return [(e.src, e.dst, e.weight) for e in graph.edges]


def node_ids(nodes: Any) -> list[str]:
    return [n.neuron.id for n in nodes]


def test_is_a_graph_store(loaded: E) -> None:
    store, _ = loaded
    assert isinstance(store, GraphStore)
    assert store.ping()


def test_model_info(loaded: E) -> None:
    store, model = loaded
    info = store.model(model)
    assert (info.name, info.classes, info.images, info.top1_correct) == ("tinynet", 3, 23, 14)
    assert [(x.name, x.index, x.channels) for x in info.layers] == [("conv1", 0, 3), ("conv2", 1, 2), ("fc", 2, 2)]
    assert info.dataset == "tiny"  # the dataset's name, never the ingest machine's path
    assert info.artifact_path.endswith("/artifact"), "the store records where the artifact lives (media)"
    assert info.graph_method == "summit"
    assert json.loads(info.faithfulness) == FAITHFULNESS
    assert model in [m.id for m in store.models()]
    with pytest.raises(NotFound, match="not in the store"):
        store.model("no-such-model")


def test_classes_and_keys(loaded: E) -> None:
    store, model = loaded
    assert [c.index for c in store.classes(model)] == [0, 1, 2]
    assert [c.index for c in store.classes_by_index(model, [2, 0])] == [2, 0]
    goldfish = store.class_by_key(model, "n01443537")
    assert goldfish.index == 1
    assert goldfish.accuracy == pytest.approx(0.25)
    assert store.class_by_key(model, "1") == goldfish
    assert store.class_by_key(model, "goldfish, Carassius auratus") == goldfish
    assert goldfish.prob_hist == (0,) * 20
    assert store.class_by_key(model, "0").top1_prob_hist == (0,) * 19 + (20,)
    with pytest.raises(NotFound):
        store.class_by_key(model, "goldfish")
    with pytest.raises(NotFound):
        store.classes_by_index(model, [7])


def test_faithfulness_only_where_measured(loaded: E) -> None:
    store, model = loaded
    tench, goldfish, _ = store.classes(model)
    assert tench.faithfulness is not None
    assert tench.faithfulness.graph_neurons == 5
    assert tench.faithfulness.graph_prob_drop == pytest.approx(0.5)
    assert tench.faithfulness.active_prob_drop == pytest.approx(0.3)
    assert tench.faithfulness.active_top1_drop == pytest.approx(0.4)
    assert goldfish.faithfulness is None


def test_class_graph(loaded: E) -> None:
    store, model = loaded
    graph = store.class_graph(model, 0)
    assert node_ids(graph.nodes) == ["conv1:0", "conv1:1", "conv2:0", "conv2:1", "fc:0"]
    assert [(n.count, n.pagerank) for n in graph.nodes][:2] == [(6, 0.5), (3, 0.2)]
    assert edges(graph) == [
        ("conv1:0", "conv2:0", 5), ("conv1:0", "conv2:1", 2), ("conv1:1", "conv2:0", 3),
        ("conv2:0", "fc:0", 4), ("conv2:1", "fc:0", 6),
    ]
    top = store.class_graph(model, 0, top_n=1)
    assert node_ids(top.nodes) == ["conv1:0", "conv2:0", "fc:0"]
    assert edges(top) == [("conv1:0", "conv2:0", 5), ("conv2:0", "fc:0", 4)]
    heavy = store.class_graph(model, 0, min_weight=4)
    assert edges(heavy) == [("conv1:0", "conv2:0", 5), ("conv2:0", "fc:0", 4), ("conv2:1", "fc:0", 6)]
    empty = store.class_graph(model, 2)
    assert empty.cls.name == "great white shark"
    assert empty.nodes == ()
    assert empty.edges == ()
    with pytest.raises(NotFound):
        store.class_graph(model, 3)
    with pytest.raises(BadInput):
        store.class_graph(model, 0, top_n=0)


def test_featurevis_batched(loaded: E) -> None:
    store, model = loaded
    assert store.featurevis(model, ["fc:1", "conv1:0", "fc:1"]) == {
        "fc:1": [], "conv1:0": ["featurevis/conv1/0.png", "featurevis/conv1/0_1.png"]}
    assert store.featurevis(model, []) == {}
    with pytest.raises(NotFound):
        store.featurevis(model, ["conv1:0", "nolayer:0"])


def test_neurons_and_detail(loaded: E) -> None:
    store, model = loaded
    assert [n.id for n in store.neurons(model, ["fc:1", "conv1:2"])] == ["fc:1", "conv1:2"]
    detail = store.neuron_detail(model, "conv1:0", top_classes=2)
    assert (detail.neuron.layer, detail.neuron.layer_index, detail.neuron.channel) == ("conv1", 0, 0)
    assert [(a.cls.index, a.count, a.mean) for a in detail.top_classes] == [(0, 6, 1.2), (1, 6, 0.5)]
    assert [(e.rank, e.image) for e in detail.examples] == [(0, "img_a.jpg"), (1, "img_b.jpg")]
    assert detail.featurevis == ("featurevis/conv1/0.png", "featurevis/conv1/0_1.png")
    plain = store.neuron_detail(model, "fc:1")
    assert plain.examples == ()
    assert plain.featurevis == ()
    assert [(a.cls.index, a.count, a.mean) for a in plain.top_classes] == [(1, 2, 0.25)]  # act_sum 2.0 / 8 images
    # class 2 selected conv2:1 only at the graph-stage mass (count 0): not one of its classes
    assert [a.cls.index for a in store.neuron_detail(model, "conv2:1").top_classes] == [0, 1]
    got = store.examples(model, ["conv2:0", "fc:0"])
    assert [e.media for e in got["conv2:0"]] == ["examples/conv2/0_0.jpg"]
    assert got["fc:0"] == []
    with pytest.raises(NotFound):
        store.neuron_detail(model, "conv9:0")


def test_influence_edges(loaded: E) -> None:
    store, model = loaded

    def flat(items: Any) -> list[tuple[str, str, Any, int]]:
        return [(e.src, e.dst, e.class_index, e.count) for e in items]

    assert flat(store.influence_edges(model, "conv1:0", class_index=0, direction="out", limit=10)) == [
        ("conv1:0", "conv2:0", 0, 5), ("conv1:0", "conv2:1", 0, 2)]
    assert flat(store.influence_edges(model, "conv2:0", class_index=None, direction="in", limit=10)) == [
        ("conv1:0", "conv2:0", None, 6), ("conv1:1", "conv2:0", None, 3)]
    assert flat(store.influence_edges(model, "conv2:0", class_index=0, direction="both", limit=3)) == [
        ("conv1:0", "conv2:0", 0, 5), ("conv2:0", "fc:0", 0, 4), ("conv1:1", "conv2:0", 0, 3)]
    with pytest.raises(BadInput):
        store.influence_edges(model, "conv2:0", class_index=0, direction="sideways", limit=3)  # type: ignore[arg-type]


def test_neighbourhood(loaded: E) -> None:
    store, model = loaded
    one = store.neighbourhood(model, 0, "conv2:1", hops=1)
    assert node_ids(one.nodes) == ["conv1:0", "conv1:2", "conv2:1", "fc:0"]
    assert edges(one) == [("conv1:0", "conv2:1", 2), ("conv1:2", "conv2:1", 7), ("conv2:1", "fc:0", 6)]
    assert {n.neuron.id: (n.count, n.pagerank) for n in one.nodes}["conv1:2"] == (2, 0.0)
    two = store.neighbourhood(model, 0, "conv2:1", hops=2)
    assert node_ids(two.nodes) == ["conv1:0", "conv1:2", "conv2:0", "conv2:1", "fc:0"]
    assert len(two.edges) == 5  # conv1:0->conv2:0 and conv2:0->fc:0 join; conv1:1->conv2:0 is 3 hops away
    alone = store.neighbourhood(model, 2, "conv1:0", hops=2)
    assert node_ids(alone.nodes) == ["conv1:0"]
    assert alone.edges == ()


def test_paths(loaded: E) -> None:
    store, model = loaded

    def flat(paths: Any) -> list[tuple[tuple[str, ...], tuple[int, ...], float]]:
        return [(p.neurons, p.weights, p.score) for p in paths]

    assert flat(store.paths(model, 0, "conv1:0", None, k=5, mode="sum")) == [
        (("conv1:0", "conv2:0", "fc:0"), (5, 4), 9.0),
        (("conv1:0", "conv2:1", "fc:0"), (2, 6), 8.0),
        (("conv1:0", "conv2:0", "fc:1"), (5, 1), 6.0),
    ]
    assert [p.score for p in store.paths(model, 0, "conv1:0", None, k=5, mode="bottleneck")] == [4.0, 2.0, 1.0]
    assert flat(store.paths(model, 0, "conv1:0", "fc:0", k=1, mode="bottleneck")) == [
        (("conv1:0", "conv2:0", "fc:0"), (5, 4), 4.0)]
    assert store.paths(model, 1, "conv1:0", "fc:0", k=3, mode="sum") == []
    with pytest.raises(BadInput):
        store.paths(model, 0, "fc:0", "conv1:0", k=3, mode="sum")
    with pytest.raises(BadInput):
        store.paths(model, 0, "conv1:0", None, k=0, mode="sum")


def test_compare(loaded: E) -> None:
    store, model = loaded
    cmp = store.compare(model, 0, 1)
    assert node_ids(cmp.shared) == ["conv1:1", "conv2:1"]
    assert node_ids(cmp.only_a) == ["conv1:0", "conv2:0", "fc:0"]
    assert node_ids(cmp.only_b) == ["fc:1"]
    shared = cmp.shared[0]
    assert (shared.count_a, shared.count_b, shared.pagerank_a, shared.pagerank_b) == (3, 4, 0.2, 0.4)
    assert cmp.only_b[0].count_a is None
    by_pair = {(e.src, e.dst): (e.weight_a, e.weight_b) for e in cmp.edges}
    assert by_pair[("conv1:1", "conv2:1")] == (None, 4)
    assert by_pair[("conv1:0", "conv2:0")] == (5, None)
    assert len(cmp.edges) == 7


def test_similar_classes(loaded: E) -> None:
    store, model = loaded
    assert [(s.cls.index, s.similarity) for s in store.similar_classes(model, 0, layer=None, limit=5)] == [
        (1, 0.9), (2, 0.5)]
    assert [s.cls.index for s in store.similar_classes(model, 0, layer="conv1", limit=1)] == [2]
    assert store.similar_classes(model, 2, layer="conv1", limit=5) == []
    with pytest.raises(NotFound):
        store.similar_classes(model, 0, layer="conv7", limit=5)


def test_search(loaded: E) -> None:
    store, model = loaded

    def flat(text: str, limit: int = 10) -> list[tuple[str, str, float]]:
        return [(h.kind, h.id, h.score) for h in store.search(model, text, limit=limit)]

    assert flat("goldf") == [("class", "1", 1.0)]  # prefix of the name
    assert flat("GOLDFISH") == [("class", "1", 2.0)]  # exact synonym, any case
    assert flat("Carassius auratus") == [("class", "1", 2.0)]  # exact synonym
    assert flat("n014") == [("class", "1", 1.0), ("class", "2", 1.0), ("class", "0", 1.0)]  # by label
    assert flat("conv2:1") == [("neuron", "conv2:1", 2.0)]
    assert flat("fish")[0] == ("class", "1", 0.5)
    assert flat("conv", limit=2) == [("neuron", "conv1:0", 1.0), ("neuron", "conv1:1", 1.0)]
    assert flat("   ") == []
    hit = store.search(model, "great", limit=1)[0]
    assert hit.label == "great white shark (n01484850)"


def test_embedding(loaded: E) -> None:
    store, model = loaded
    points = store.embedding(model, "fc")
    assert [(p.class_index, p.x, p.y) for p in points] == [(0, 0.0, 1.0), (1, 1.0, 3.0), (2, 2.0, 5.0)]
    assert store.embedding(model, "conv2") == []
    with pytest.raises(NotFound):
        store.embedding(model, "nowhere")


INJECTIONS = [
    "0' OR 1=1 //",
    "x'}) MATCH (n) DETACH DELETE n //",
    '") RETURN 1 UNION MATCH (n) RETURN n //',
    "`; DROP TABLE Model; --",
    "conv1:0' OR '1'='1",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_are_plain_data(loaded: E, text: str) -> None:
    store, model = loaded
    with pytest.raises(NotFound):
        store.class_by_key(model, text)
    with pytest.raises(NotFound):
        store.neuron_detail(model, text)
    with pytest.raises(NotFound):
        store.model(text)
    with pytest.raises(NotFound):
        store.embedding(model, text)
    assert store.search(model, text, limit=5) == []
    # the data is still all there
    assert len(store.class_graph(model, 0).edges) == 5
    assert [m.id for m in store.models()].count(model) == 1

"""``one_graph``: one set of counts through the class graphs' PageRank and cut (no torch)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from summit.artifact import read_table
from summit.errors import BadInput
from summit.graphs import build_graphs
from summit.graphs.data import load_graph_inputs, read_neuron_layout
from summit.graphs.single import one_graph
from summit.settings import resolve
from summit.synth import write_synthetic_artifact


def test_one_class_through_one_graph_is_its_class_graph(tmp_path):
    art = tmp_path / "a"
    settings = resolve({"graph_mass": 0.3}, environ={})
    write_synthetic_artifact(art, classes=5, layers=4, channels=16, images_per_class=10, seed=3, settings=settings)
    build_graphs(art, settings, embedding=False)
    inputs = load_graph_inputs(art)
    layout = read_neuron_layout(art)
    for c, index in enumerate(inputs.class_index):
        rows = inputs.edge_class == c
        nodes, edges = one_graph(layout, inputs.counts[c], inputs.edge_src[rows], inputs.edge_dst[rows],
                                 inputs.edge_weight[rows], settings, class_index=int(index))
        want = read_table(art, "class_nodes").filter(pl.col("class_index") == index)
        assert nodes.height == want.height > 0
        assert dict(zip(nodes["neuron_id"], nodes["pagerank"], strict=True)) == dict(
            zip(want["neuron_id"], want["pagerank"], strict=True))
        want_edges = read_table(art, "class_edges").filter(pl.col("class_index") == index)
        assert sorted(edges.select("src", "dst", "weight").rows()) == sorted(
            want_edges.select("src", "dst", "weight").rows())


def test_personalization_changes_pagerank_not_the_counts(tmp_path):
    art = tmp_path / "a"
    settings = resolve({"graph_mass": 0.3}, environ={})
    write_synthetic_artifact(art, classes=2, layers=3, channels=12, images_per_class=10, seed=4, settings=settings)
    inputs = load_graph_inputs(art)
    layout = read_neuron_layout(art)
    rows = inputs.edge_class == 0
    args = (inputs.edge_src[rows], inputs.edge_dst[rows], inputs.edge_weight[rows], settings)
    own, _ = one_graph(layout, inputs.counts[0], *args)
    other, _ = one_graph(layout, inputs.counts[0], *args, personalization=inputs.counts[1])
    assert dict(zip(own["neuron_id"], own["pagerank"], strict=True)) != dict(
        zip(other["neuron_id"], other["pagerank"], strict=True))
    counts = dict(zip(layout.ids.to_list(), inputs.counts[0], strict=True))
    assert all(counts[n] == c for n, c in zip(other["neuron_id"], other["count"], strict=True))


def test_bad_counts_and_edges_are_refused(tmp_path):
    art = tmp_path / "a"
    write_synthetic_artifact(art, classes=2, layers=3, channels=4, images_per_class=2, seed=1)
    layout = read_neuron_layout(art)
    n = int(layout.ids.len())
    settings = resolve(environ={})
    none = np.zeros(0, dtype=np.int64)
    with pytest.raises(BadInput, match="one value per neuron"):
        one_graph(layout, np.zeros(n - 1), none, none, none, settings)
    with pytest.raises(BadInput, match="from one layer to the next"):
        one_graph(layout, np.zeros(n), np.array([0]), np.array([n - 1]), np.array([1]), settings)

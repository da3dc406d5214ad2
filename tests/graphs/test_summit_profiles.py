"""The two Summit profiles end to end: build_graphs equals the notebook's rules written out plainly.

``summit_reference`` builds each class's G with networkx, removes the excluded
channels afterwards, runs ``networkx.pagerank`` and the cut/relaxation/gen_dag
loop; ``build_graphs`` (batched PageRank, one selection engine) must write the
same nodes, PageRank values and edges.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from summit.artifact import read_manifest, read_table, update_manifest
from summit.graphs import build_graphs
from summit.settings import GRAPH_PROFILES, resolve
from summit.synth import write_synthetic_artifact
from tests.graphs.summit_reference import summit_class_graph

EXCLUDED = ["l1:3", "l2:0"]


@pytest.fixture(scope="module")
def art(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("profiles") / "art"
    write_synthetic_artifact(path, classes=5, channels=(12, 16, 14, 10), layers=4, seed=11,
                             influence_rows_target=5 * 3 * 40, with_media=False, with_graphs=False,
                             layer_names=["l0", "l1", "l2", "l3"])
    method = dict(read_manifest(path)["method"])
    method["exclude_channels"] = EXCLUDED
    update_manifest(path, method=method)
    return path


@pytest.mark.parametrize("profile", ["summit", "summit-unified"])
def test_build_graphs_equals_the_notebook_rules(art: Path, profile: str) -> None:
    summary = build_graphs(art, resolve({"graph_method": profile}, environ={}), embedding=False)
    rules = GRAPH_PROFILES[profile]
    column = "graph_count" if rules["graph_counts"] == "graph" else "count"
    neurons = read_table(art, "neurons").sort("layer_index", "channel")
    layers = neurons["layer"].unique(maintain_order=True).to_list()
    channels = dict(neurons.group_by("layer").len().iter_rows())
    acts = read_table(art, "activations")
    infl = read_table(art, "influences")
    nodes = read_table(art, "class_nodes")
    edges = read_table(art, "class_edges")
    assert summary["graph_method"] == profile
    assert summary["excluded_channels"] == EXCLUDED
    relaxed = 0
    for c in range(5):
        ref = summit_class_graph(
            layers, list(infl.filter(pl.col("class_index") == c).select("src", "dst", "count").iter_rows()),
            dict(acts.filter(pl.col("class_index") == c).select("neuron_id", column).iter_rows()),
            channels, set(EXCLUDED), unified=rules["graph_cut"] == "unified", mass=rules["graph_mass"],
            step=rules["graph_mass_step"])
        got = dict(nodes.filter(pl.col("class_index") == c).select("neuron_id", "pagerank").iter_rows())
        assert set(got) == set(ref["nodes"]), f"class {c}"
        for node, value in got.items():
            assert value == pytest.approx(ref["nodes"][node], abs=1e-9)
        assert set(edges.filter(pl.col("class_index") == c).select("src", "dst").iter_rows()) == ref["edges"]
        assert not set(got) & set(EXCLUDED)
        relaxed += max(ref["masses"].values()) > rules["graph_mass"]
    assert nodes.height > 0
    assert edges.height > 0
    assert relaxed > 0  # the relaxation loop was exercised
    assert summary["relaxed_classes"] == relaxed


def test_node_counts_are_the_profile_counts(art: Path) -> None:
    acts = read_table(art, "activations")
    for profile, column in (("summit", "count"), ("summit-unified", "graph_count")):
        build_graphs(art, resolve({"graph_method": profile}, environ={}), embedding=False)
        joined = read_table(art, "class_nodes").join(acts, on=["class_index", "neuron_id"], how="left")
        assert joined.height > 0
        assert (joined["count"] == joined[column].fill_null(0)).all(), profile
        assert read_manifest(art)["graphs"]["graph_method"] == profile

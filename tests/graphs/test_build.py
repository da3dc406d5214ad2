"""build_graphs end to end: tables agree with networkx and with the selection rule."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import polars as pl
import pytest

from summit.artifact import read_manifest, read_table, validate_references
from summit.graphs import build_graphs
from summit.settings import resolve
from summit.synth import write_synthetic_artifact


@pytest.fixture(scope="module")
def art(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("build") / "art"
    # this project's own profile: every neuron is a node of PageRank (Summit's: test_summit_profiles.py)
    write_synthetic_artifact(path, classes=6, channels=(10, 14, 12, 9), layers=4, seed=5, with_media=False,
                             settings=resolve({"graph_method": "explorer"}, environ={}))
    return path


def test_pagerank_of_kept_nodes_equals_networkx(art: Path) -> None:
    neurons = read_table(art, "neurons")
    acts = read_table(art, "activations")
    infl = read_table(art, "influences")
    nodes = read_table(art, "class_nodes")
    for c in (0, 3):
        graph = nx.Graph()
        graph.add_nodes_from(neurons["neuron_id"].to_list())
        mine = infl.filter(pl.col("class_index") == c)
        graph.add_weighted_edges_from(mine.select("src", "dst", "count").iter_rows())
        counts = dict(acts.filter(pl.col("class_index") == c).select("neuron_id", "count").iter_rows())
        pers = {}
        for _layer, group in neurons.group_by("layer"):
            peak = max((counts.get(n, 0) for n in group["neuron_id"]), default=0)
            for n in group["neuron_id"]:
                pers[n] = counts.get(n, 0) / peak if peak else 0.0
        expected = nx.pagerank(graph, alpha=0.85, personalization=pers, max_iter=100)
        kept = nodes.filter(pl.col("class_index") == c)
        assert kept.height > 0
        for n, pr, count in kept.select("neuron_id", "pagerank", "count").iter_rows():
            assert pr == pytest.approx(expected[n], abs=1e-12)
            assert count == counts.get(n, 0)
        # per layer, the kept set reaches the mass threshold (or was relaxed beyond it)
        for layer, group in neurons.group_by("layer"):
            total = sum(expected[n] for n in group["neuron_id"])
            kept_mass = sum(pr for n, pr in kept.select("neuron_id", "pagerank").iter_rows()
                            if n.startswith(f"{layer[0]}:"))
            assert kept_mass >= 0.075 * total - 1e-12


def test_edges_are_influences_between_kept_nodes(art: Path) -> None:
    nodes = read_table(art, "class_nodes")
    edges = read_table(art, "class_edges")
    infl = read_table(art, "influences")
    expected = (infl.join(nodes.select("class_index", pl.col("neuron_id").alias("src")), on=["class_index", "src"])
                .join(nodes.select("class_index", pl.col("neuron_id").alias("dst")), on=["class_index", "dst"])
                .rename({"count": "weight"}).sort(["class_index", "src", "dst"]))
    assert edges.sort(["class_index", "src", "dst"]).equals(expected.select(edges.columns))
    validate_references(art)


def test_settings_are_recorded_and_change_the_result(art: Path, tmp_path: Path) -> None:
    manifest = read_manifest(art)
    assert manifest["graphs"]["embedding_method"] == "pca"
    assert manifest["graphs"]["damping"] == 0.85
    assert manifest["graphs"]["graph_method"] == "explorer"
    assert manifest["graphs"]["graph_rules_changed"] == {}
    before = read_table(art, "class_nodes").height
    import shutil

    copy = Path(shutil.copytree(art, tmp_path / "copy"))
    summary = build_graphs(copy, resolve({"graph_method": "explorer", "graph_mass": 0.5}, environ={}),
                           embedding=False)
    assert summary["graph_mass"] == 0.5
    assert read_manifest(copy)["graphs"]["graph_mass"] == 0.5
    assert read_manifest(copy)["graphs"]["graph_rules_changed"] == {"graph_mass": 0.5}
    assert read_table(copy, "class_nodes").height > before
    assert np.isfinite(read_table(copy, "class_nodes")["pagerank"].to_numpy()).all()


def test_row_order_and_zero_counts_do_not_matter(art: Path, tmp_path: Path) -> None:
    import shutil

    copy = Path(shutil.copytree(art, tmp_path / "shuffled"))
    infl = pl.read_parquet(copy / "influences.parquet")
    zero = infl.head(5).with_columns(pl.lit(0, pl.Int64).alias("count"))
    pl.concat([infl, zero]).sample(fraction=1.0, shuffle=True, seed=3).write_parquet(copy / "influences.parquet")
    acts = pl.read_parquet(copy / "activations.parquet")
    acts.sample(fraction=1.0, shuffle=True, seed=4).write_parquet(copy / "activations.parquet")
    build_graphs(copy, resolve({"graph_method": "explorer"}, environ={}), embedding=False)
    key = ["class_index", "neuron_id"]
    got, want = read_table(copy, "class_nodes").sort(key), read_table(art, "class_nodes").sort(key)
    assert got.select(key, "count").equals(want.select(key, "count"))
    # summation order differs, so PageRank may differ in the last bits only
    np.testing.assert_allclose(got["pagerank"].to_numpy(), want["pagerank"].to_numpy(), rtol=1e-12)
    key = ["class_index", "src", "dst"]
    assert read_table(copy, "class_edges").sort(key).equals(read_table(art, "class_edges").sort(key))
